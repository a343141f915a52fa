"""A footer that fits 80 columns: the less used keys leave it, still in the Keys panel.

A screen lists in ``NARROW_HIDDEN`` the binding ids the footer leaves out
when the screen is narrow (``-narrow``, under 100 columns) and in
``NARROW_LABELS`` shorter footer labels for the rest. The keys keep working;
the command palette's "Keys" panel (ctrl+p → Keys) lists every one of them
with its full description.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import events
from textual.binding import ActiveBinding


class CompactFooterMixin:
    """Mixed into a ``Screen``: fewer, shorter footer keys on a narrow terminal."""

    NARROW_HIDDEN: ClassVar[frozenset[str]] = frozenset()
    """Binding ids left out of the footer under 100 columns."""
    NARROW_LABELS: ClassVar[dict[str, str]] = {}
    """Binding id → the shorter footer label used under 100 columns."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The screen's bindings; when narrow, the hidden ones with ``show=False``."""
        bindings = super().active_bindings
        if not self.has_class("-narrow"):
            return bindings
        compact: dict[str, ActiveBinding] = {}
        for key, active in bindings.items():
            binding = active.binding
            if binding.id in self.NARROW_HIDDEN:
                binding = replace(binding, show=False)
            elif binding.id in self.NARROW_LABELS:
                binding = replace(binding, description=self.NARROW_LABELS[binding.id])
            compact[key] = ActiveBinding(active.node, binding, active.enabled, active.tooltip)
        return compact

    def on_resize(self, event: events.Resize) -> None:
        # the breakpoint classes change with the size: the footer asks again
        self.call_after_refresh(self.refresh_bindings)


class WizardFooterMixin(CompactFooterMixin):
    """The request wizard's footer under 100 columns (``class WizardScreen(WizardFooterMixin, Screen[None])``).

    Previous step (ctrl+PgUp, alt+p, or F1–F7 to jump), Submit (F10; the
    review step has its Submit button) and Search (ctrl+f) leave the footer;
    the others get one-word labels, so the keys of the focused field (y/n,
    s/e, F4, p …) and Save, Next, Attach, Close fit in 80 columns.
    """

    NARROW_HIDDEN: ClassVar[frozenset[str]] = frozenset({"wizard-previous", "wizard-submit", "search"})
    NARROW_LABELS: ClassVar[dict[str, str]] = {
        "wizard-next": "Next",
        "wizard-browse": "Attach",
        "wizard-accept-proposal": "Accept",
        "wizard-leave": "Close",
        "wizard-member-lookup": "Find",
        "diagnosis-primary": "Primary",
        "line-remove": "Remove",
        "line-remove-code": "Remove",
        "attachment-remove": "Remove",
    }
