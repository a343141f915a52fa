"""Export a dashboard list (every matching row, not just the page) to CSV."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import asc, desc, select
from sqlmodel import Session

from store.enums import RequestKind, RequestStatus, Urgency
from store.errors import ValidationError
from store.models import AuthRequest
from store.records import UserRecord
from store.services.cases import ROW_COLUMNS as _ROW_COLUMNS
from store.services.cases import SORT_COLUMNS, filter_condition, visible_to
from store.services.cases import status_list as _statuses
from store.services.cases import to_request_row as _row

CSV_COLUMNS = (
    "draft_number",
    "webcert_number",
    "auth_number",
    "member_id",
    "member_name",
    "kind",
    "status",
    "urgency",
    "start_date",
    "end_date",
    "updated_at",
    "expires_at",
    "decision_due_at",
    "submitted_at",
    "decided_at",
)
BATCH = 2000
# A cell starting with one of these is read as a formula by spreadsheets
# (CSV injection, OWASP): it is written with a leading apostrophe instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as CSV text that no spreadsheet runs as a formula.

    ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``: shown as typed, never run.
    """
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, RequestKind | RequestStatus | Urgency):
        return value.label if hasattr(value, "label") else value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def export_rows_csv(
    session: Session,
    user: UserRecord,
    status: RequestStatus | Sequence[RequestStatus],
    text: str,
    sort: str,
    path: str | Path,
    *,
    descending: bool = True,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write every request ``user`` may see with ``status`` and ``text`` to ``path``.

    Rows are streamed from the database in batches in the dashboard's order,
    so 100,000 rows never sit in memory at once. Times are ISO 8601 UTC.
    Cells that a spreadsheet would run as a formula are neutralised
    (:func:`safe_cell`), and the export is put in the audit log.
    ``progress(rows_written)`` is called after every batch and at the end.

    Returns:
        The number of rows written.

    Raises:
        ValidationError: the file cannot be written (field ``path``).
    """
    from store.services.audit import AuditAction, record
    from store.textgate import check_search

    text = check_search(text, field="filter", label="The filter")
    target = Path(os.path.expanduser(str(path)))
    where = [AuthRequest.status.in_(_statuses(status)), visible_to(user)]
    if text.strip():
        where.append(filter_condition(text))
    column = SORT_COLUMNS.get(sort, AuthRequest.updated_at)
    order = desc(column) if descending else asc(column)
    query = select(*_ROW_COLUMNS).where(*where).order_by(order, desc(AuthRequest.id))
    partial = target.with_name(target.name + ".part")
    written = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            result = session.execute(query.execution_options(yield_per=BATCH))
            for raw in result:
                row = _row(raw)
                writer.writerow([safe_cell(cell) for cell in (
                    row.draft_number,
                    row.webcert_number or "",
                    row.auth_number or "",
                    row.member_id,
                    row.member_name,
                    _text(RequestKind(row.kind)),
                    _text(RequestStatus(row.status)),
                    Urgency(row.urgency).value,
                    row.start_date,
                    row.end_date,
                    row.updated_at,
                    row.expires_at,
                    row.decision_due_at,
                    row.submitted_at,
                    row.decided_at,
                )])
                written += 1
                if progress is not None and written % BATCH == 0:
                    progress(written)
        partial.replace(target)
        if progress is not None:
            progress(written)
    except OSError as exc:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass
        raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}", field="path") from exc
    statuses = ", ".join(s.value for s in _statuses(status))
    record(session, AuditAction.EXPORTED_CSV, user, detail=f"dashboard list ({statuses}): {written} rows")
    return written


__all__ = ["CSV_COLUMNS", "FORMULA_STARTS", "export_rows_csv", "safe_cell"]
