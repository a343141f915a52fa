"""Dashboard lists, counts, the Take action panel and case detail."""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import timedelta
from itertools import islice
from weakref import WeakKeyDictionary

from sqlalchemy import and_, asc, desc, exists, func, literal, select, tuple_
from sqlmodel import Session

from store.enums import RequestStatus
from store.listing import NOBODY, PLAN_AUDIENCE, SORT_KEYS
from store.errors import NotFoundError, NotVisibleError
from store.models import (
    Attachment,
    AuthRequest,
    CaseCount,
    CaseEvent,
    CaseListing,
    CaseNameCount,
    Coverage,
    DiagnosisLine,
    Member,
    Provider,
    RequestOrganization,
    ServiceLine,
    User,
)
from store.records import (
    AttachmentRecord,
    CaseDetail,
    DiagnosisRecord,
    EventRecord,
    ProviderRecord,
    RequestPage,
    RequestRow,
    ServiceLineRecord,
    UserRecord,
)
from store.services.textmatch import ALL_STATUSES, NameMatch, name_only_words, text_condition
from store.types import utcnow

PAGE_SIZE = 50
EXPIRING_WITHIN = timedelta(hours=24)

# Dashboard column key -> the column it sorts by.
SORT_COLUMNS = {
    "number": AuthRequest.draft_number,
    "webcert": AuthRequest.webcert_number,
    "auth": AuthRequest.auth_number,
    "member": AuthRequest.member_name,
    "member_id": AuthRequest.member_id_entered,
    "kind": AuthRequest.kind,
    "start": AuthRequest.start_date,
    "urgency": AuthRequest.urgency,
    "status": AuthRequest.status,
    "updated": AuthRequest.updated_at,
    "expires": AuthRequest.expires_at,
    "due": AuthRequest.decision_due_at,
    "submitted": AuthRequest.submitted_at,
    "decided": AuthRequest.decided_at,
}

_ROW_COLUMNS = (
    AuthRequest.id,
    AuthRequest.kind,
    AuthRequest.status,
    AuthRequest.draft_number,
    AuthRequest.webcert_number,
    AuthRequest.auth_number,
    AuthRequest.member_id_entered,
    AuthRequest.member_name,
    AuthRequest.start_date,
    AuthRequest.end_date,
    AuthRequest.urgency,
    AuthRequest.updated_at,
    AuthRequest.expires_at,
    AuthRequest.decision_due_at,
    AuthRequest.submitted_at,
    AuthRequest.decided_at,
    # Who started the request (one primary-key look-up per row of the page).
    select(func.coalesce(func.nullif(User.full_name, ""), User.username))
    .where(User.id == AuthRequest.created_by_id)
    .correlate(AuthRequest)
    .scalar_subquery()
    .label("started_by"),
)


def visible_to(user: UserRecord):
    """SQL condition: requests ``user`` may see.

    Clerks see requests their organization owns or is associated with as a
    requesting, servicing or facility provider; the plan's reviewers and
    administrators see every request.
    """
    if user.is_reviewer:
        return and_(True)
    return exists().where(
        RequestOrganization.request_id == AuthRequest.id,
        RequestOrganization.organization_id == user.organization_id,
    )


def audience_of(user: UserRecord) -> int:
    """The ``case_listing.audience_id`` whose rows ``user`` sees (see :mod:`store.listing`)."""
    if user.is_reviewer:
        return PLAN_AUDIENCE
    return user.organization_id if user.organization_id is not None else NOBODY


def filter_condition(text: str, id_column=None):
    """SQL condition for the dashboard filter box: exact numbers and IDs, or words of the member name.

    Routed by :func:`store.services.textmatch.route`: number- and ID-shaped
    text is looked up exactly through its index, words through the name
    search index. ``id_column`` is the case id the condition tests (default
    ``auth_request.id``).

    Raises:
        ValidationError: a NUL or control character, or more than
            :data:`store.textgate.MAX_SEARCH_LENGTH` characters (field ``filter``).
    """
    from store.textgate import check_search

    text = check_search(text, field="filter", label="The filter")
    condition = text_condition(text, id_column)
    return and_(True) if condition is None else condition


