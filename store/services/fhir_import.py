"""Apply payers' Da Vinci PAS response Bundles to cases, as the reviewer screens do.

Entry points:

* :func:`import_decisions` — a file or a folder of ``*.json`` files; returns
  a per-file :class:`ImportReport` (what the CLI prints and the reviewer's
  import screen will show).
* :func:`apply_response` — one parsed response in the caller's session.
* :func:`submit_to_payer` — export a case, send it through a
  :class:`~store.fhir.transport.PasTransport` and apply the answer.

A response is applied through :mod:`store.services.review` (accept a
pending case first, then decide each line; an ``error`` outcome rejects a
pending case), so letters, mails, the timeline and the metrics follow
exactly as when a reviewer decides. Each file is one transaction: a file with
any problem changes nothing, and every problem is reported, one line each,
prefixed by the file name. Applied responses are remembered in
``pas_response`` by the SHA-256 of their canonical JSON: the same response
again changes nothing; a line already showing the decision is not decided
again; a response older than one already applied is refused.

A response is refused when its WebCert number is not a case the user may
see (another organization's case gets the same message as a missing one),
when it points at another Claim or another member, or names a service line
the case does not have. Nothing here logs; no message names the member.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from store.enums import LineStatus, RequestStatus
from store.errors import StoreError, ValidationError
from store.fhir.request import claim_full_url
from store.fhir.response import ItemDecision, PasDecision, ResponseError, read_response_bundle
from store.fhir.settings import PasSettings, load_pas_settings
from store.models import AuthRequest, PasResponse, ServiceLine
from store.records import UserRecord
from store.services import review
from store.services.fhir_export import find_case_by_number
from store.services.mail_templates import fmt_date
from store.services.permissions import CaseAction, facts_of_request, require
from store.services.timeline import add_event
from store.services.versions import bump_version
from store.textgate import check_column, check_text
from store.types import utcnow

MAX_FILE_BYTES = 20 * 1024 * 1024
EVENT_PAS_RESPONSE = "pas_response"
PENDED_WITHOUT_REASON = "The payer pended this line (A4) without saying which information it needs."

APPLIED, UNCHANGED, REFUSED = "applied", "unchanged", "refused"


@dataclass(frozen=True, slots=True)
class FileResult:
    """What happened to one file: applied, unchanged or refused (with every problem)."""

    path: Path
    status: str
    webcert_number: str = ""
    summary: str = ""
    problems: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """One line per problem (or one line saying what was done), prefixed by the file name."""
        if self.problems:
            return [f"{self.path.name}: {problem}" for problem in self.problems]
        return [f"{self.path.name}: {self.webcert_number} {self.status}: {self.summary}"]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Every file of an import and what became of it."""

    files: tuple[FileResult, ...]

    def count(self, status: str) -> int:
        """How many files ended with ``status``."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def ok(self) -> bool:
        """True when no file was refused."""
        return self.count(REFUSED) == 0


def response_files(path: str | Path) -> list[Path]:
    """The ``*.json`` files of a folder (sorted), or the one file named.

    Raises:
        ValidationError: the path does not exist, or the folder holds no ``.json`` file (field ``path``).
    """
    target = Path(path).expanduser()
    if target.is_dir():
        files = sorted(p for p in target.iterdir() if p.suffix.lower() == ".json" and p.is_file())
        if not files:
            raise ValidationError(f"{target} holds no .json file.", field="path")
        return files
    if not target.is_file():
        raise ValidationError(f"{target} does not exist.", field="path")
    return [target]


def read_json_file(path: Path) -> dict:
    """The JSON object in ``path``.

    Raises:
        ResponseError: unreadable, too large, not UTF-8 or not JSON.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ResponseError([f"the file is {size:,} bytes; a PAS response is at most {MAX_FILE_BYTES:,}"])
        return json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ResponseError([f"cannot be read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise ResponseError(["is not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise ResponseError([f"is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]) from None


def import_decisions(store, user: UserRecord, path: str | Path, *, settings: PasSettings | None = None,
                     progress: Callable[[int, int, str], None] | None = None) -> ImportReport:
    """Apply every PAS response in ``path`` (a file or a folder), each file in its own transaction.

    ``progress(done, total, file name)`` is called after each file.

    Raises:
        ValidationError: the path does not exist or holds no ``.json`` file.
    """
    settings = settings or load_pas_settings()
    files = response_files(path)
    results = []
    for done, file in enumerate(files, start=1):
        results.append(import_file(store, user, file, settings=settings))
        if progress is not None:
            progress(done, len(files), file.name)
    return ImportReport(tuple(results))


def import_file(store, user: UserRecord, path: Path, *, settings: PasSettings | None = None) -> FileResult:
    """Apply the PAS response in ``path``; a refused file changes nothing."""
    try:
        decision = read_response_bundle(read_json_file(path), settings or load_pas_settings())
    except ResponseError as exc:
        return FileResult(path, REFUSED, problems=exc.problems)
    return apply_in_transaction(store, user, decision, path)


def apply_in_transaction(store, user: UserRecord, decision: PasDecision, path: Path) -> FileResult:
    """Apply ``decision`` in a transaction of its own; any problem rolls all of it back."""
    try:
        with store.session() as session:
            status, summary = apply_response(session, user, decision, attachments_dir=store.attachments_dir)
    except ResponseError as exc:
        return FileResult(path, REFUSED, decision.webcert_number, problems=exc.problems)
    except StoreError as exc:
        return FileResult(path, REFUSED, decision.webcert_number, problems=(str(exc),))
    return FileResult(path, status, decision.webcert_number, summary)


def apply_response(session: Session, user: UserRecord, decision: PasDecision, *,
                   attachments_dir: Path | None = None) -> tuple[str, str]:
    """Apply ``decision`` to its case in ``session``; returns (``applied`` or ``unchanged``, summary).

    Raises:
        ResponseError: the response does not match the case, or a line cannot take its decision.
        NotFoundError: no case with that WebCert number the user may see.
        PermissionDeniedError / InvalidTransitionError: the user may not decide, or the case's status
            does not allow it (from :mod:`store.services.permissions`).
    """
    request_id = find_case_by_number(session, user, decision.webcert_number)  # scoping first: no leak
    payer_text(decision.key, "the response's identifier")
    earlier = session.execute(
        select(PasResponse).where(PasResponse.content_sha256 == decision.sha256, PasResponse.request_id == request_id)
    ).scalar_one_or_none()
    if earlier is not None and user.is_reviewer:
        return UNCHANGED, f"this response was already applied on {fmt_date(earlier.applied_at.date())}"
    req = session.get(AuthRequest, request_id)
    status = RequestStatus(req.status)
    if status not in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
        raise ResponseError([f"{req.webcert_number} is {status.label.lower()}; a payer's decision applies only "
                             "to a pending or accepted case"])
    if status is RequestStatus.PENDING:
        action = CaseAction.REJECT if decision.outcome == "error" else CaseAction.ACCEPT
    else:
        action = CaseAction.DECIDE_LINE
    require(user, facts_of_request(session, req), action)
    lines = {line.line_number: line for line in session.execute(
        select(ServiceLine).where(ServiceLine.request_id == req.id)).scalars()}
    _check_matches(session, req, lines, decision)
    if decision.outcome == "error":
        return APPLIED, _reject(session, user, req, decision, attachments_dir)
    done: list[str] = []
    number_note = _take_authorization_number(session, req, decision)
    if number_note:
        done.append(number_note)
    if status is RequestStatus.PENDING:
        review.accept_request(session, user, req.id, attachments_dir=attachments_dir)
        done.append("accepted")
    problems: list[str] = []
    for item in sorted(decision.items, key=lambda i: i.sequence):
        line = lines[item.sequence]
        try:
            changed = _decide(session, user, req, line, item, decision, attachments_dir)
        except ResponseError as exc:
            problems.extend(exc.problems)
            continue
        except ValidationError as exc:
            problems.extend(f"item {item.sequence}: {message}" for message in exc.errors.values())
            continue
        if changed:
            done.append(f"line {line.line_number} {item.action}")
    if problems:
        raise ResponseError(problems)
    summary = ", ".join(done) or "the case already shows these decisions"
    session.add(PasResponse(request_id=req.id, response_key=decision.key[:300], content_sha256=decision.sha256,
                            outcome=decision.outcome, summary=summary[:500], response_created=decision.created,
                            applied_at=utcnow(), applied_by_id=user.id))
    if done:
        add_event(session, req.id, EVENT_PAS_RESPONSE,
                  f"PAS response {decision.key or decision.sha256[:12]} applied: {summary}.", actor=user)
    session.flush()
    return (APPLIED if done else UNCHANGED), summary


def _check_matches(session: Session, req: AuthRequest, lines: dict[int, ServiceLine], decision: PasDecision) -> None:
    """Refuse a response for another Claim, another member, unknown lines, or older than one applied."""
    problems = []
    number = req.webcert_number
    reference = decision.request_reference
    if reference.startswith("urn:uuid:") and reference != claim_full_url(number):
        problems.append(f"its request reference {reference} is not the Claim AuthDesk exported for {number}")
    ours = {v.upper() for v in (req.member_id_entered, req.medicaid_id_entered) if v}
    if not decision.member_ids:
        problems.append("it names no member (ClaimResponse.patient has no identifier)")
    elif not decision.member_ids & ours:
        problems.append(f"its member is not the member of {number}")
    known = ", ".join(str(n) for n in sorted(lines)) or "none"
    for item in decision.items:
        if item.sequence not in lines:
            problems.append(f"item {item.sequence} is not a service line of {number} (its lines: {known})")
    if decision.created is not None:
        latest = session.execute(
            select(func.max(PasResponse.response_created)).where(PasResponse.request_id == req.id)
        ).scalar()
        if latest is not None and decision.created < latest:
            problems.append(f"it was created {decision.created:%Y-%m-%d %H:%M} UTC, before the response already "
                            f"applied to {number} ({latest:%Y-%m-%d %H:%M} UTC)")
    if problems:
        raise ResponseError(problems)


def _reject(session: Session, user: UserRecord, req: AuthRequest, decision: PasDecision,
            attachments_dir: Path | None) -> str:
    """An ``error`` outcome: the payer could not process the request, so the pending case is rejected."""
    why = "; ".join(decision.errors) or decision.disposition or "no reason given"
    reason = payer_text(f"The payer could not process the request: {why}."[: review.MAX_REASON_LENGTH], "the reason")
    review.reject_request(session, user, req.id, reason, attachments_dir=attachments_dir)
    session.add(PasResponse(request_id=req.id, response_key=decision.key[:300], content_sha256=decision.sha256,
                            outcome=decision.outcome, summary="rejected", response_created=decision.created,
                            applied_at=utcnow(), applied_by_id=user.id))
    add_event(session, req.id, EVENT_PAS_RESPONSE,
              f"PAS response {decision.key or decision.sha256[:12]} applied: rejected.", actor=user)
    session.flush()
    return "rejected"


def payer_text(text: str, label: str) -> str:
    """Text from a payer's file, through the same gate as typed text (no NUL or control characters).

    Raises:
        ResponseError: the text holds characters the database must not store.
    """
    try:
        return check_text(text, field="reason", max_length=review.MAX_REASON_LENGTH, label=label, multiline=True)
    except ValidationError as exc:
        raise ResponseError([str(exc)]) from None


def _take_authorization_number(session: Session, req: AuthRequest, decision: PasDecision) -> str:
    """Adopt the payer's authorization number (``preAuthRef``) when it differs; '' when unchanged."""
    number = decision.preauth_ref.strip()
    if not number or number == req.auth_number:
        return ""
    number = check_column(number, "auth_request", "auth_number", field="auth-number",
                          label="The payer's authorization number")
    taken = session.execute(
        select(AuthRequest.webcert_number).where(AuthRequest.auth_number == number, AuthRequest.id != req.id)
    ).scalar()
    if taken is not None:
        raise ResponseError([f"its authorization number {number} already belongs to another case"])
    previous = req.auth_number
    # a new version: a screen that shows the old number must reload (review's optimistic lock)
    bump_version(session, req, auth_number=number, updated_at=utcnow())
    add_event(session, req.id, EVENT_PAS_RESPONSE,
              f"Authorization number from the payer: {number}" + (f" (was {previous})." if previous else "."))
    return f"authorization number {number}"


def _dates(item: ItemDecision, decision: PasDecision, line: ServiceLine, req: AuthRequest) -> tuple[date, date]:
    start = item.from_date or decision.preauth_start or line.from_date or req.start_date
    end = item.to_date or decision.preauth_end or line.to_date or req.end_date
    return start, end


def _decide(session: Session, user: UserRecord, req: AuthRequest, line: ServiceLine, item: ItemDecision,
            decision: PasDecision, attachments_dir: Path | None) -> bool:
    """Give ``line`` the item's decision through review.decide_line; False when it already shows it."""
    status = item.status
    label = f"item {item.sequence}"
    reason = "; ".join(item.reasons)
    units = start = end = None
    code = None
    if status in review.GRANTING_OUTCOMES:
        units = item.units if item.units is not None else (line.requested_units if status != LineStatus.PARTIAL
                                                           else None)
        if units is None:
            raise ResponseError([f"{label} is partially certified (A2) without an authorized quantity"])
        start, end = _dates(item, decision, line, req)
        code = item.code if status == LineStatus.MODIFIED else None
    if status == LineStatus.DENIED and not reason:
        raise ResponseError([f"{label} is not certified (A3) without a reason code or note; "
                             "AuthDesk records every denial with its specific reason"])
    if status == LineStatus.PENDED and not reason:
        reason = PENDED_WITHOUT_REASON
    if item.review_number:
        reason = f"{reason} (payer review number {item.review_number})".strip()
    reason = payer_text(reason[: review.MAX_REASON_LENGTH], f"item {item.sequence}: the reason")
    authorized_code = code if code and code != line.code else None
    current = (LineStatus(line.status), line.authorized_units, line.authorized_from, line.authorized_to,
               line.authorized_code, line.decision_reason)
    if current == (status, units, start, end, authorized_code, reason):
        return False
    review.decide_line(session, user, req.id, line.id, status, units=units, from_date=start, to_date=end,
                       reason=reason, code=code, attachments_dir=attachments_dir)
    return True


def submit_to_payer(store, user: UserRecord, request_id: int, transport, *,
                    settings: PasSettings | None = None) -> FileResult:
    """Export case ``request_id``, ``$submit`` it through ``transport`` and apply the response it returns.

    The one function a live payer connection goes behind (see :mod:`store.fhir.transport`).

    Raises:
        TransportError: the payer could not be reached (nothing changed).
        The export's errors (see :func:`store.services.fhir_export.export_pas_bundle`).
    """
    from store.services.fhir_export import export_pas_bundle

    settings = settings or load_pas_settings()
    with store.session() as session:
        bundle = export_pas_bundle(session, user, request_id, settings=settings)
    answer = transport.submit(bundle)
    source = Path(f"{bundle['entry'][0]['resource']['identifier'][0]['value']}-response.json")
    try:
        decision = read_response_bundle(answer, settings)
    except ResponseError as exc:
        return FileResult(source, REFUSED, problems=exc.problems)
    return apply_in_transaction(store, user, decision, source)


__all__ = [
    "APPLIED",
    "EVENT_PAS_RESPONSE",
    "REFUSED",
    "UNCHANGED",
    "FileResult",
    "ImportReport",
    "apply_in_transaction",
    "apply_response",
    "import_decisions",
    "import_file",
    "response_files",
    "submit_to_payer",
]
