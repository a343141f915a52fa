"""Small FHIR datatype builders shared by the PAS request and response Bundles (``fhir.resources`` R4B)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.humanname import HumanName


def coding(system: str, code: str, display: str | None = None) -> Coding:
    """One Coding."""
    return Coding(system=system, code=code, display=display or None)


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> CodeableConcept:
    """A CodeableConcept of one coding."""
    return CodeableConcept(coding=[coding(system, code, display)], text=text or None)


def coded_extension(url: str, system: str, pair: tuple[str, str]) -> Extension:
    """An extension whose value is a CodeableConcept of ``pair`` = (code, display)."""
    return Extension(url=url, valueCodeableConcept=concept(system, *pair))


_CREDENTIALS = {
    "MD", "DO", "NP", "PA", "PA-C", "RN", "APRN", "CNM", "CRNA", "DPM", "DDS", "DMD", "OD", "PHD", "PSYD",
    "LCSW", "LPC", "PT", "DPT", "OT", "JR", "SR", "II", "III", "FACS", "FACP", "MPH",
}
_TITLES = {"DR", "DR.", "MR", "MR.", "MRS", "MRS.", "MS", "MS."}


def person_name(text: str) -> HumanName:
    """A HumanName with a family name from ``Last, First MD`` or ``Dr. First Last MD``.

    US Core requires ``family`` on a Practitioner; credentials become ``suffix``
    and titles ``prefix``; the whole text is kept as ``text``.
    """
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    prefix = [w for w in words[:1] if w.upper() in _TITLES]
    words = words[len(prefix):]
    suffix = []
    while len(words) > 1 and words[-1].upper().strip(".") in _CREDENTIALS:
        suffix.insert(0, words.pop())
    if "," in text:
        family, given = words[:1], words[1:]
    else:
        family, given = words[-1:], words[:-1]
    return HumanName(
        text=text.strip() or None,
        family=family[0] if family else text.strip() or "Unknown",
        given=given or None,
        prefix=prefix or None,
        suffix=suffix or None,
    )


def telecom(phone: str = "", fax: str = "", email: str = "", extension: str = "") -> list[ContactPoint] | None:
    """Work phone (with its extension), fax and email as ContactPoints; None when there is none."""
    points = []
    if phone:
        points.append(ContactPoint(system="phone", value=f"{phone} ext. {extension}" if extension else phone,
                                   use="work"))
    if fax:
        points.append(ContactPoint(system="fax", value=fax, use="work"))
    if email:
        points.append(ContactPoint(system="email", value=email, use="work"))
    return points or None


def instant(value: datetime) -> datetime:
    """``value`` with a time zone (AuthDesk's instants are UTC; a naive one is read as UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


__all__ = ["coded_extension", "coding", "concept", "instant", "person_name", "telecom"]
