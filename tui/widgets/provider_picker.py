"""Provider picker: search the directory by NPI, provider number or name."""

from __future__ import annotations

import time

from store.errors import NotFoundError
from store.records import ProviderRecord
from tui.widgets.wizard_search import PickerResult, SearchPicker


QUICK_SECONDS = 0.004
"""A provider search that took less than this runs the next key's search as the key is handled."""


def provider_label(provider: ProviderRecord) -> str:
    """How a provider reads in the field and the results list."""
    parts = [provider.name, f"NPI {provider.npi}", f"#{provider.provider_number}"]
    if provider.specialty:
        parts.append(provider.specialty)
    return " · ".join(parts)


class ProviderPicker(SearchPicker):
    """Search field for a provider; :class:`SearchPicker.Picked` carries a :class:`ProviderRecord`.

    A typed 10-digit number is checked as an NPI (check digit) before it is
    looked up. Once picked, the field shows the provider; editing the text
    forgets the choice.

    Args:
        input_id: the input's id (``requesting-provider`` …).
        facility: search facilities only (True), practitioners only (False) or all (None).
    """

    def __init__(self, input_id: str, placeholder: str = "NPI, provider number or name", *,
                 facility: bool | None = None, **kwargs) -> None:
        super().__init__(input_id, placeholder, min_chars=2, **kwargs)
        self.facility = facility
        self.provider: ProviderRecord | None = None
        self._last_took: float | None = None

    def set_provider(self, provider: ProviderRecord | None) -> None:
        """Show ``provider`` as the choice (None clears it)."""
        self.provider = provider
        self.set_text(provider_label(provider) if provider else "")
        self.show_error("")

    def search(self, text: str) -> list[PickerResult]:
        """Providers matching ``text`` (a database query; how long it took is kept, see :meth:`search_is_quick`)."""
        from store.services.providers import search_providers

        started = time.perf_counter()
        try:
            with self.app.store.session() as session:
                found = search_providers(session, text, facility=self.facility, limit=8)
        finally:
            self._last_took = time.perf_counter() - started
        return [PickerResult(p, provider_label(p)) for p in found]

    def search_is_quick(self) -> bool:
        """Inline while the last search took under :data:`QUICK_SECONDS` (a small directory on a
        local or nearby database): the typed character and its results are then painted in one
        frame. The first search, and any after a slow one (a large directory, a busy server), run
        in a worker, so a slow query never holds up the keys."""
        return self._last_took is not None and self._last_took < QUICK_SECONDS

    def resolve(self, text, results, highlighted, moved) -> PickerResult:
        """A typed NPI is checked and looked up; otherwise the highlighted result."""
        cleaned = text.replace(" ", "").replace("-", "")
        if cleaned.isdigit() and len(cleaned) >= 9 and not moved:
            if len(cleaned) == 10 or not results:
                from store.codes.npi import validate_npi
                from store.services.providers import find_provider_by_npi

                npi = validate_npi(cleaned, field=self.input_id)
                with self.app.store.session() as session:
                    provider = find_provider_by_npi(session, npi)
                if provider is None:
                    raise NotFoundError(f"No provider with NPI {npi} in the directory.")
                return PickerResult(provider, provider_label(provider))
        if results and highlighted is not None:
            return results[highlighted]
        raise NotFoundError(f"No provider matches “{text}”: type an NPI, provider number or name.")

    def on_search_picker_picked(self, message: SearchPicker.Picked) -> None:
        """Remember and show the chosen provider (the message goes on to the form)."""
        if message.picker is self:
            self.provider = message.value
            self.set_text(message.label)

    def on_input_changed(self, event) -> None:
        """Editing the text forgets the chosen provider."""
        if self.provider is not None and event.value != provider_label(self.provider):
            self.provider = None
