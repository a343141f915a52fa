"""Texts the clerk reads in more than one place: the draft lifetime and the seeds' disclaimers.

Screens, mails and letters import them from here, so a wording (or the
96 hours) changes in one place.
"""

from __future__ import annotations

from datetime import timedelta

DRAFT_LIFETIME_HOURS = 96
DRAFT_LIFETIME = timedelta(hours=DRAFT_LIFETIME_HOURS)
DRAFT_REMINDER_HOURS = 24  # the expiry reminder goes this long before a draft expires
DRAFT_LIFETIME_WORDS = f"{DRAFT_LIFETIME_HOURS} hours"
DRAFT_LIFETIME_NOTE = (
    f"A draft is kept for {DRAFT_LIFETIME_WORDS} after it was started; then it expires and is kept read-only."
)

NOT_A_GUARANTEE = (
    "An authorization is not a guarantee of payment, but is based on medical necessity, appropriate coding "
    "and benefits. Benefits may be subject to limitation and/or qualifications and will be determined when "
    "the claim is received for processing."
)
BENEFITS_FINAL = (
    "Final determination of benefits is based on in-network or out-of-network status, eligibility, "
    "deductibles, plan limits, and overall plan language. Benefits must be verified with the plan "
    "administrator or health fund directly."
)
PHYSICIAN_REVIEW_TIME = (
    "Any case requiring physician review may take additional time. The plan will not impede care."
)
WEBCERT_IS_NOT_AUTH = "The WebCert number is NOT the authorization number."
DRAFT_IS_NOT_APPROVAL = "The draft number (Reference ID) is not an approval of the request."
ELIGIBILITY_NOTE = (
    "Benefits and Eligibility must be verified with the plan administrator prior to initiating any "
    "Authorization request. Authorizations are not completed for secondary insurance plans."
)
EXPEDITED_NOTE = (
    "The level of urgency is a request only and may be modified based on the plan's Criteria for "
    "Expedited Status. Any case requiring physician review may take additional time."
)
CLINICALS_NOTE = (
    "Clinicals must be attached to the initial request, including all pertinent records to complete the "
    "review timely and accurately. Insufficient information may delay processing and require follow-up."
)
PENDED_NOTE = (
    "If your authorization status is Pended, please attach member clinical information in order to "
    "expedite your authorization process."
)
# Printed at the foot of every determination letter.
LETTER_DISCLAIMERS = (NOT_A_GUARANTEE, BENEFITS_FINAL, PHYSICIAN_REVIEW_TIME, WEBCERT_IS_NOT_AUTH)


def draft_expired_text(when: str) -> str:
    """``expired 03/06/2026 14:30 (96 hours after it was created)``."""
    return f"expired {when} ({DRAFT_LIFETIME_WORDS} after it was created)"


__all__ = [
    "BENEFITS_FINAL",
    "CLINICALS_NOTE",
    "DRAFT_IS_NOT_APPROVAL",
    "DRAFT_LIFETIME",
    "DRAFT_LIFETIME_HOURS",
    "DRAFT_LIFETIME_NOTE",
    "DRAFT_LIFETIME_WORDS",
    "DRAFT_REMINDER_HOURS",
    "ELIGIBILITY_NOTE",
    "EXPEDITED_NOTE",
    "LETTER_DISCLAIMERS",
    "NOT_A_GUARANTEE",
    "PENDED_NOTE",
    "PHYSICIAN_REVIEW_TIME",
    "WEBCERT_IS_NOT_AUTH",
    "draft_expired_text",
]
