"""Export submitted requests as Da Vinci PAS 2.2.1 request Bundles (FHIR R4).

Entry points:

* :func:`export_pas_bundle` — one case as a checked Bundle (a JSON-ready dict).
* :func:`export_case_to_path` — one case written to a file or into a folder
  (what the case detail screen calls).
* :func:`export_batch` — every case a user may see with a status (and
  submitted since a date) into a folder, one file each (the CLI's batch).

Every Bundle is parsed back with ``fhir.resources`` and checked against the
PAS rules table (:mod:`store.fhir.rules`) before it is returned or written:
a Bundle that breaks a rule is never written. Clerks export only the cases
their organization may see (:func:`store.services.cases.get_case`). Nothing
here logs; errors name the WebCert number and the file, never the member.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import asc, select
from sqlmodel import Session

from store.enums import RequestStatus
from store.errors import InvalidTransitionError, NotFoundError, PermissionDeniedError, ValidationError
from store.fhir.settings import PasSettings, load_pas_settings
from store.models import AuthRequest, Coverage, Member, Organization, Provider
from store.records import UserRecord
from store.services.cases import get_case, visible_to
from store.services.permissions import SUBMITTED_STATUSES, CaseAction, facts_of_case, require
from store.types import utcnow

EXPORTABLE = SUBMITTED_STATUSES  # the statuses `authdesk export --pas` selects with "submitted"
FILE_SUFFIX = "-pas.json"


def _load_case(session: Session, user: UserRecord, request_id: int, settings: PasSettings):
    """Read everything the Bundle needs (the case, member, coverage, providers, files) in ``session``."""
    from store.fhir.case_data import PasCase, PasCoverage, PasDocument, PasMember, PasProvider
    from store.fhir.request import clinical_documents

    case = get_case(session, user, request_id)
    try:
        require(user, facts_of_case(case), CaseAction.EXPORT_PAS)
    except InvalidTransitionError:
        raise InvalidTransitionError(
            f"{case.draft_number} has not been submitted; only submitted requests can be exported."
        ) from None
    req = session.get(AuthRequest, request_id)
    member_row = session.get(Member, req.member_pk) if req.member_pk else None
    coverage_row = session.get(Coverage, req.coverage_id) if req.coverage_id else None
    organization = session.get(Organization, req.organization_id) if req.organization_id else None
    providers = {}
    for provider_id in {req.requesting_provider_id, req.servicing_provider_id, req.facility_provider_id} - {None}:
        row = session.get(Provider, provider_id)
        if row is not None:
            from store.services.cases import to_provider_record

            providers[row.id] = PasProvider(to_provider_record(row), phone=row.phone, fax=row.fax, address=row.address)
    documents = []
    for record in clinical_documents(case.attachments):
        try:
            content = Path(record.stored_path).read_bytes()
        except OSError as exc:
            raise ValidationError(
                f"{case.webcert_number}: the attachment {record.filename} cannot be read from the attachments "
                f"folder ({exc.strerror or exc}); nothing was exported.", field="fhir") from None
        documents.append(PasDocument(record, content))
    return PasCase(
        case=case,
        member=PasMember(member_row.first_name, member_row.last_name, member_row.birth_date, member_row.sex,
                         member_row.medicaid_id or "") if member_row else None,
        coverage=PasCoverage(coverage_row.plan_name, coverage_row.group_number, coverage_row.start_date,
                             coverage_row.end_date) if coverage_row else None,
        providers=providers,
        organization_code=organization.code if organization else "",
        organization_name=organization.name if organization else "",
        documents=tuple(documents),
        exported_at=utcnow(),
        settings=settings,
    )


def export_pas_bundle(session: Session, user: UserRecord, request_id: int, *,
                      settings: PasSettings | None = None) -> dict:
    """Case ``request_id`` as a PAS request Bundle, parsed back and checked against the PAS rules.

    Raises:
        NotFoundError / PermissionDeniedError: no such case, or another organization's.
        InvalidTransitionError: the request has not been submitted (draft, cancelled, expired).
        ValidationError: an attachment cannot be read, or the Bundle breaks a PAS rule (field ``fhir``).
    """
    from store.fhir.request import build_request_bundle
    from store.fhir.pas_rules import check_request_bundle

    pas = _load_case(session, user, request_id, settings or load_pas_settings())
    from store.services.audit import AuditAction, record

    record(session, AuditAction.EXPORTED_FHIR, user, request_id=request_id, detail="PAS request Bundle")
    bundle = build_request_bundle(pas)
    problems = check_request_bundle(bundle)
    if problems:
        number = pas.case.webcert_number
        raise ValidationError(f"{number}: the PAS Bundle breaks {len(problems)} rule(s): "
                              + "; ".join(str(p) for p in problems[:5]), field="fhir")
    return bundle


def write_json(bundle: dict, target: Path) -> Path:
    """Write ``bundle`` to ``target`` atomically (a ``.part`` file renamed), creating the folder.

    Raises:
        ValidationError: the folder or file cannot be written (field ``path``), one line.
    """
    target = Path(os.path.expanduser(str(target)))
    partial = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(bundle, indent=2, ensure_ascii=False), encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass
        raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}", field="path") from None
    return target


def export_case_to_path(store, user: UserRecord, request_id: int, path: str | Path, *,
                        settings: PasSettings | None = None) -> Path:
    """Export one case to ``path`` (a ``.json`` file, or a folder that gets ``<WebCert>-pas.json``).

    The entry point for the case detail screen's export key.

    Returns:
        The file written.

    Raises:
        The errors of :func:`export_pas_bundle` and :func:`write_json`.
    """
    with store.session() as session:
        bundle = export_pas_bundle(session, user, request_id, settings=settings)
        number = _webcert_of(bundle)
    target = Path(os.path.expanduser(str(path)))
    if target.is_dir() or target.suffix.lower() != ".json":
        target = target / f"{number}{FILE_SUFFIX}"
    return write_json(bundle, target)


def _webcert_of(bundle: dict) -> str:
    return bundle["entry"][0]["resource"]["identifier"][0]["value"]


def find_case_by_number(session: Session, user: UserRecord, number: str, *, drafts: bool = False) -> int:
    """The id of the case with WebCert number ``number`` (or draft number, with ``drafts``) ``user`` may see.

    Raises:
        NotFoundError: no such number, or another organization's case (the same message).
    """
    from sqlalchemy import or_

    from store.textgate import check_text

    number = check_text(number, field="number", max_length=16, label="The case number").upper()
    match = AuthRequest.webcert_number == number
    if drafts:
        match = or_(match, AuthRequest.draft_number == number)
    found = session.execute(select(AuthRequest.id).where(match, visible_to(user))).scalar()
    if found is None:
        raise NotFoundError(f"No case {number} is known here.")
    return found


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch export did: files written and, per WebCert number, why one was not."""

    written: tuple[Path, ...]
    failed: tuple[tuple[str, str], ...]


