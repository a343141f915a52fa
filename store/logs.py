"""The log file: tracebacks of unexpected errors, with a reference the clerk can quote.

``<data folder>/log/authdesk.log``, rotated at 1 MB with five old files kept.
A clerk who meets an unexpected error sees one line ending in a reference
(``ref 20261204-163212-7f3a``); the same reference starts the log entry that
holds the traceback, so support finds it with ``grep``.

Protected health information never goes to the log: an exception's message
(which may quote what was typed or read: a member's name, an ID, a date of
birth) is scrubbed before it is written — quoted text and runs of digits are
replaced — and the traceback holds file names, line numbers and function names only.
"""

from __future__ import annotations

import logging
import re
import secrets
import traceback
from datetime import UTC, datetime
from pathlib import Path

LOG_NAME = "authdesk.log"
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 5
_HANDLER_NAME = "authdesk-file"
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DIGITS = re.compile(r"\d+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_WORD = re.compile(r"\w+")
_SQL_WORDS = frozenset({"UNIQUE", "NOT", "NULL", "CHECK", "FOREIGN", "KEY", "PRIMARY", "INSERT", "UPDATE",
                        "DELETE", "SELECT", "INTO", "FROM", "WHERE", "VALUES", "SET", "AND", "OR", "IN",
                        "DETAIL", "ERROR", "SQL", "SQLite", "PostgreSQL"})

log = logging.getLogger("authdesk")


def log_path() -> Path:
    """Where the log file is: the ``log`` folder inside the data folder."""
    from store import paths

    return paths.data_dir() / "log" / LOG_NAME


def setup_logging(path: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Send the ``authdesk``, ``store`` and ``tui`` loggers to the rotating log file (once).

    Returns the file's path, or None when it cannot be written (then nothing
    is logged; the app never fails because of its log).
    """
    from logging.handlers import RotatingFileHandler

    root = logging.getLogger()
    target = Path(path or log_path()).absolute()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            if Path(handler.baseFilename) == target:
                return target
            root.removeHandler(handler)  # the data folder changed (another database, a test)
            handler.close()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(target, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS,
                                      encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return target


def scrub(text: str) -> str:
    """``text`` without what may be member data: quoted values, e-mail addresses, digit runs,
    and capitalised words (names: "could not file Dana Whitfield" → "could not file … …");
    the SQL words database errors are made of are kept."""
    text = _EMAIL.sub("<email>", text)
    text = _QUOTED.sub("'…'", text)
    text = _DIGITS.sub("#", text)
    return _WORD.sub(lambda m: m[0] if m[0] == m[0].lower() or m[0] in _SQL_WORDS else "…", text)


def new_reference() -> str:
    """A reference for one error: the UTC time and four random hex digits."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def report_unexpected(exc: BaseException, where: str = "") -> str:
    """Log ``exc`` with its traceback (scrubbed) under a new reference; returns the reference."""
    setup_logging()
    reference = new_reference()
    # File, line and function of each frame: enough to find the code, and no
    # source text that could carry a literal value.
    frames = "\n".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}'
                       for f in traceback.extract_tb(exc.__traceback__))
    message = scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
    cause = exc.__cause__ or exc.__context__
    caused_by = f"\ncaused by {type(cause).__name__}: {scrub(str(cause).splitlines()[0] if str(cause) else '')}" \
        if cause is not None else ""
    log.error("ref %s: unexpected %s%s in %s: %s%s\n%s", reference, type(exc).__module__ + ".",
              type(exc).__name__, where or "AuthDesk", message, caused_by, frames.rstrip())
    return reference


def unexpected_line(exc: BaseException, where: str = "") -> str:
    """The one line a person sees for an unexpected error (the details are in the log)."""
    reference = report_unexpected(exc, where)
    path = setup_logging()
    place = f" in {path}" if path else ""
    return f"Something went wrong ({type(exc).__name__}); details are in the log{place}, reference {reference}."


__all__ = ["log_path", "new_reference", "report_unexpected", "scrub", "setup_logging", "unexpected_line"]
