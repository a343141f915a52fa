"""``authdesk serve``: AuthDesk in a browser tab, through textual-serve.

Every browser session (every tab that opens the page) gets an app process of
its own, started with the same database, with its own sign-in and idle lock;
closing the tab ends the process. textual-serve speaks plain HTTP and
websockets: for anything beyond one machine put it behind a reverse proxy that
terminates TLS (docs/admin.md shows nginx and Caddy) and set ``--public-url``.
"""

from __future__ import annotations

import argparse
import shlex
import sys


def add_serve_parser(sub) -> None:
    """The ``serve`` sub-command's options."""
    serve = sub.add_parser("serve", help="serve AuthDesk to browsers (one app process per browser session)")
    serve.add_argument("--host", help="address to listen on (default: [serve] host, 127.0.0.1)")
    serve.add_argument("--port", type=_port, help="port to listen on (default: [serve] port, 8000)")
    serve.add_argument("--public-url", metavar="URL",
                       help="the address browsers use, behind a reverse proxy (e.g. https://desk.example.org)")
    serve.add_argument("--demo", action="store_true", help="serve the demo database (seeded first if empty)")


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError("a port is a number from 1 to 65535")
    return number


def session_command(url: str, *, demo: bool) -> tuple[str, dict[str, str]]:
    """The shell command textual-serve runs for each browser session, and the environment it needs.

    A URL holding a password goes to the sessions in ``AUTHDESK_DATABASE_URL``,
    not on their command lines, where any local user's ``ps`` would show it.
    """
    from sqlalchemy.engine import make_url

    words = [sys.executable, "-m", "tui"]
    environment: dict[str, str] = {}
    if make_url(url).password and not demo:
        environment["AUTHDESK_DATABASE_URL"] = url
    else:
        words += ["--url", url]
    if demo:
        words.append("demo")
    return shlex.join(words), environment


def listen_address(args, current) -> tuple[str, int, str | None]:
    """Host, port and public URL: the command line, else the settings."""
    host = args.host or current.serve_host
    port = args.port or current.serve_port
    public_url = (args.public_url or current.serve_public_url or "").rstrip("/") or None
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise ValueError(f"the public URL must start with http:// or https://, not {public_url!r}")
    return host, port, public_url


def _prepare_code_index(command_error) -> None:
    """Build a missing code search index once, before any session (not once per session)."""
    from store.codes.icd10 import ensure_code_index, index_path, is_current

    if is_current(index_path()):
        return
    print("Building the code search index …", file=sys.stderr, flush=True)
    try:
        ensure_code_index()
    except OSError as exc:
        raise command_error(f"cannot write the code index {index_path()}: {exc.strerror or exc}") from None


def run_serve(args, open_store, command_error) -> int:
    """Check the database, then serve the app until Ctrl+C.

    Args:
        args: parsed command line (``--db``/``--url`` and the serve options).
        open_store: ``open_store(args, demo=…)`` from the CLI (one-line errors).
        command_error: the CLI's one-line error class.
    """
    from store.config import settings

    try:
        host, port, public_url = listen_address(args, settings())
    except ValueError as exc:
        raise command_error(str(exc)) from None
    _check_address(host, port, command_error)  # a busy port is one line before any slow work
    store = open_store(args, demo=args.demo)  # migrates once here, not in every session
    if args.demo:
        from store.demo import is_seeded, seed_demo

        if not is_seeded(store):
            print("Seeding the demo database …", file=sys.stderr, flush=True)
            seed_demo(store, cases=2000)
    url = store.engine.url.render_as_string(hide_password=False)
    store.dispose()
    _prepare_code_index(command_error)

    import os

    from textual_serve.server import Server

    command, environment = session_command(url, demo=args.demo)
    os.environ.update(environment)  # each session's process inherits the server's environment
    server = Server(command, host=host, port=port, title="AuthDesk", public_url=public_url)
    try:
        server.serve()
    except OSError as exc:
        raise command_error(_cannot_listen(host, port, exc)) from None
    return 0


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    import os

    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    return f"cannot listen on {host}:{port}: {reason}"


def _check_address(host: str, port: int, command_error) -> None:
    """Raise ``command_error`` when ``host:port`` cannot be listened on (taken, or not this machine's)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise command_error(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise command_error(_cannot_listen(host, port, exc)) from None


__all__ = ["add_serve_parser", "listen_address", "run_serve", "session_command"]