def cases_to_export(session: Session, user: UserRecord, statuses: Sequence[RequestStatus],
                    since: date | None = None) -> list[tuple[int, str]]:
    """(id, WebCert number) of the cases ``user`` may see with ``statuses``, submitted on or after ``since``."""
    where = [AuthRequest.status.in_([RequestStatus(s) for s in statuses]), visible_to(user),
             AuthRequest.webcert_number.is_not(None)]
    if since is not None:
        from datetime import UTC

        where.append(AuthRequest.submitted_at >= datetime.combine(since, time(0), tzinfo=UTC))
    rows = session.execute(
        select(AuthRequest.id, AuthRequest.webcert_number).where(*where)
        .order_by(asc(AuthRequest.submitted_at), asc(AuthRequest.id))
    ).all()
    return [(r.id, r.webcert_number) for r in rows]


def prepare_folder(folder: str | Path) -> Path:
    """``folder`` created if need be and writable.

    Raises:
        ValidationError: it cannot be created or written (field ``path``), one line.
    """
    target = Path(os.path.expanduser(str(folder)))
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}", field="path") from None
    if not os.access(target, os.W_OK | os.X_OK):
        raise ValidationError(f"Cannot write {target}: permission denied", field="path")
    return target


def export_batch(store, user: UserRecord, statuses: Sequence[RequestStatus], folder: str | Path, *,
                 since: date | None = None, settings: PasSettings | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> BatchResult:
    """Export every case ``user`` may see with ``statuses`` into ``folder`` (``<WebCert>-pas.json`` each).

    One case that cannot be exported (an unreadable attachment) is reported
    and the others still are; an unwritable folder stops the batch at once.
    ``progress(done, total, webcert_number)`` is called after each case.

    Raises:
        ValidationError: the folder cannot be created or written (field ``path``).
    """
    settings = settings or load_pas_settings()
    target = prepare_folder(folder)
    with store.session() as session:
        todo = cases_to_export(session, user, statuses, since)
    written, failed = [], []
    for done, (request_id, number) in enumerate(todo, start=1):
        try:
            with store.session() as session:
                bundle = export_pas_bundle(session, user, request_id, settings=settings)
        except (ValidationError, InvalidTransitionError, NotFoundError, PermissionDeniedError) as exc:
            failed.append((number, str(exc)))
        else:
            written.append(write_json(bundle, target / f"{number}{FILE_SUFFIX}"))
        if progress is not None:
            progress(done, len(todo), number)
    return BatchResult(tuple(written), tuple(failed))


__all__ = [
    "EXPORTABLE",
    "BatchResult",
    "cases_to_export",
    "export_batch",
    "export_case_to_path",
    "export_pas_bundle",
    "find_case_by_number",
    "prepare_folder",
    "write_json",
]
