"""Clinical attachments: type from content, a size limit, content-addressed copies.

A file's type is decided by what it holds, never by its name: Word, Excel,
PDF, plain text, TIFF, PNG and JPEG are accepted (seed 003). Files are copied
into the attachments folder under their SHA-256 (``<dir>/ab/abcdef…``), so
the same document attached twice is stored once and the original may move.
Attachments can be added to a draft or a pending case and removed from a draft.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from sqlalchemy import func, update
from sqlmodel import select

from store.enums import AttachmentKind, RequestStatus
from store.errors import InvalidTransitionError, NotFoundError, ValidationError
from store.models import Attachment, AuthRequest
from store.records import AttachmentRecord, UserRecord
from store.services.cases import to_attachment_record
from store.services.timeline import add_event

FIELD = "attachment"
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
SNIFF_BYTES = 8192

# Media type -> (what the clerk calls it, file name endings for the picker).
ACCEPTED_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": ("PDF", (".pdf",)),
    "application/msword": ("Word", (".doc",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("Word", (".docx",)),
    "application/vnd.ms-excel": ("Excel", (".xls",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("Excel", (".xlsx",)),
    "text/plain": ("Plain text", (".txt", ".text", ".log")),
    "image/tiff": ("TIFF image", (".tif", ".tiff")),
    "image/png": ("PNG image", (".png",)),
    "image/jpeg": ("JPEG image", (".jpg", ".jpeg")),
}
ACCEPTED_LABEL = "Word, Excel, PDF, plain text, TIFF, PNG or JPEG"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_KNOWN_OTHER = {
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
    b"GIF8": "a GIF image",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\x1f\x8b": "a gzip archive",
    b"<!DOCTYPE html": "a web page",
    b"<html": "a web page",
}


def human_size(n: int) -> str:
    """``26214400`` → ``25 MB``."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" or size >= 100 else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


