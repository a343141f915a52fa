"""App-wide messages (past tense); widget-specific ones live in their widget."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from store.records import UserRecord


@dataclass
class SignedIn(Message):
    """A user signed in successfully."""

    user: UserRecord


@dataclass
class CasesChanged(Message):
    """Cases were created, saved, submitted or decided: lists should refresh."""

    request_id: int | None = None
