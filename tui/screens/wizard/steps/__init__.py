"""One widget per wizard step: each composes its fields, ``load(form)`` shows a draft, ``collect()`` reads it back.

``collect()`` returns the step's ``DraftForm`` fields as a dict; text that
does not parse is kept under ``"raw"`` (merged into ``DraftForm.raw``).
The Services and Clinical steps' rows (diagnoses, lines, questions) are still
driven by the screen, which owns the lists they share.
"""

from tui.screens.wizard.steps.contact import ContactStep
from tui.screens.wizard.steps.member import MemberStep
from tui.screens.wizard.steps.urgency import UrgencySet, UrgencyStep

__all__ = ["ContactStep", "MemberStep", "UrgencySet", "UrgencyStep"]
