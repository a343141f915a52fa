"""A DataTable that drops its least important columns when the terminal is narrow.

At 80 columns a table of cases, mails or audit events is wider than the
screen; a DataTable would scroll sideways and hide what matters at its right.
:class:`FittingTable` keeps every column it was given (and every row's cells)
and shows only the ones that fit its width, dropping the keys in ``drop``
first, in that order — the way the dashboard's list drops Kind, Dates and
Urgency (``tui/widgets/case_table.py``). When even those are gone and the
table is still too wide, the ``squeeze`` column (a free-text one: subject,
description, detail) is cut to the width left.

Screens fill it with the usual ``add_column`` / ``add_row`` / ``clear``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.widgets import DataTable


def cell_width(content: object) -> int:
    """Cells wide ``content`` is painted (the widest line of it)."""
    if isinstance(content, Text):
        return max((line.cell_len for line in content.split()), default=0)
    if isinstance(content, str):
        return max((line.cell_len for line in Text.from_markup(content).split()), default=0)
    return len(str(content))


def fit_keys(widths: dict[str, int], drop: Sequence[str], available: int, padding: int = 2,
             alternates: dict[str, str] | None = None) -> tuple[str, ...]:
    """The keys of ``widths`` (in order) that fit ``available`` cells, dropping ``drop`` first.

    ``padding`` is the space each column takes besides its content. Only the
    keys in ``drop`` are ever dropped; the rest stay even when they overflow.
    ``alternates`` maps a wide column to a narrower one saying the same in
    short (a due date and time → "in 2d 4h"): the narrow one is shown only in
    place of the wide one, once that is dropped.
    """
    alternates = alternates or {}
    keys = [k for k in widths if k not in alternates.values()]
    for key in drop:
        if sum(widths[k] + padding for k in keys) <= available:
            break
        if key in keys:
            at = keys.index(key)
            keys[at:at + 1] = [alternates[key]] if key in alternates else []
    return tuple(keys)


class FittingTable(DataTable):
    """A DataTable showing the columns that fit, least important dropped first.

    Args:
        drop: column keys to drop when the table is too wide, first dropped first.
        squeeze: a column cut to the width left when dropping is not enough.
        alternates: a wide column → a narrower one shown in its place once it
            is dropped (see :func:`fit_keys`).
    """

    def __init__(self, *args, drop: Sequence[str] = (), squeeze: str | None = None,
                 alternates: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.drop = tuple(drop)
        self.alternates = dict(alternates or {})
        self.squeeze = squeeze
        self._all_columns: list[tuple[str, object]] = []  # (key, label)
        self._all_rows: list[tuple[str | None, tuple[object, ...]]] = []
        # shown keys, squeezed width, the shown columns' measured widths
        self._layout: tuple[tuple[str, ...], int | None, tuple[int, ...]] | None = None
        self._refit_pending = False

    @property
    def shown_keys(self) -> tuple[str, ...]:
        """The keys of the columns on screen, in order."""
        if self._layout is None:
            return tuple(key for key, _ in self._all_columns if key not in self.alternates.values())
        return self._layout[0]

    @property
    def refit_pending(self) -> bool:
        """True while a new fit of the columns is scheduled (after a resize or new rows)."""
        return self._refit_pending

    # ----- filling (the DataTable API the screens use) -----

    def add_column(self, label, *, width: int | None = None, key: str | None = None, default=None):
        """Add a column (shown when it fits)."""
        key = key or str(label)
        self._all_columns.append((key, label))
        self._layout = None
        self._rebuild()
        self._schedule_refit()
        return key

    def add_row(self, *cells, height: int | None = 1, key: str | None = None, label=None):
        """Add a row; only the cells of the columns shown are painted."""
        self._all_rows.append((key, cells))
        index = {k: n for n, (k, _) in enumerate(self._all_columns)}
        shown = [cells[index[k]] if index[k] < len(cells) else "" for k in self.shown_keys]
        row_key = super().add_row(*shown, height=height, key=key, label=label)
        self._schedule_refit()
        return row_key

    def clear(self, columns: bool = False):
        """Remove the rows (and, with ``columns``, the columns too)."""
        self._all_rows = []
        if columns:
            self._all_columns = []
            self._layout = None
        return super().clear(columns=columns)

    # ----- fitting -----

    def on_resize(self, event: events.Resize) -> None:
        self._schedule_refit()

    def _schedule_refit(self) -> None:
        if not self._refit_pending and self.is_mounted:
            self._refit_pending = True
            self.call_after_refresh(self._refit)

    def _available(self) -> int:
        return self.size.width - self.styles.scrollbar_size_vertical

    def _refit(self) -> None:
        """Show the columns that fit the table's width now (rebuilt only when that changes)."""
        self._refit_pending = False
        available = self._available()
        if available <= 0 or not self._all_columns:
            return
        widths = {key: cell_width(label) for key, label in self._all_columns}
        for _, cells in self._all_rows:
            for (key, _), content in zip(self._all_columns, cells):
                widths[key] = max(widths[key], cell_width(content))
        padding = 2 * self.cell_padding
        keys = fit_keys(widths, self.drop, available, padding, self.alternates)
        squeezed = None
        total = sum(widths[k] + padding for k in keys)
        if total > available and self.squeeze in keys:
            squeezed = max(cell_width(dict(self._all_columns)[self.squeeze]), widths[self.squeeze] - (total - available))
        # The widths go into the layout: the columns are rebuilt with them set, so what is
        # painted never waits for DataTable's own measuring of new rows (a frame later).
        layout = (keys, squeezed, tuple(widths[k] for k in keys))
        if layout != self._layout:
            self._layout = layout
            self._rebuild()

    def _rebuild(self) -> None:
        """Columns and rows again, for the layout chosen (the cursor stays on its row)."""
        row = self.cursor_row
        DataTable.clear(self, columns=True)
        labels = dict(self._all_columns)
        index = {k: n for n, (k, _) in enumerate(self._all_columns)}
        squeezed = self._layout[1] if self._layout else None
        measured = dict(zip(self._layout[0], self._layout[2])) if self._layout else {}
        for key in self.shown_keys:
            width = squeezed if key == self.squeeze and squeezed is not None else measured.get(key)
            super().add_column(labels[key], key=key, width=width)
        for row_key, cells in self._all_rows:
            super().add_row(*(cells[index[k]] if index[k] < len(cells) else "" for k in self.shown_keys),
                            key=row_key)
        if self._all_rows:
            self.move_cursor(row=min(row, len(self._all_rows) - 1), animate=False)