class _Filter:
    """The filter box as the listing queries use it.

    ``condition`` is the listing's SQL condition (None without a filter).
    ``words`` are set when the filter is only words of a member name: then
    counts are sums of the per-name counters (``case_name_count``) and each
    page query picks its plan from how many cases match (:meth:`matched`).

    Raises:
        ValidationError: a NUL or control character, or an over-long filter (field ``filter``).
    """

    def __init__(self, text: str) -> None:
        from store.textgate import check_search

        text = check_search(text, field="filter", label="The filter")
        self.condition = text_condition(text, _LISTING.c.request_id, _LISTING.c.member_name) if text else None
        self.words = name_only_words(text) if self.condition is not None else None
        self._matched: dict[int, dict[str, int]] = {}

    def matched(self, session: Session, audience: int) -> dict[str, int]:
        """Status -> how many of ``audience``'s cases the name filter matches (from the counters)."""
        if audience not in self._matched:
            rows = session.execute(
                select(CaseNameCount.status, func.sum(CaseNameCount.n))
                .where(CaseNameCount.audience_id == audience, NameMatch(CaseNameCount.name, self.words))
                .group_by(CaseNameCount.status)
            ).all()
            self._matched[audience] = {status: int(n) for status, n in rows if n}
        return self._matched[audience]

    def first_names(self, session: Session, audience: int, status: RequestStatus, descending: bool,
                    seek: tuple | None, needed: int) -> list[str]:
        """The matching names in name order (from ``seek``'s name on) that hold the next ``needed`` cases."""
        counted = func.sum(CaseNameCount.n)
        query = (
            select(CaseNameCount.name, counted)
            .where(CaseNameCount.audience_id == audience, CaseNameCount.status == status.value,
                   NameMatch(CaseNameCount.name, self.words))
            .group_by(CaseNameCount.name)
            .having(counted > 0)
            .order_by(desc(CaseNameCount.name) if descending else asc(CaseNameCount.name))
        )
        if seek is not None:
            query = query.where(CaseNameCount.name <= seek[0] if descending else CaseNameCount.name >= seek[0])
        names: list[str] = []
        found = 0
        for name, n in session.execute(query):
            names.append(name)
            if seek is None or name != seek[0]:  # the seek's own name: some of its cases are behind
                found += int(n)
            if found >= needed:
                break
        return names


def build_search_text(*parts: str | None) -> str:
    """Lowercased text the filter searches: member name, IDs and numbers."""
    return " ".join(p.lower() for p in parts if p)[:400]


def _statuses(status: RequestStatus | Iterable[RequestStatus]) -> list[RequestStatus]:
    if isinstance(status, RequestStatus | str):
        return [RequestStatus(status)]
    return [RequestStatus(s) for s in status]


_LISTING = CaseListing.__table__
# Where each query has been: (engine) -> (query) -> {row position: (sort value, request id)},
# so that the next or previous page seeks from a known row instead of counting rows with OFFSET.
_POSITIONS: WeakKeyDictionary = WeakKeyDictionary()
_QUERIES_KEPT = 64
_POSITIONS_KEPT = 256
_MERGE_SKIP_MAX = 2000  # deeper jumps over several statuses sort in SQL instead


def _positions_for(session: Session, query_key: tuple) -> dict[int, tuple]:
    engine = session.get_bind()
    queries = _POSITIONS.get(engine)
    if queries is None:
        queries = _POSITIONS[engine] = OrderedDict()
    positions = queries.get(query_key)
    if positions is None:
        positions = queries[query_key] = {}
        while len(queries) > _QUERIES_KEPT:
            queries.popitem(last=False)
    else:
        queries.move_to_end(query_key)
    return positions


