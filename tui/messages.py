"""App-wide messages (past tense); widget-specific ones live in their widget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from store.records import UserRecord

if TYPE_CHECKING:
    from store.store import Store


@dataclass
class SignedIn(Message):
    """A user signed in successfully.

    ``typed_ahead``: (key, character) of keys typed after the password's Enter,
    while it was checked; the app replays them on the dashboard.
    """

    user: UserRecord
    typed_ahead: tuple[tuple[str, str | None], ...] = ()


@dataclass
class CasesChanged(Message):
    """Cases were created, saved, submitted or decided: lists should refresh."""

    request_id: int | None = None


@dataclass
class DatabaseOpened(Message):
    """The database answered and is ready (opened in a worker after the first paint)."""

    store: Store


@dataclass
class DatabaseFailed(Message):
    """The database could not be opened; ``message`` is one line for the sign-in screen."""

    message: str
