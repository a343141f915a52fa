"""The ``authdesk`` command line.

    authdesk [--db PATH]                 sign in against your own database
    authdesk demo [--cases N] [--reset]  the separate demo database
    authdesk user add NAME --role R --org ORG
    authdesk db upgrade
    authdesk import members|providers FILE.csv
    authdesk import decisions FILE.json|DIR --user NAME     PAS responses (tui/cli_pas.py)
    authdesk export pas WC-0001234 [-o PATH] --user NAME    PAS request Bundles
    authdesk export pas --status pending [--since DATE] -o DIR --user NAME
    authdesk export csv -o FILE.csv --user NAME [--status S] [--filter TEXT]   (tui/cli_csv.py)
    authdesk housekeeping                expire drafts, queue reminders, send mail
    authdesk audit --since DATE [--action A] [--user NAME] [--case N] [--csv FILE]
    authdesk serve [--host H] [--port P] [--demo]   the app in browsers (tui/serve.py)
    authdesk keys                        binding ids for [keys] in config.toml

Errors print one line and exit non-zero; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="authdesk",
        description="Keyboard-driven prior authorization requests.",
    )
    parser.add_argument("--db", metavar="PATH", help="SQLite database file (default: your data folder)")
    parser.add_argument(
        "--url",
        metavar="URL",
        help="any SQLAlchemy database URL (default: $AUTHDESK_DATABASE_URL or the SQLite file)",
    )
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="open the demo database (seeded with fake data if empty)")
    demo.add_argument("--cases", type=_positive_int, default=2000, help="cases to seed (default 2000)")
    demo.add_argument("--reset", action="store_true", help="delete the demo database first")
    demo.add_argument("--seed-only", action="store_true", help="seed and exit without opening the app")

    user = sub.add_parser("user", help="manage users")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create a user (password is prompted)")
    add.add_argument("username")
    add.add_argument("--role", choices=["clerk", "reviewer", "admin"], default="clerk")
    add.add_argument("--org", metavar="ORG", help="organization code (created if new)")
    add.add_argument("--name", default="", help="full name")
    add.add_argument("--email", default="", help="email address")
    add.add_argument("--phone", default="", help="phone number")
    add.add_argument("--fax", default="", help="fax number")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations")

    imp = sub.add_parser("import", help="load members or providers (CSV), or payers' PAS decisions (JSON)")
    imp.add_argument("what", choices=["members", "providers", "decisions"])
    imp.add_argument("file", help="CSV file (see README for the columns); for decisions a .json file or folder")
    imp.add_argument("--user", metavar="NAME", help="decisions: sign in as this (reviewer) user")
    imp.add_argument("--password-stdin", action="store_true", help="decisions: read the password from stdin")

    from tui.cli_pas import add_export_parser

    from tui.cli_csv import add_csv_export_parser

    add_csv_export_parser(add_export_parser(sub))
    from tui.cli_security import add_audit_parser

    add_audit_parser(sub)
    from tui.cli_plan import add_plan_contacts_parser

    add_plan_contacts_parser(sub)

    sub.add_parser("housekeeping", help="expire drafts, queue reminders and send the outbox (for cron)")

    from tui.serve import add_serve_parser

    add_serve_parser(sub)
    sub.add_parser("keys", help="list every key binding's id for [keys] in config.toml (tui/keymap.py)")
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


class CommandError(Exception):
    """An error to print as one line before exiting with status 1."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``authdesk`` console script."""
    args = _parser().parse_args(argv)
    try:
        _load_settings()
        from store.logs import setup_logging

        setup_logging()
        return _dispatch(args)
    except CommandError as exc:
        print(f"authdesk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("authdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last guard: one line, never a traceback
        from store.errors import StoreError

        if isinstance(exc, StoreError):
            print(f"authdesk: {exc}", file=sys.stderr)
            return 1
        if _debug():
            raise
        from store.logs import unexpected_line

        print(f"authdesk: {unexpected_line(exc, 'the command line')}", file=sys.stderr)
        return 1


def _load_settings():
    """Read config.toml and the environment once, up front: a bad setting is one line before any work."""
    from store.config import settings

    return settings()


def _debug() -> bool:
    """``[app] debug`` (``AUTHDESK_DEBUG``): let an unexpected error show its traceback."""
    from store.config import ConfigError, settings

    try:
        return settings().app_debug
    except ConfigError:
        return False


def _open(args, *, demo: bool = False):
    from store.errors import DatabaseUnavailableError
    from store.store import open_store, resolve_url

    url = resolve_url(db_path=args.db, url=args.url, demo=demo)
    try:
        return open_store(url, demo=demo)
    except DatabaseUnavailableError as exc:
        raise CommandError(str(exc)) from None


def _dispatch(args) -> int:
    if args.command is None:
        from tui.launch import NO_USERS, DatabaseOpener, missing_database_file

        if missing_database_file(args.db, args.url) is not None:
            raise CommandError(NO_USERS)
        # the database opens in a worker after the sign-in screen has painted
        return _run_app(None, demo=False, opener=DatabaseOpener(args.db, args.url))
    if args.command == "demo":
        return _demo(args)
    if args.command == "user":
        return _user_add(args)
    if args.command == "db":
        from store.migrate import current_revision

        store = _open(args)
        print(f"Database is at schema revision {current_revision(store.engine)}.")
        return _build_code_index()

    if args.command == "housekeeping":
        return _housekeeping(args)
    if args.command == "import" and args.what == "decisions":
        from tui.cli_pas import run_import_decisions

        if not args.user:
            raise CommandError("import decisions needs --user NAME (a reviewer)")
        store = _open(args)
        status = run_import_decisions(args, store, CommandError)
        _refresh_statistics(store)
        return status
    if args.command == "import":
        return _import(args)
    if args.command == "keys":
        from tui.keymap import run_keys

        return run_keys(CommandError)
    if args.command == "plan-contacts":
        from tui.cli_plan import run_plan_contacts

        return run_plan_contacts(args, _open(args), CommandError)
    if args.command == "serve":
        from tui.serve import run_serve

        return run_serve(args, _open, CommandError)
    if args.command == "export" and args.export_command == "csv":
        from tui.cli_csv import run_csv_export

        return run_csv_export(args, _open(args), CommandError)
    if args.command == "audit":
        from tui.cli_security import run_audit

        return run_audit(args, _open(args), CommandError)
    if args.command == "export":
        from tui.cli_pas import run_export

        return run_export(args, _open(args), CommandError)
    raise CommandError(f"unknown command {args.command!r}")


def _build_code_index() -> int:
    """Build the ICD-10-CM search index now (it is otherwise built on first use)."""
    from store.codes.icd10 import ensure_code_index

    try:
        path = ensure_code_index()
    except OSError as exc:
        print(f"authdesk: cannot write the code index: {exc}", file=sys.stderr)
        return 1
    print(f"Code index: {path}")
    return 0


def _prepare_code_index_in_background() -> None:
    """Build a missing code index in a child process while the clerk signs in.

    A separate process keeps the seconds of parsing off the interface's
    interpreter; the index file appears atomically when it is complete.
    """
    import subprocess

    from store.codes.icd10 import index_path, is_current

    if is_current(index_path()):
        return
    try:
        subprocess.Popen(
            [sys.executable, "-c", "from store.codes.icd10 import ensure_code_index; ensure_code_index()"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        pass  # the first code search builds it instead


def _run_app(store, *, demo: bool, opener=None) -> int:
    from tui.app import AuthDeskApp

    _prepare_code_index_in_background()
    app = AuthDeskApp(store=store, demo=demo, open_store=opener, settings=_load_settings())
    app.run()
    return app.return_code or 0


def _demo(args) -> int:
    from store import paths

    if args.db or args.url:
        target = None
    else:
        target = paths.default_database_path(demo=True)
        if args.reset and target.exists():
            for suffix in ("", "-wal", "-shm"):
                candidate = target.with_name(target.name + suffix)
                candidate.unlink(missing_ok=True)
    if target is not None and target.exists() and not args.seed_only:
        from tui.launch import DatabaseOpener  # seeded already: open it after the first paint

        print(f"Demo database: {target}", file=sys.stderr)
        return _run_app(None, demo=True, opener=DatabaseOpener(demo=True))
    store = _open(args, demo=True)
    from store.demo import is_seeded

    if not is_seeded(store):
        _seed_with_progress_bar(store, args.cases)
    elif target is not None:
        print(f"Demo database: {target}", file=sys.stderr)
    if args.seed_only:
        return 0
    return _run_app(store, demo=True)


_SEED_STAGES = {"cases": "writing cases", "listing": "building the listing", "indexes": "building indexes",
                "statistics": "updating statistics"}


def _seed_with_progress_bar(store, cases: int) -> None:
    """Seed the demo with the command line's progress bar (:mod:`tui.progress`) on stderr."""
    import time

    from store.demo import seed_demo
    from tui.progress import progress_bar

    started = time.monotonic()
    with progress_bar("Seeding the demo") as bar:
        task = bar.add_task(_SEED_STAGES["cases"], total=cases)

        def progress(done: int, what: str) -> None:
            bar.update(task, completed=done, description=_SEED_STAGES.get(what, what))

        seed_demo(store, cases=cases, progress=progress)
        bar.update(task, description="done")
    print(f"Seeded {cases:,} cases in {time.monotonic() - started:.0f} s", file=sys.stderr)


def _user_add(args) -> int:
    import getpass

    from store.errors import ValidationError
    from store.services.auth import check_password_rules, create_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask the password on; use --password-stdin")
        password = getpass.getpass(f"Password for {args.username}: ")
        again = getpass.getpass("Repeat the password: ")
        if password != again:
            raise CommandError("the two passwords differ")
    try:
        check_password_rules(password)
    except ValidationError as exc:
        raise CommandError(str(exc)) from None
    store = _open(args)
    try:
        with store.session() as session:
            user = create_user(
                session,
                args.username,
                password,
                role=args.role,
                organization_code=args.org,
                full_name=args.name,
                email=args.email,
                phone=args.phone,
                fax=args.fax,
            )
    except ValidationError as exc:
        raise CommandError(str(exc)) from None
    org = f" in {user.organization_name}" if user.organization_name else ""
    print(f"Created {user.role} {user.username}{org}.")
    return 0


def _import(args) -> int:
    from tui.cli_csv import run_csv_import

    store = _open(args)
    status = run_csv_import(args, store, CommandError)
    _refresh_statistics(store)
    return status


def _refresh_statistics(store) -> None:
    """ANALYZE after a bulk change, so the planner knows the new sizes (store.listing.analyze)."""
    from store.listing import analyze

    with store.engine.begin() as conn:
        analyze(conn)


def _housekeeping(args) -> int:
    from store.services.housekeeping import run_housekeeping

    store = _open(args)
    report = run_housekeeping(store)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
