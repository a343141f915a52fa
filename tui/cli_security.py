"""Command-line pieces of issue 9: ``authdesk audit``, the last-resort error line.

Kept apart from :mod:`tui.__main__` (shared by every team) so that file only
calls in.
"""

from __future__ import annotations

import sys


def add_audit_parser(sub) -> None:
    """``authdesk audit --since DATE [--action A] [--user NAME] [--case NUMBER] [--csv FILE]``."""
    from store.services.audit import AuditAction

    audit = sub.add_parser("audit", help="print the audit log (who did what to which case, when)")
    audit.add_argument("--since", required=True, metavar="DATE",
                       help="YYYY-MM-DD (UTC midnight), an ISO time, or 7d / 24h ago")
    audit.add_argument("--until", metavar="DATE", help="up to (not including) this date or time")
    audit.add_argument("--action", choices=[a.value for a in AuditAction], help="only this kind of event")
    audit.add_argument("--user", metavar="NAME", help="only this username")
    audit.add_argument("--case", metavar="NUMBER", help="only this case number (D-…, WC-…, SP…/IP…)")
    audit.add_argument("--csv", metavar="FILE", help="write CSV to FILE instead of printing")


def run_audit(args, store, command_error) -> int:
    """Print (or write as CSV) the audit events the arguments select, oldest first."""
    from store.errors import ValidationError
    from store.services.audit import export_events_csv, iter_events, parse_since

    try:
        filters = {
            "since": parse_since(args.since),
            "until": parse_since(args.until) if args.until else None,
            "action": args.action or "",
            "username": args.user or "",
            "case_number": args.case or "",
        }
        with store.session() as session:
            if args.csv:
                written = export_events_csv(session, None, args.csv, **filters)
                print(f"{written:,} audit events written to {args.csv}")
                return 0
            shown = 0
            for event in iter_events(session, None, **filters):
                print("  ".join((f"{event.at:%Y-%m-%d %H:%M:%S}Z", f"{event.action:<15}", f"{event.username:<16}",
                                 f"{event.organization or '-':<8}", f"{event.case_number or '-':<11}",
                                 event.detail)).rstrip())
                shown += 1
    except ValidationError as exc:
        raise command_error(str(exc)) from None
    print(f"{shown:,} event{'s' if shown != 1 else ''}", file=sys.stderr)
    return 0
