"""What the wizard's workers tell the screen (each posted from a thread, handled on the screen)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from textual.message import Message

from store.forms import DraftForm, MissingItem, SavedDraft, SubmissionResult
from store.records import AttachmentRecord, ProviderRecord


@dataclass
class LoadedDraft:
    """A draft read for resuming: the form, its version, its providers and attachments."""

    form: DraftForm
    saved: SavedDraft
    providers: dict[int, ProviderRecord]
    attachments: list[AttachmentRecord]


@dataclass
class DraftLoaded(Message):
    """A draft was read for resuming."""

    loaded: LoadedDraft


@dataclass
class LoadFailed(Message):
    """The draft could not be opened."""

    message: str


@dataclass
class DefaultsFound(Message):
    """The requesting provider to propose for a new request."""

    provider: ProviderRecord | None


@dataclass
class EligibilityFound(Message):
    """The member is eligible on the date of service."""

    key: tuple[str, str, date]
    record: object


@dataclass
class EligibilityRefused(Message):
    """The member is not found or not eligible (message for the member field)."""

    key: tuple[str, str, date]
    message: str


@dataclass
class Saved(Message):
    """A save went through."""

    saved: SavedDraft
    form: DraftForm
    shown: DraftForm
    copy: bool = False


@dataclass
class SaveRefused(Message):
    """A save was refused: conflict, expired draft or another error."""

    message: str
    conflict: bool = False
    closed: bool = False
    errors: dict[str, str] = field(default_factory=dict)  # field id → message (InvalidFormError)


@dataclass
class Checked(Message):
    """What is missing, and duplicate warnings, for the form as it is."""

    missing: list[MissingItem]
    duplicates: list[str]


@dataclass
class Attached(Message):
    """A file was attached (``version``: the draft's version after it, when ours)."""

    attachment: AttachmentRecord
    version: int | None = None


@dataclass
class AttachmentRemoved(Message):
    """A file was removed (``version``: the draft's version after it, when ours)."""

    attachment_id: int
    version: int | None = None


@dataclass
class AttachFailed(Message):
    """A file was refused (message for the attachment field)."""

    message: str


@dataclass
class SubmitDone(Message):
    """The request was submitted."""

    result: SubmissionResult


@dataclass
class SubmitRefused(Message):
    """Submission refused: missing items or another error."""

    message: str
    missing: list[MissingItem] = field(default_factory=list)
    conflict: bool = False
