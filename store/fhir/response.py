"""PAS response Bundles: read a payer's ClaimResponse into decisions, or build one (a payer simulator).

:func:`read_response_bundle` parses the JSON with ``fhir.resources`` (R4B
models) and pulls out what AuthDesk applies: which request it answers
(WebCert number, the Claim's full URL, the member), the overall outcome,
``preAuthRef`` / ``preAuthPeriod``, errors, and per item the HCR01 review
action, authorized quantity, dates and code, reason codes and notes. It
raises :class:`ResponseError` listing every problem of the file.

:func:`build_response_bundle` writes a response to one of AuthDesk's request
Bundles the way the guide's examples do (``Examples.fsh``:
PractitionerRequestorResponseExample, RejectionResponseExample,
PractitionerRequestorPendingResponseExample); the tests use it for the round
trip, and a demo payer could answer with it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from store.enums import LineStatus
from store.fhir import terms
from store.fhir.settings import PasSettings


class ResponseError(Exception):
    """A response that cannot be applied; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class ItemDecision:
    """A payer's decision on one service line (``sequence`` = the Claim's item.sequence)."""

    sequence: int
    action: str  # HCR01: A1, A2, A3, A4, A6, C
    units: int | None = None
    from_date: date | None = None
    to_date: date | None = None
    code: str | None = None  # the authorized code when it differs (A6)
    reasons: tuple[str, ...] = ()
    review_number: str = ""

    @property
    def status(self) -> LineStatus:
        """The AuthDesk line outcome of the HCR01 code."""
        return terms.REVIEW_ACTIONS[self.action][0]


@dataclass(frozen=True, slots=True)
class PasDecision:
    """What a PAS response says, ready to apply."""

    key: str  # the response's identifier, system|value
    sha256: str  # of the canonical JSON
    outcome: str  # complete | partial | error
    created: datetime | None
    webcert_number: str
    request_reference: str
    member_ids: frozenset[str]
    preauth_ref: str = ""
    preauth_start: date | None = None
    preauth_end: date | None = None
    disposition: str = ""
    errors: tuple[str, ...] = ()
    items: tuple[ItemDecision, ...] = field(default_factory=tuple)


def canonical_sha256(data: dict) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys, no spaces): a re-formatted copy hashes the same."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ext(element, url: str) -> list:
    return [e for e in (getattr(element, "extension", None) or []) if e.url == url]


def _codes(concept) -> list[tuple[str | None, str, str]]:
    return [(c.system, c.code, c.display or "") for c in (concept.coding or []) if c.code] if concept else []


def _pydantic_problems(exc) -> list[str]:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "__root__")
        problems.append(f"not valid FHIR R4: {where or 'Bundle'}: {error.get('msg', 'invalid')}")
    return problems or ["not valid FHIR R4"]


