"""Command-line pieces of issue 9: import progress, ``authdesk audit``, the last-resort error line.

Kept apart from :mod:`tui.__main__` (shared by every team) so that file only
calls in.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def import_progress(stream=None) -> Iterator:
    """A ``progress(done, total, what)`` callback drawing one line on a terminal.

    Imports call it every few thousand rows; on a pipe nothing is drawn, so
    scripts and logs see only the final report.
    """
    stream = stream or sys.stderr
    drawn = False

    def progress(done: int, total: int, what: str) -> None:
        nonlocal drawn
        if not stream.isatty() or total < 5000:
            return
        width = 30
        filled = int(width * done / total) if total else width
        stream.write(f"\r{what:<25} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
        stream.flush()
        drawn = True

    try:
        yield progress
    finally:
        if drawn:
            stream.write("\n")
            stream.flush()