def list_requests(
    session: Session,
    user: UserRecord,
    status: RequestStatus | Sequence[RequestStatus],
    *,
    text: str = "",
    sort: str = "updated",
    descending: bool = True,
    offset: int = 0,
    limit: int = PAGE_SIZE,
    total: int | None = None,
) -> RequestPage:
    """One page of the requests ``user`` may see with the given status(es).

    Read from ``case_listing`` through its (audience, status, sort column)
    index (:mod:`store.listing`). Paging is by key: a page next to one served
    before seeks from that page's first or last row, so page 5,000 costs what
    page 1 costs; a jump to a page never seen counts rows from the nearer end.
    Without a filter the total comes from the per-status counters; a known
    ``total`` (from the tab counts) skips even that.
    """
    statuses = _statuses(status)
    audience = audience_of(user)
    key_name = SORT_KEYS.get(sort, "updated_at")
    filt = _Filter(text)
    if total is None:
        total = _count(session, audience, statuses, filt)
    offset = max(0, min(offset, max(0, total - 1) // limit * limit)) if total else 0
    if not total:
        return RequestPage(rows=(), total=total, offset=0, limit=limit)
    query_key = (audience, tuple(statuses), " ".join(text.lower().split()), key_name, descending)
    positions = _positions_for(session, query_key)
    keys = _page_keys(session, audience, statuses, filt, key_name, descending, offset, limit, total,
                      positions)
    if keys:
        positions[offset] = keys[0]
        positions[offset + len(keys) - 1] = keys[-1]
        while len(positions) > _POSITIONS_KEPT:
            positions.pop(next(iter(positions)))
    ids = [request_id for _, request_id in keys]
    found = {r.id: r for r in session.execute(select(*_ROW_COLUMNS).where(AuthRequest.id.in_(ids))).all()}
    rows = tuple(_row(found[i]) for i in ids if i in found)
    return RequestPage(rows=rows, total=total, offset=offset, limit=limit)


def _count(session: Session, audience: int, statuses: list[RequestStatus], filt: _Filter) -> int:
    if filt.condition is None:
        return _status_total(session, audience, statuses)
    if filt.words:
        matched = filt.matched(session, audience)
        return sum(matched.get(s.value, 0) for s in statuses)
    return session.execute(
        select(func.count()).select_from(_LISTING).where(
            _LISTING.c.audience_id == audience, _LISTING.c.status.in_([s.value for s in statuses]), filt.condition
        )
    ).scalar_one()


def _status_total(session: Session, audience: int, statuses: list[RequestStatus]) -> int:
    """How many cases ``audience`` has in ``statuses`` (the per-status counters)."""
    return session.execute(
        select(func.coalesce(func.sum(CaseCount.n), 0)).where(
            CaseCount.audience_id == audience, CaseCount.status.in_([s.value for s in statuses])
        )
    ).scalar_one()


def _page_keys(session, audience, statuses, filt, key_name, descending, offset, limit, total, positions):
    """(sort value, request id) of the page's rows, in order."""
    key = _LISTING.c[key_name]
    seek = None
    forward = True
    skip = offset
    take = limit
    if offset == 0:
        skip = 0
    elif offset - 1 in positions:
        seek, skip = positions[offset - 1], 0
    elif offset + limit in positions:
        seek, skip, forward = positions[offset + limit], 0, False
    elif offset > total // 2:
        # nearer the end: count from there, in the opposite order
        forward = False
        take = min(limit, total - offset)
        skip = max(0, total - offset - take)
    keys = _ordered_keys(session, audience, statuses, filt, key, descending == forward, seek, skip, take)
    if not forward:
        keys.reverse()
    return keys


def _ordered_keys(session, audience, statuses, filt, key, descending, seek, skip, take):
    """Up to ``take`` (value, id) pairs after ``seek`` (or after ``skip`` rows) in the given order."""
    ident = _LISTING.c.request_id
    order = (desc(key), desc(ident)) if descending else (asc(key), asc(ident))

    def query(status_condition, limit, offset=0, status=None):
        q = select(key, ident).where(_LISTING.c.audience_id == audience, status_condition)
        condition = filt.condition
        if filt.words and status is not None:
            matched = filt.matched(session, audience).get(status.value, 0)
            if not matched:
                return []
            if key is _LISTING.c.member_name:
                # Sorted by name: only the first matching names, enough for this page, are read.
                names = filt.first_names(session, audience, status, descending, seek, offset + limit)
                condition = _LISTING.c.member_name.in_(names)
            elif matched * matched > (offset + limit) * _status_total(session, audience, [status]):
                # A common name: walk the sort column's index and keep the rows of matching names
                # (about (offset + limit) / share rows read); the name index is kept out of the plan.
                condition = NameMatch(_LISTING.c.member_name + "", filt.words)
            # otherwise a rare name: read its cases through the name index and sort those
        if condition is not None:
            q = q.where(condition)
        if seek is not None:
            bound = tuple_(literal(seek[0], key.type), literal(seek[1], ident.type))
            q = q.where(tuple_(key, ident) < bound if descending else tuple_(key, ident) > bound)
        q = q.order_by(*order).limit(limit)
        if offset:
            q = q.offset(offset)
        return [tuple(r) for r in session.execute(q).all()]

    if len(statuses) == 1:
        return query(_LISTING.c.status == statuses[0].value, take, skip, statuses[0])
    if skip > _MERGE_SKIP_MAX:
        return query(_LISTING.c.status.in_([s.value for s in statuses]), take, skip)
    # One index range per status, merged: the database never sorts the union.
    runs = [query(_LISTING.c.status == s.value, skip + take, status=s) for s in statuses]
    merged = heapq.merge(*runs, reverse=descending)
    return list(islice(merged, skip, skip + take))


def _row(r) -> RequestRow:
    return RequestRow(
        id=r.id,
        kind=r.kind,
        status=r.status,
        draft_number=r.draft_number,
        webcert_number=r.webcert_number,
        auth_number=r.auth_number,
        member_id=r.member_id_entered,
        member_name=r.member_name,
        start_date=r.start_date,
        end_date=r.end_date,
        urgency=r.urgency,
        updated_at=r.updated_at,
        expires_at=r.expires_at,
        decision_due_at=r.decision_due_at,
        submitted_at=r.submitted_at,
        decided_at=r.decided_at,
        started_by=getattr(r, "started_by", None) or "",
    )


def count_by_status(session: Session, user: UserRecord, text: str = "") -> dict[RequestStatus, int]:
    """How many visible requests are in each status (for the tab labels).

    Without a filter: the per-status counters (:mod:`store.listing`), a few
    rows whatever the number of cases; filtered by a name: the per-name
    counters of the matching names; with a number: the matching cases only.
    """
    audience = audience_of(user)
    filt = _Filter(text)
    condition = filt.condition
    if condition is None:
        result = session.execute(
            select(CaseCount.status, func.sum(CaseCount.n))
            .where(CaseCount.audience_id == audience)
            .group_by(CaseCount.status)
        ).all()
    elif filt.words:  # only a name: the per-name counters
        result = filt.matched(session, audience).items()
    else:
        result = session.execute(
            select(_LISTING.c.status, func.count())
            .where(_LISTING.c.audience_id == audience, _LISTING.c.status.in_(ALL_STATUSES), condition)
            .group_by(_LISTING.c.status)
        ).all()
    counts = {status: 0 for status in RequestStatus}
    for status, n in result:
        try:
            counts[RequestStatus(status)] = int(n)
        except ValueError:
            continue  # a status from a newer release
    return counts


def expiring_drafts(
    session: Session, user: UserRecord, within: timedelta = EXPIRING_WITHIN, limit: int = 20
) -> list[RequestRow]:
    """Drafts that expire within ``within`` (the Take action panel), soonest first."""
    now = utcnow()
    ids = list(
        session.execute(
            select(_LISTING.c.request_id)
            .where(
                _LISTING.c.audience_id == audience_of(user),
                _LISTING.c.status == RequestStatus.DRAFT.value,
                _LISTING.c.expires_at > now,
                _LISTING.c.expires_at <= now + within,
            )
            .order_by(asc(_LISTING.c.expires_at), asc(_LISTING.c.request_id))
            .limit(limit)
        ).scalars()
    )
    found = {r.id: r for r in session.execute(select(*_ROW_COLUMNS).where(AuthRequest.id.in_(ids))).all()}
    return [_row(found[i]) for i in ids if i in found]


def can_see(session: Session, user: UserRecord, request_id: int) -> bool:
    """Whether ``user`` may see request ``request_id``."""
    found = session.execute(
        select(AuthRequest.id).where(AuthRequest.id == request_id, visible_to(user))
    ).first()
    return found is not None


def _provider(session: Session, provider_id: int | None) -> ProviderRecord | None:
    if provider_id is None:
        return None
    p = session.get(Provider, provider_id)
    return to_provider_record(p) if p else None


def to_provider_record(p: Provider) -> ProviderRecord:
    """Convert a Provider row."""
    return ProviderRecord(
        id=p.id,
        npi=p.npi,
        provider_number=p.provider_number,
        name=p.name,
        specialty=p.specialty,
        is_facility=p.is_facility,
        organization_id=p.organization_id,
    )


def get_case(session: Session, user: UserRecord, request_id: int) -> CaseDetail:
    """Everything request ``request_id`` holds, if ``user`` may see it."""
    req = session.get(AuthRequest, request_id)
    if req is None:
        raise NotFoundError(f"No case #{request_id}.")
    if not can_see(session, user, request_id):
        raise NotVisibleError(f"No case #{request_id}.")  # another organization's: read as missing
    return case_detail(session, req)


def case_detail(session: Session, req: AuthRequest) -> CaseDetail:
    """Convert a request and its children to a CaseDetail (inside the session)."""
    member = session.get(Member, req.member_pk) if req.member_pk else None
    coverage = session.get(Coverage, req.coverage_id) if req.coverage_id else None
    creator = session.get(User, req.created_by_id) if req.created_by_id else None
    diagnoses = session.execute(
        select(DiagnosisLine).where(DiagnosisLine.request_id == req.id).order_by(DiagnosisLine.position)
    ).scalars()
    lines = session.execute(
        select(ServiceLine).where(ServiceLine.request_id == req.id).order_by(ServiceLine.line_number)
    ).scalars()
    attachments = session.execute(
        select(Attachment).where(Attachment.request_id == req.id).order_by(Attachment.added_at, Attachment.id)
    ).scalars()
    events = session.execute(
        select(CaseEvent).where(CaseEvent.request_id == req.id).order_by(CaseEvent.at, CaseEvent.id)
    ).scalars()
    return CaseDetail(
        id=req.id,
        kind=req.kind,
        status=req.status,
        version=req.version,
        draft_number=req.draft_number,
        webcert_number=req.webcert_number,
        auth_number=req.auth_number,
        member_id=req.member_id_entered,
        medicaid_id=req.medicaid_id_entered,
        member_name=req.member_name,
        member_birth_date=member.birth_date if member else None,
        member_sex=member.sex if member else "",
        plan_name=coverage.plan_name if coverage else "",
        coverage_order=coverage.order if coverage else "",
        requesting_provider=_provider(session, req.requesting_provider_id),
        servicing_provider=_provider(session, req.servicing_provider_id),
        facility_provider=_provider(session, req.facility_provider_id),
        care_setting=req.care_setting,
        category=req.category,
        treatment_type=req.treatment_type,
        place_of_service=req.place_of_service,
        start_date=req.start_date,
        end_date=req.end_date,
        admitted_via_er=req.admitted_via_er,
        admission_at=req.admission_at,
        mother_member_id=req.mother_member_id,
        delivery_date=req.delivery_date,
        delivery_type=req.delivery_type,
        birth_weight_grams=req.birth_weight_grams,
        nicu=req.nicu,
        urgency=req.urgency,
        requested_urgency=req.requested_urgency,
        expedited_reasons=tuple(req.expedited_reasons or ()),
        benefits_reference=req.benefits_reference,
        contact_name=req.contact_name,
        contact_phone=req.contact_phone,
        contact_phone_ext=req.contact_phone_ext,
        contact_fax=req.contact_fax,
        contact_email=req.contact_email,
        reject_reason=req.reject_reason,
        created_by_name=(creator.full_name or creator.username) if creator else "",
        created_by_id=req.created_by_id,
        created_at=req.created_at,
        updated_at=req.updated_at,
        expires_at=req.expires_at,
        submitted_at=req.submitted_at,
        decision_due_at=req.decision_due_at,
        decided_at=req.decided_at,
        wizard_step=req.wizard_step,
        form_state=dict(req.form_state or {}),
        diagnoses=tuple(
            DiagnosisRecord(code=d.code, description=d.description, is_primary=d.is_primary)
            for d in diagnoses
        ),
        lines=tuple(to_line_record(line) for line in lines),
        attachments=tuple(to_attachment_record(a) for a in attachments),
        events=tuple(
            EventRecord(at=e.at, actor_name=e.actor_name, event=e.event, detail=e.detail) for e in events
        ),
        newborn_member_id=req.newborn_member_id or "",
        newborn_first_name=req.newborn_first_name or "",
        newborn_last_name=req.newborn_last_name or "",
        newborn_sex=req.newborn_sex or "",
        newborn_birth_date=req.newborn_birth_date,
    )


def to_line_record(line: ServiceLine) -> ServiceLineRecord:
    """Convert a ServiceLine row."""
    return ServiceLineRecord(
        id=line.id,
        line_number=line.line_number,
        code=line.code,
        code_type=line.code_type,
        description=line.description,
        modifiers=tuple(line.modifier.split()),
        from_date=line.from_date,
        to_date=line.to_date,
        requested_units=line.requested_units,
        status=line.status,
        authorized_units=line.authorized_units,
        authorized_from=line.authorized_from,
        authorized_to=line.authorized_to,
        decision_reason=line.decision_reason,
        clinical_outcome=line.clinical_outcome,
        clinical_answers=dict(line.clinical_answers or {}),
        authorized_code=line.authorized_code,
        information_received_at=line.information_received_at,
    )


def to_attachment_record(a: Attachment) -> AttachmentRecord:
    """Convert an Attachment row."""
    return AttachmentRecord(
        id=a.id,
        kind=a.kind,
        filename=a.filename,
        media_type=a.media_type,
        size_bytes=a.size_bytes,
        sha256=a.sha256,
        stored_path=a.stored_path,
        added_at=a.added_at,
    )


def overdue(row_due, now=None) -> bool:
    """Whether a decision-due time has passed."""
    return row_due is not None and row_due < (now or utcnow())


# Public names for the request-row builder that review, search and export share.
ROW_COLUMNS = _ROW_COLUMNS
to_request_row = _row
status_list = _statuses

__all__ = [
    "PAGE_SIZE",
    "ROW_COLUMNS",
    "status_list",
    "to_request_row",
    "audience_of",
    "build_search_text",
    "can_see",
    "count_by_status",
    "expiring_drafts",
    "get_case",
    "list_requests",
]