def read_response_bundle(data: dict, settings: PasSettings | None = None) -> PasDecision:
    """The decision a PAS response Bundle carries.

    Raises:
        ResponseError: every problem of the Bundle (not FHIR, not a PAS
            response, no AuthDesk WebCert number, unknown review actions,
            bad quantities or dates), each in one line.
    """
    from pydantic import ValidationError as PydanticError

    from fhir.resources.R4B.bundle import Bundle

    settings = settings or PasSettings()
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise ResponseError(["not a FHIR Bundle (resourceType is not Bundle)"])
    try:
        bundle = Bundle.model_validate(data)
    except PydanticError as exc:
        raise ResponseError(_pydantic_problems(exc)) from None
    problems: list[str] = []
    entries = bundle.entry or []
    if bundle.type != "collection":
        problems.append(f"Bundle.type is {bundle.type!r}; a PAS response Bundle is a collection")
    if not entries or entries[0].resource is None or entries[0].resource.get_resource_type() != "ClaimResponse":
        raise ResponseError(problems + ["the first entry is not a ClaimResponse (PAS ClaimResponseFirst)"])
    by_url = {e.fullUrl: e.resource for e in entries if e.fullUrl}
    response = entries[0].resource
    if response.use != "preauthorization":
        problems.append(f"ClaimResponse.use is {response.use!r}, not preauthorization")
    identifier = bundle.identifier or (response.identifier[0] if response.identifier else None)
    if identifier is None or not identifier.value:
        problems.append("the response has no identifier (Bundle.identifier or ClaimResponse.identifier)")
    key = f"{identifier.system or ''}|{identifier.value}" if identifier is not None and identifier.value else ""

    webcerts = _webcert_numbers(response, by_url, settings)
    if not webcerts:
        problems.append("it names no AuthDesk WebCert number (ClaimResponse.identifier or request)")
    elif len(webcerts) > 1:
        problems.append(f"it names several requests ({', '.join(sorted(webcerts))})")
    items = []
    notes = {n.number: n.text for n in (response.processNote or []) if n.number is not None and n.text}
    seen: set[int] = set()
    for item in response.item or []:
        try:
            decision = _item_decision(item, notes)
        except ResponseError as exc:
            problems.extend(exc.problems)
            continue
        if decision.sequence in seen:
            problems.append(f"item {decision.sequence} is decided twice")
        seen.add(decision.sequence)
        items.append(decision)
    if response.outcome not in ("complete", "partial", "error"):
        problems.append(f"ClaimResponse.outcome is {response.outcome!r}; expected complete, partial or error")
    if response.outcome != "error" and not items:
        problems.append("the response decides no service line (no item with a review action)")
    if problems:
        raise ResponseError(problems)
    period = response.preAuthPeriod
    return PasDecision(
        key=key,
        sha256=canonical_sha256(data),
        outcome=response.outcome,
        created=_utc(response.created),
        webcert_number=next(iter(webcerts)),
        request_reference=(response.request.reference or "") if response.request else "",
        member_ids=frozenset(_member_ids(response, by_url)),
        preauth_ref=response.preAuthRef or "",
        preauth_start=_date(period.start) if period else None,
        preauth_end=_date(period.end) if period else None,
        disposition=response.disposition or "",
        errors=tuple(_error_text(e) for e in (response.error or [])),
        items=tuple(items),
    )


def _utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, datetime.min.time(), tzinfo=UTC)


def _date(value) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _webcert_numbers(response, by_url: dict, settings: PasSettings) -> set[str]:
    """WebCert numbers the response names: its identifiers, its request's identifier or the Claim it points at."""
    ours = {terms.WEBCERT_SYSTEM, settings.claim_identifier_system}
    identifiers = list(response.identifier or [])
    request = response.request
    if request is not None and request.identifier is not None:
        identifiers.append(request.identifier)
    if request is not None and request.reference in by_url:
        claim = by_url[request.reference]
        if claim is not None and claim.get_resource_type() == "Claim":
            identifiers.extend(claim.identifier or [])
    return {i.value.strip().upper() for i in identifiers if i.system in ours and i.value}


def _member_ids(response, by_url: dict) -> set[str]:
    patient = response.patient
    ids = set()
    if patient is not None and patient.identifier is not None and patient.identifier.value:
        ids.add(patient.identifier.value.strip().upper())
    resource = by_url.get(patient.reference) if patient is not None and patient.reference else None
    if resource is not None and resource.get_resource_type() == "Patient":
        ids.update(i.value.strip().upper() for i in resource.identifier or [] if i.value)
    return ids


def _error_text(error) -> str:
    codes = _codes(error.code)
    text = ", ".join(f"X12 reject reason {code}" + (f" ({display})" if display else "") for _, code, display in codes)
    if error.code is not None and error.code.text:
        text += f": {error.code.text}"
    return text or "an error without a code"


