"""One widget per wizard step: each composes its fields, ``load(form)`` shows a draft, ``collect(form)`` reads it back.

Every step is a :class:`WizardStep` (``#step-N``). The screen builds a step
the first time it is shown; ``collect(form)`` writes only the step's own
fields (and the ``DraftForm.raw`` keys it owns) into a form that holds the
others, so the values of a step never built are the draft's as loaded.
The diagnosis and line lists are the screen's (the Services and Clinical
steps show them).
"""

from tui.screens.wizard.steps.base import WizardStep
from tui.screens.wizard.steps.clinical import ClinicalStep
from tui.screens.wizard.steps.contact import ContactStep
from tui.screens.wizard.steps.member import MemberStep
from tui.screens.wizard.steps.providers import PROVIDER_FIELDS, ProvidersStep
from tui.screens.wizard.steps.review import ReviewStep
from tui.screens.wizard.steps.services import PlaceOfServicePicker, ServicesStep
from tui.screens.wizard.steps.urgency import UrgencySet, UrgencyStep

__all__ = ["PROVIDER_FIELDS", "ClinicalStep", "ContactStep", "MemberStep", "PlaceOfServicePicker",
           "ProvidersStep", "ReviewStep", "ServicesStep", "UrgencySet", "UrgencyStep", "WizardStep"]
