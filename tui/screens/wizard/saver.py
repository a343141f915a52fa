"""What a save of the wizard writes: only what the clerk changed.

The widgets show a draft the way a clerk reads it (a phone formatted, a time
to the minute, only the fields of its kind), so reading the widgets back does
not give the stored draft. :class:`DraftBaseline` keeps both the draft as
stored and the form as the widgets showed it: a field whose shown value has
not changed keeps its stored value, so opening a draft and leaving it — or
editing one field of it — never rewrites the others.
"""

from __future__ import annotations

import copy
from dataclasses import fields

from store.forms import DraftForm

# Fields that are not the clerk's data: never compared, always the screen's.
_NOT_DATA = ("kind", "wizard_step")


def merge_untouched(stored: DraftForm | None, shown: DraftForm, current: DraftForm) -> DraftForm:
    """``current``, except that each field equal to its ``shown`` value keeps its ``stored`` value.

    Service lines are merged one by one while their count is the same; ``raw``
    (text kept as typed) key by key.

    Args:
        stored: the draft as the database holds it (None for a new draft).
        shown: the form as the widgets showed ``stored`` (at load or after the last save).
        current: the form as the widgets show it now.

    Returns:
        The form to save.
    """
    merged = copy.deepcopy(current)
    if stored is None:
        return merged
    for item in fields(DraftForm):
        name = item.name
        if name in _NOT_DATA:
            continue
        now, was, kept = getattr(current, name), getattr(shown, name), getattr(stored, name)
        if name == "raw":
            raw = dict(kept)
            for key in set(now) | set(was):
                if now.get(key) != was.get(key):
                    if key in now:
                        raw[key] = now[key]
                    else:
                        raw.pop(key, None)
            merged.raw = raw
        elif name == "lines" and len(now) == len(was) == len(kept):
            merged.lines = [copy.deepcopy(s if n == w else n) for s, n, w in zip(kept, now, was, strict=True)]
        elif now == was:
            setattr(merged, name, copy.deepcopy(kept))
    return merged


def same_data(a: DraftForm, b: DraftForm) -> bool:
    """Whether two forms hold the same data (where the clerk is, ``wizard_step``, aside)."""
    return all(getattr(a, f.name) == getattr(b, f.name) for f in fields(DraftForm) if f.name != "wizard_step")


class DraftBaseline:
    """The draft as stored and as the widgets showed it; decides what a save writes.

    Args:
        stored: the draft as loaded (None: a new request, nothing stored yet).
        shown: the form read back from the widgets right after they showed ``stored``.
    """

    def __init__(self, stored: DraftForm | None, shown: DraftForm) -> None:
        self.stored = copy.deepcopy(stored)
        self.shown = copy.deepcopy(shown)

    def unchanged(self, current: DraftForm, *, step_too: bool = False) -> bool:
        """Whether the clerk changed nothing since the load or the last save."""
        if step_too and current.wizard_step != self.shown.wizard_step:
            return False
        return same_data(current, self.shown)

    def to_save(self, current: DraftForm) -> DraftForm:
        """The form to write for ``current``: changed fields from it, the rest as stored."""
        return merge_untouched(self.stored, self.shown, current)

    def saved(self, written: DraftForm, shown: DraftForm) -> None:
        """A save of ``written`` (read from the widgets as ``shown``) went through."""
        self.stored = copy.deepcopy(written)
        self.shown = copy.deepcopy(shown)