def _item_decision(item, notes: dict[int, str]) -> ItemDecision:
    sequence = item.itemSequence
    label = f"item {sequence}"
    actions = []
    for adjudication in item.adjudication or []:
        for review in _ext(adjudication, terms.EXT_REVIEW_ACTION):
            actions.append(review)
    if not actions:
        raise ResponseError([f"{label} carries no review action (reviewAction extension)"])
    review = actions[0]
    codes = [code for ext in _ext(review, terms.EXT_REVIEW_ACTION_CODE) for system, code, _ in
             _codes(ext.valueCodeableConcept) if system in (terms.x12("306"), None)]
    if not codes:
        raise ResponseError([f"{label} carries no review action code (HCR01)"])
    action = codes[0].upper()
    if action not in terms.REVIEW_ACTIONS:
        raise ResponseError([f"{label}: review action {action!r} is not one of "
                             f"{', '.join(terms.REVIEW_ACTIONS)} (HCR01)"])
    reasons = []
    for ext in _ext(review, terms.SUB_REASON_CODE):
        for system, code, display in _codes(ext.valueCodeableConcept):
            reasons.append(f"X12 reason {code}" + (f" ({display})" if display else ""))
        if ext.valueCodeableConcept is not None and ext.valueCodeableConcept.text:
            reasons.append(ext.valueCodeableConcept.text)
    reasons.extend(notes[n] for n in (item.noteNumber or []) if n in notes)
    number = next((e.valueString for e in _ext(review, terms.SUB_REVIEW_NUMBER) if e.valueString), "")
    units = code = None
    problems = []
    for detail in _ext(item, terms.EXT_ITEM_AUTHORIZED_DETAIL):
        for quantity in _ext(detail, terms.SUB_AUTHORIZED_QUANTITY):
            value = quantity.valueQuantity.value if quantity.valueQuantity is not None else None
            if value is None or value != int(value) or value < 1:
                problems.append(f"{label}: the authorized quantity {value} is not a whole number of 1 or more")
            else:
                units = int(value)
        for product in _ext(detail, terms.SUB_AUTHORIZED_CODE):
            found = [c for s, c, _ in _codes(product.valueCodeableConcept) if s in (terms.CPT, terms.HCPCS)]
            code = found[0] if found else code
    start = end = None
    for period_ext in _ext(item, terms.EXT_ITEM_PREAUTH_PERIOD):
        if period_ext.valuePeriod is not None:
            start, end = _date(period_ext.valuePeriod.start), _date(period_ext.valuePeriod.end)
    if start and end and end < start:
        problems.append(f"{label}: the authorized period ends ({end}) before it starts ({start})")
    if problems:
        raise ResponseError(problems)
    return ItemDecision(sequence=sequence, action=action, units=units, from_date=start, to_date=end, code=code,
                        reasons=tuple(reasons), review_number=number or "")


# --- building a response (Examples.fsh) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemAnswer:
    """What a (simulated) payer decides for one item."""

    sequence: int
    action: str
    units: int | None = None
    start: date | None = None
    end: date | None = None
    code: str | None = None
    reason_codes: tuple[tuple[str, str], ...] = ()  # (X12 886 code, display)
    note: str = ""