def sniff_media_type(path: Path) -> str | None:
    """The accepted media type of the file's content, or None."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(_OLE2):
        return "application/vnd.ms-excel" if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in _read_all(path, 1 << 20) \
            else "application/msword"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return None
    if _looks_like_text(head):
        return "text/plain"
    return None


def _read_all(path: Path, limit: int) -> bytes:
    with path.open("rb") as fh:
        return fh.read(limit)


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    lowered = head[:64].lstrip().lower()
    if any(lowered.startswith(sig.lower()) for sig in _KNOWN_OTHER):
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end
            try:
                text = head.decode("cp1252")
            except UnicodeDecodeError:
                return False
        else:
            text = head[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
    return printable >= 0.95 * max(1, len(text))


def _describe(head: bytes) -> str:
    for sig, what in _KNOWN_OTHER.items():
        if head.lstrip().lower().startswith(sig.lower()):
            return f" (it holds {what}, whatever its name says)"
    return ""


def check_file(raw_path: str) -> tuple[Path, str, int]:
    """(path, media type, size) of a file a clerk may attach, or a ValidationError saying why not."""
    text = (raw_path or "").strip().strip("'\"")
    if not text:
        raise ValidationError("Type the path of a file, or press ctrl+o to choose one.", field=FIELD)
    path = Path(text).expanduser()
    if not path.exists():
        raise ValidationError(f"No file at {path}.", field=FIELD)
    if path.is_dir():
        raise ValidationError(f"{path} is a folder: choose a file in it.", field=FIELD)
    try:
        size = path.stat().st_size
        if size == 0:
            raise ValidationError(f"{path.name} is empty.", field=FIELD)
        if size > MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                f"{path.name} is {human_size(size)}; the limit is {human_size(MAX_ATTACHMENT_BYTES)}. "
                "Split or compress it, or fax the rest.",
                field=FIELD,
            )
        media_type = sniff_media_type(path)
        if media_type is None:
            with path.open("rb") as fh:
                head = fh.read(64)
    except PermissionError:
        raise ValidationError(f"{path.name} cannot be read (permission denied).", field=FIELD) from None
    except OSError as exc:
        raise ValidationError(f"{path.name} cannot be read: {exc.strerror or exc}.", field=FIELD) from None
    if media_type is None:
        raise ValidationError(
            f"{path.name} is not a supported file type{_describe(head)}. Accepted: {ACCEPTED_LABEL}.", field=FIELD
        )
    return path, media_type, size


def store_file(path: Path, attachments_dir: Path) -> tuple[str, Path]:
    """Copy ``path`` into ``attachments_dir`` under its SHA-256; returns (digest, stored path)."""
    digest = hashlib.sha256()
    attachments_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=attachments_dir, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out, path.open("rb") as src:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = attachments_dir / sha[:2] / sha
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return sha, target


def _open_request(session, user: UserRecord, request_id: int | None, allowed: tuple[RequestStatus, ...]) -> AuthRequest:
    from store.services.drafts import draft_is_open, get_request_for

    if request_id is None:
        raise NotFoundError("Save the draft first (ctrl+s), then attach files.")
    request = get_request_for(session, user, request_id)
    if request.status not in allowed:
        what = " or ".join(s.value for s in allowed)
        raise InvalidTransitionError(
            f"{request.webcert_number or request.draft_number} is {RequestStatus(request.status).value}: "
            f"files can be changed only while it is {what}."
        )
    if request.status == RequestStatus.DRAFT:
        draft_is_open(request)
    return request


def add_attachment(store, user: UserRecord, request_id: int | None, raw_path: str) -> AttachmentRecord:
    """Attach the file at ``raw_path`` to a draft, a pending request or a case with a pended line."""
    path, media_type, size = check_file(raw_path)
    from store.services.pended import ATTACHABLE, record_information_received, require_attachable

    with store.session() as session:
        require_attachable(session, user, _open_request(session, user, request_id, ATTACHABLE))
    try:
        sha, target = store_file(path, Path(store.attachments_dir))
    except OSError as exc:
        raise ValidationError(f"{path.name} could not be copied: {exc.strerror or exc}.", field=FIELD) from None
    with store.session() as session:
        request = _open_request(session, user, request_id, ATTACHABLE)
        require_attachable(session, user, request)  # a decided case: only with a pended line
        row = Attachment(
            request_id=request.id, kind=AttachmentKind.CLINICAL, filename=path.name[:255],
            media_type=media_type, size_bytes=size, sha256=sha, stored_path=str(target), added_by_id=user.id,
        )
        session.add(row)
        session.execute(update(AuthRequest).where(AuthRequest.id == request.id)
                        .values(version=AuthRequest.version + 1))
        add_event(session, request.id, "Attachment added",
                  f"{path.name} ({ACCEPTED_TYPES[media_type][0]}, {human_size(size)})", user)
        record_information_received(session, user, request, path.name)
        session.flush()
        return to_attachment_record(row)


def remove_attachment(store, user: UserRecord, request_id: int, attachment_id: int) -> None:
    """Remove a clinical attachment from a draft (its stored copy goes when no case uses it)."""
    with store.session() as session:
        request = _open_request(session, user, request_id, (RequestStatus.DRAFT,))
        row = session.get(Attachment, attachment_id)
        if row is None or row.request_id != request.id or row.kind != AttachmentKind.CLINICAL:
            raise NotFoundError("That attachment is not on this draft.")
        sha, stored, name = row.sha256, row.stored_path, row.filename
        session.delete(row)
        session.execute(update(AuthRequest).where(AuthRequest.id == request.id)
                        .values(version=AuthRequest.version + 1))
        add_event(session, request.id, "Attachment removed", name, user)
        session.flush()
        still_used = session.execute(
            select(func.count()).select_from(Attachment).where(Attachment.sha256 == sha)
        ).scalar_one()
    if not still_used:
        Path(stored).unlink(missing_ok=True)


def copy_out(record: AttachmentRecord, folder: str | Path) -> Path:
    """Copy an attachment or letter to ``folder`` under its original name (numbered if taken)."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise ValidationError(f"No folder at {folder}.", field="export-folder")
    target = folder / record.filename
    stem, suffix, n = target.stem, target.suffix, 1
    while target.exists():
        n += 1
        target = folder / f"{stem} ({n}){suffix}"
    try:
        shutil.copyfile(record.stored_path, target)
    except FileNotFoundError:
        raise NotFoundError(f"The stored copy of {record.filename} is missing from the attachments folder.") from None
    except OSError as exc:
        raise ValidationError(f"Cannot write to {folder}: {exc.strerror or exc}.", field="export-folder") from None
    return target
