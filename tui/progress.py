"""The one progress bar of the command line: imports, exports and seeding share it."""

from __future__ import annotations


def progress_bar(description: str):
    """A rich progress bar on standard error: ``description``, bar, done of total, time left,
    then the task's own description (the stage, or the file or case being worked on)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    TextColumn("{task.description}"), console=Console(stderr=True), transient=False)


__all__ = ["progress_bar"]