def build_response_bundle(request_bundle: dict, answers: Iterable[ItemAnswer], *, outcome: str = "complete",
                          preauth_ref: str | None = None, created: datetime | None = None,
                          errors: Iterable[tuple[str, str]] = (), response_id: str | None = None) -> dict:
    """A PAS response Bundle answering ``request_bundle`` (as a payer would, after ``Examples.fsh``).

    The ClaimResponse echoes the Claim's identifier, points ``request`` at the
    Claim's full URL, and carries the Patient, insurer and requestor entries of
    the request (not the Claim itself: ``request`` points at the Claim the
    provider holds, as in PractitionerRequestorResponseExample). Each answer becomes an item with the review action (HCR01),
    authorized quantity and code (``itemAuthorizedDetail``), period
    (``itemPreAuthPeriod``), authorized provider, reason codes and a note.
    """
    from fhir.resources.R4B.bundle import Bundle, BundleEntry
    from fhir.resources.R4B.claimresponse import (
        ClaimResponse,
        ClaimResponseError,
        ClaimResponseItem,
        ClaimResponseItemAdjudication,
        ClaimResponseProcessNote,
    )
    from fhir.resources.R4B.extension import Extension
    from fhir.resources.R4B.meta import Meta
    from fhir.resources.R4B.period import Period
    from fhir.resources.R4B.quantity import Quantity
    from fhir.resources.R4B.reference import Reference

    from store.fhir.datatypes import concept

    request = Bundle.model_validate(request_bundle)
    claim_entry = request.entry[0]
    claim = claim_entry.resource
    by_url = {e.fullUrl: e for e in request.entry}
    created = created or datetime.now(UTC)
    items, notes = [], []
    for answer in answers:
        review = [Extension(url=terms.EXT_REVIEW_ACTION_CODE, valueCodeableConcept=concept(
            terms.x12("306"), answer.action, terms.REVIEW_ACTIONS[answer.action][1]))]
        review.append(Extension(url=terms.SUB_REVIEW_NUMBER, valueString=f"R{answer.sequence:04d}"))
        review.extend(Extension(url=terms.SUB_REASON_CODE,
                                valueCodeableConcept=concept(terms.X12_REVIEW_DECISION_REASON, code, display))
                      for code, display in answer.reason_codes)
        extensions = [Extension(url=terms.EXT_ITEM_AUTHORIZED_PROVIDER, extension=[
            Extension(url=terms.SUB_AUTHORIZED_PROVIDER, valueReference=claim.provider),
            Extension(url=terms.EXT_AUTHORIZED_PROVIDER_TYPE,
                      valueCodeableConcept=concept(terms.x12("98"), *terms.ENTITY_PROVIDER)),
        ])]
        if answer.start or answer.end:
            extensions.append(Extension(url=terms.EXT_ITEM_PREAUTH_PERIOD,
                                        valuePeriod=Period(start=answer.start, end=answer.end)))
            extensions.append(Extension(url=terms.EXT_ITEM_PREAUTH_ISSUE_DATE, valueDate=created.date()))
        detail = []
        if answer.units is not None:
            detail.append(Extension(url=terms.SUB_AUTHORIZED_QUANTITY, valueQuantity=Quantity(value=answer.units)))
        if answer.code:
            system = terms.HCPCS if answer.code[0].isalpha() else terms.CPT
            detail.append(Extension(url=terms.SUB_AUTHORIZED_CODE, valueCodeableConcept=concept(system, answer.code)))
        if detail:
            extensions.append(Extension(url=terms.EXT_ITEM_AUTHORIZED_DETAIL, extension=detail))
        note_numbers = None
        if answer.note:
            notes.append(ClaimResponseProcessNote(number=len(notes) + 1, type="display", text=answer.note))
            note_numbers = [len(notes)]
        items.append(ClaimResponseItem(
            extension=extensions,
            itemSequence=answer.sequence,
            noteNumber=note_numbers,
            adjudication=[ClaimResponseItemAdjudication(
                category=concept(terms.ADJUDICATION, "submitted"),
                extension=[Extension(url=terms.EXT_REVIEW_ACTION, extension=review)],
            )],
        ))
    response = ClaimResponse(
        id="response",
        meta=Meta(profile=[terms.PROFILE_CLAIM_RESPONSE]),
        identifier=claim.identifier,
        status="active",
        type=claim.type,
        use="preauthorization",
        patient=claim.patient,
        created=created,
        insurer=claim.insurer,
        requestor=claim.provider,
        request=Reference(reference=claim_entry.fullUrl),
        outcome=outcome,
        preAuthRef=preauth_ref,
        item=items or None,
        processNote=notes or None,
        error=[ClaimResponseError(code=concept(terms.x12("901"), code, display)) for code, display in errors] or None,
        extension=[Extension(url=terms.EXT_CLAIM_RESPONSE_REVIEWER, extension=[
            Extension(url=terms.SUB_HUMAN_REVIEWED, valueBoolean=True)])],
    )
    response_url = f"urn:uuid:{response_id or uuid.uuid4()}"
    carried = [by_url[ref.reference] for ref in (claim.patient, claim.insurer, claim.provider)]
    provider = carried[-1].resource
    if provider.get_resource_type() == "PractitionerRole":
        carried.extend(by_url[r.reference] for r in (provider.practitioner, provider.organization) if r)
    entries = [BundleEntry(fullUrl=response_url, resource=response)]
    for entry in carried:
        if all(entry.fullUrl != e.fullUrl for e in entries):
            entries.append(BundleEntry(fullUrl=entry.fullUrl, resource=entry.resource))
    bundle = Bundle(
        meta=Meta(profile=[terms.PROFILE_RESPONSE_BUNDLE]),
        identifier=request.identifier,
        type="collection",
        timestamp=created,
        entry=entries,
    )
    return bundle.model_dump(mode="json", exclude_none=True)


__all__ = [
    "ItemAnswer",
    "ItemDecision",
    "PasDecision",
    "ResponseError",
    "build_response_bundle",
    "canonical_sha256",
    "read_response_bundle",
]
