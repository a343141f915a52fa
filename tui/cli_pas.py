"""The ``authdesk export pas`` and ``authdesk import decisions`` commands (Da Vinci PAS).

    authdesk export pas WC-0001234 [-o FILE|DIR] --user NAME
    authdesk export pas --status pending [--since DATE] -o DIR --user NAME
    authdesk import decisions FILE.json|DIR --user NAME

The user signs in (password prompted, or ``--password-stdin``): a clerk
exports only what their organization may see; importing decisions is the
plan reviewer's work. Progress bars go to standard error; every problem is one
line; nothing about members is printed beyond what the files already hold.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tui.progress import progress_bar

STATUS_CHOICES = ("pending", "accepted", "rejected", "submitted")


def add_export_parser(sub):
    """``authdesk export pas …``; returns the ``export`` sub-commands (``export csv`` joins them)."""
    export = sub.add_parser("export", help="export submitted requests as Da Vinci PAS FHIR Bundles")
    export_sub = export.add_subparsers(dest="export_command", required=True)
    pas = export_sub.add_parser("pas", help="PAS request Bundles (one case, or a batch by status)")
    pas.add_argument("number", nargs="?", help="the case's WebCert number, e.g. WC-0001234")
    pas.add_argument("-o", "--output", metavar="PATH",
                     help="file or folder to write (a batch needs a folder; default: the current folder)")
    pas.add_argument("--status", choices=STATUS_CHOICES, help="export every case with this status (a batch)")
    pas.add_argument("--since", metavar="DATE", help="with --status: submitted on or after DATE (YYYY-MM-DD)")
    add_sign_in_arguments(pas)
    return export_sub


def add_sign_in_arguments(parser) -> None:
    """``--user NAME`` and ``--password-stdin``."""
    parser.add_argument("--user", required=True, metavar="NAME", help="sign in as this user")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def sign_in_from_args(store, args, error):
    """The user of ``--user`` after the password check; ``error(message)`` raises the CLI's one-line error."""
    import getpass

    from store.errors import AuthenticationError
    from store.services.auth import sign_in

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.user}: ")
    else:
        raise error("no terminal to ask the password on; use --password-stdin")
    try:
        with store.session() as session:
            return sign_in(session, args.user, password)
    except AuthenticationError as exc:
        raise error(str(exc)) from None


def run_export(args, store, error) -> int:
    """Export one case or a batch; returns the exit status."""
    from store.enums import RequestStatus
    from store.errors import StoreError
    from store.services.fhir_export import (
        EXPORTABLE,
        export_batch,
        export_case_to_path,
        find_case_by_number,
        prepare_folder,
    )
    from store.validate import parse_date

    if bool(args.number) == bool(args.status):
        raise error("give a WebCert number, or --status for a batch (not both)")
    if args.since and not args.status:
        raise error("--since goes with --status")
    user = sign_in_from_args(store, args, error)
    try:
        if args.number:
            with store.session() as session:
                request_id = find_case_by_number(session, user, args.number, drafts=True)
            path = export_case_to_path(store, user, request_id, args.output or Path.cwd())
            print(f"Wrote {path}")
            return 0
        if not args.output:
            raise error("a batch needs -o DIR, the folder to write into")
        since = parse_date(args.since, field="since") if args.since else None
        statuses = EXPORTABLE if args.status == "submitted" else (RequestStatus(args.status),)
        prepare_folder(args.output)  # an unwritable folder is one line, before any progress bar
        with progress_bar("Exporting") as progress:
            task = progress.add_task("", total=None)

            def step(done: int, total: int, number: str) -> None:
                progress.update(task, total=total, completed=done, description=number)

            result = export_batch(store, user, statuses, args.output, since=since, progress=step)
    except StoreError as exc:
        raise error(str(exc)) from None
    for number, why in result.failed:
        print(f"authdesk: {number}: {why}", file=sys.stderr)
    total = len(result.written) + len(result.failed)
    print(f"Exported {len(result.written)} of {total} case(s) to {Path(args.output).expanduser()}")
    return 1 if result.failed else 0


def run_import_decisions(args, store, error) -> int:
    """Apply PAS response Bundles from a file or folder; returns the exit status."""
    from store.errors import StoreError
    from store.services.fhir_import import APPLIED, REFUSED, UNCHANGED, import_decisions, response_files

    user = sign_in_from_args(store, args, error)
    try:
        response_files(args.file)  # a missing path or an empty folder is one line, before any progress bar
        with progress_bar("Importing") as progress:
            task = progress.add_task("", total=None)

            def step(done: int, total: int, name: str) -> None:
                progress.update(task, total=total, completed=done, description=name)

            report = import_decisions(store, user, args.file, progress=step)
    except StoreError as exc:
        raise error(str(exc)) from None
    for result in report.files:
        stream = sys.stderr if result.status == REFUSED else sys.stdout
        for line in result.lines():
            print(f"authdesk: {line}" if stream is sys.stderr else line, file=stream)
    print(f"{len(report.files)} file(s): {report.count(APPLIED)} applied, {report.count(UNCHANGED)} unchanged, "
          f"{report.count(REFUSED)} refused")
    return 0 if report.ok else 1
