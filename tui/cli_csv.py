"""CSV on the command line, with progress bars on standard error.

    authdesk import members|providers FILE.csv
    authdesk export csv -o FILE.csv --user NAME [--status S ...] [--filter TEXT]

The export writes what the dashboard's ``e`` writes (the same columns and
visibility: a clerk gets their organization's cases), for every status asked.
"""

from __future__ import annotations

from pathlib import Path

from tui.progress import progress_bar

CSV_STATUSES = ("draft", "pending", "rejected", "accepted", "expired", "cancelled")


def add_csv_export_parser(export_sub) -> None:
    """``authdesk export csv …`` beside ``export pas``."""
    from tui.cli_pas import add_sign_in_arguments

    csv = export_sub.add_parser("csv", help="the case list as CSV (what the dashboard's e writes)")
    csv.add_argument("-o", "--output", required=True, metavar="FILE", help="the CSV file to write")
    csv.add_argument("--status", action="append", choices=CSV_STATUSES,
                     help="cases with this status (repeat for more; default: every status)")
    csv.add_argument("--filter", default="", metavar="TEXT", help="member name, ID or number, as the dashboard's /")
    add_sign_in_arguments(csv)


def run_csv_import(args, store, error) -> int:
    """``authdesk import members|providers FILE.csv``: one bar per stage (rows checked, rows written)."""
    from store.errors import ValidationError
    from store.services.directory import import_members, import_providers

    load = import_members if args.what == "members" else import_providers
    bar = None  # started at the first rows read: a file refused at once prints one line only
    tasks: dict[str, int] = {}

    def progress(done: int, total: int, what: str) -> None:
        nonlocal bar
        if bar is None:
            bar = progress_bar(f"Importing {args.what}:")
            bar.start()
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total)
        bar.update(tasks[what], completed=done, total=total)

    try:
        with store.session() as session:
            report = load(session, Path(args.file), progress=progress)
    except ValidationError as exc:
        raise error(str(exc)) from None
    finally:
        if bar is not None:
            bar.stop()
    print(f"Imported {args.what}: {report}")
    return 0


def run_csv_export(args, store, error) -> int:
    """``authdesk export csv``: every case the user may see with the statuses asked, with a progress bar."""
    from store.enums import RequestStatus
    from store.errors import ValidationError
    from store.services.cases import count_by_status
    from store.services.export import export_rows_csv
    from tui.cli_pas import sign_in_from_args

    statuses = [RequestStatus(s) for s in (args.status or CSV_STATUSES)]
    user = sign_in_from_args(store, args, error)
    with store.session() as session:
        counts = count_by_status(session, user, args.filter)
    total = sum(counts.get(status, 0) for status in statuses)
    with progress_bar("Exporting cases") as progress:
        task = progress.add_task("", total=total)
        try:
            with store.session() as session:
                rows = export_rows_csv(session, user, statuses, args.filter, "updated", args.output,
                                       progress=lambda done: progress.update(task, completed=done))
        except ValidationError as exc:
            progress.stop()
            raise error(str(exc)) from None
    print(f"Wrote {rows:,} cases to {args.output}")
    return 0


__all__ = ["add_csv_export_parser", "run_csv_export", "run_csv_import"]
