"""What every wizard step is: a scrolling pane that shows part of a draft and reads it back.

The screen builds a step the first time the clerk visits it; until then the
values of its fields are the draft's as loaded. So a step reads back only its
own fields: :meth:`WizardStep.collect` writes them, and the ``DraftForm.raw``
keys it owns, into a form that already holds every other field.
"""

from __future__ import annotations

from typing import ClassVar

from textual.containers import VerticalScroll

from store.forms import DraftForm


class WizardStep(VerticalScroll):
    """One step of the wizard (``#step-N``): ``load(form)`` shows it, ``collect(form)`` reads it back.

    Subclasses set :attr:`INDEX` and :attr:`RAW_KEYS` (the ``DraftForm.raw``
    keys their fields keep text in when it does not parse).
    """

    INDEX: ClassVar[int] = 0
    RAW_KEYS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or f"step-{self.INDEX}", classes="wizard-step")

    def owns_raw(self, key: str) -> bool:
        """Whether ``DraftForm.raw[key]`` is text of one of this step's fields."""
        return key in self.RAW_KEYS

    def clear_raw(self, form: DraftForm) -> None:
        """Drop the raw text of this step's fields from ``form`` (collect writes what is shown now)."""
        for key in [k for k in form.raw if self.owns_raw(k)]:
            del form.raw[key]

    def load(self, form: DraftForm) -> None:
        """Show ``form``'s values in this step's fields (raw text wins over parsed values)."""

    def collect(self, form: DraftForm) -> None:
        """Write this step's fields, as shown, into ``form``."""

    def validated_inputs(self) -> list[str]:
        """Ids of the inputs whose text is checked when it is typed and left."""
        return []
