"""How dates, times, kinds and statuses read on the dashboard and the case screens.

Times are stored as UTC instants and shown in the clerk's local time zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from store.enums import RequestKind, RequestStatus, Urgency
from store.formats import format_date, format_local_datetime

KIND_SHORT = {
    RequestKind.INPATIENT: "Inpatient",
    RequestKind.SERVICE: "Service",
    RequestKind.EMERGENT_ADMISSION: "ER admit",
    RequestKind.NEWBORN: "Newborn",
}
STATUS_SHORT = {
    RequestStatus.DRAFT: "Draft",
    RequestStatus.PENDING: "Pending",
    RequestStatus.REJECTED: "Rejected",
    RequestStatus.ACCEPTED: "Accepted",
    RequestStatus.EXPIRED: "Expired",
    RequestStatus.CANCELLED: "Cancelled",
}
URGENCY_SHORT = {Urgency.STANDARD: "Standard", Urgency.EXPEDITED: "Expedited"}


def fmt_date(value: date | None) -> str:
    """``03/09/2026`` (US style, as the seeds' forms), or an empty string."""
    return format_date(value)


def fmt_short_date(value: date | None) -> str:
    """``03/09/26``."""
    return value.strftime("%m/%d/%y") if value else ""


def fmt_dates(start: date | None, end: date | None) -> str:
    """A service period, ``03/09/26–03/12/26`` (one date when start = end)."""
    if start is None:
        return ""
    if end is None or end == start:
        return fmt_short_date(start)
    return f"{fmt_short_date(start)}–{fmt_short_date(end)}"


def fmt_datetime(value: datetime | None) -> str:
    """``03/02/2026 14:30`` in local time, or an empty string."""
    return format_local_datetime(value)


def fmt_span(delta: timedelta) -> str:
    """A duration in the two largest units: ``2d 4h``, ``5h 12m``, ``7m``."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"


def fmt_ago(value: datetime | None, now: datetime) -> str:
    """``5h ago`` within a week, else the date (``11/03/25``)."""
    if value is None:
        return ""
    delta = now - value
    if delta < timedelta(minutes=1):
        return "just now"
    if delta < timedelta(days=7):
        return f"{fmt_span(delta).split(' ')[0]} ago"
    return fmt_short_date(value.astimezone().date())


def fmt_until(value: datetime | None, now: datetime) -> tuple[str, bool]:
    """(``in 5h 12m`` or ``2d 4h overdue``, whether it has passed)."""
    if value is None:
        return "", False
    if value >= now:
        return f"in {fmt_span(value - now)}", False
    return f"{fmt_span(now - value)} overdue", True


def fmt_size(size: int) -> str:
    """``12.3 KB``: the store's one size format (:func:`store.formats.size_label`)."""
    from store.formats import size_label

    return size_label(size)


def fmt_count(n: int) -> str:
    """``100,000``."""
    return f"{n:,}"
