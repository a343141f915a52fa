"""A footer that fits 80 columns: the less used keys leave it, still in the Keys panel.

A screen lists in ``NARROW_HIDDEN`` the binding ids the footer leaves out
when the screen is narrow (``-narrow``, under 100 columns) and in
``NARROW_LABELS`` shorter footer labels for the rest. A frozenset is left out
whole; a tuple is left out in its order and only as far as needed for the
footer to fit (so Reload stays on a case with few keys and goes when the
line's Decide and the file keys are shown) — a tuple also on a wide screen
whose footer is full (120 columns, a diagnosis focused in the wizard). The keys keep working; the
command palette's "Keys" panel (ctrl+p → Keys) lists every one of them with
its full description.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.binding import ActiveBinding


# the cells of the footer's "▏^p palette" key, on the right
PALETTE_CELLS = 11


class CompactFooterMixin:
    """Mixed into a ``Screen``: fewer, shorter footer keys on a narrow terminal."""

    NARROW_HIDDEN: ClassVar[frozenset[str] | tuple[str, ...]] = frozenset()
    """Binding ids left out of the footer under 100 columns (a tuple: in order, as far as needed)."""
    NARROW_LABELS: ClassVar[dict[str, str]] = {}
    """Binding id → the shorter footer label used under 100 columns."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The screen's bindings; when narrow, the hidden ones with ``show=False``."""
        bindings = super().active_bindings
        narrow = self.has_class("-narrow")
        if not narrow and not isinstance(self.NARROW_HIDDEN, tuple):
            return bindings
        always = self.NARROW_HIDDEN if narrow and isinstance(self.NARROW_HIDDEN, frozenset) else frozenset()
        compact = self._compacted(bindings, always, narrow)
        if isinstance(self.NARROW_HIDDEN, tuple):
            # also on a wide screen, when the focused widget's keys fill the footer
            hidden: set[str] = set()
            for binding_id in self.NARROW_HIDDEN:
                if self._footer_cells(compact, narrow) <= self.size.width - PALETTE_CELLS:
                    break
                hidden.add(binding_id)
                compact = self._compacted(bindings, frozenset(hidden), narrow)
        return compact

    def _compacted(self, bindings: dict[str, ActiveBinding], hidden: frozenset[str],
                   narrow: bool) -> dict[str, ActiveBinding]:
        compact: dict[str, ActiveBinding] = {}
        for key, active in bindings.items():
            binding = active.binding
            if binding.id in hidden:
                binding = replace(binding, show=False)
            elif narrow and binding.id in self.NARROW_LABELS:
                binding = replace(binding, description=self.NARROW_LABELS[binding.id])
            compact[key] = ActiveBinding(active.node, binding, active.enabled, active.tooltip)
        return compact

    def _footer_cells(self, bindings: dict[str, ActiveBinding], narrow: bool) -> int:
        """The cells the footer's keys take, one per action, as the Footer shows them.

        Narrow (app.tcss): "key label" and one space after; wide: Textual's
        padding, a space before the key and after the label as well.
        """
        spacing = 2 if narrow else 3
        actions: set[str] = set()
        cells = 0
        for active in bindings.values():
            binding = active.binding
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            cells += cell_len(self.app.get_key_display(binding)) + cell_len(binding.description) + spacing
        return cells

    def on_resize(self, event: events.Resize) -> None:
        # the breakpoint classes change with the size: the footer asks again
        self.call_after_refresh(self.refresh_bindings)


class WizardFooterMixin(CompactFooterMixin):
    """The request wizard's footer under 100 columns (``class WizardScreen(WizardFooterMixin, Screen[None])``).

    Search (ctrl+f), Submit (F10; the review step has its Submit button) and
    Previous step (ctrl+PgUp, alt+p, or F1–F7 to jump) leave the footer, in
    that order, when it is too full; the others get one-word labels, so the
    keys of the focused field (y/n, s/e, F4, p …) and Save, Next, Attach,
    Close fit in 80 columns.
    """

    NARROW_HIDDEN: ClassVar[tuple[str, ...]] = ("search", "wizard-submit", "wizard-previous")
    NARROW_LABELS: ClassVar[dict[str, str]] = {
        "wizard-next": "Next",
        "wizard-previous": "Prev",
        "wizard-browse": "Attach",
        "wizard-accept-proposal": "Accept",
        "wizard-leave": "Close",
        "wizard-member-lookup": "Find",
        "diagnosis-primary": "Primary",
        "line-remove": "Remove",
        "line-remove-code": "Remove",
        "attachment-remove": "Remove",
    }
