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

from sqlalchemy import func
from sqlmodel import select

from store.enums import AttachmentKind, RequestStatus
from store.errors import InvalidTransitionError, NotFoundError, ValidationError
from store.formats import size_label
from store.models import Attachment, AuthRequest
from store.records import AttachmentRecord, UserRecord
from store.services.cases import to_attachment_record
from store.services.timeline import add_event
from store.services.versions import bump_version

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
_ZIP = b"PK\x03\x04"
_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The families puremagic recognises that AuthDesk accepts (by the extension it reports).
_FAMILIES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
             ".jfif": "image/jpeg", ".jpe": "image/jpeg", ".tif": "image/tiff", ".tiff": "image/tiff"}
# Office containers (zip): the parts that make a document, and limits against zip bombs.
OFFICE_PARTS = {_WORD: ("[Content_Types].xml", "word/document.xml"),
                _EXCEL: ("[Content_Types].xml", "xl/workbook.xml")}
MAX_ZIP_ENTRIES = 5_000
MAX_INFLATED_BYTES = 250 * 1024 * 1024
MAX_INFLATE_RATIO = 100
# How the refusal names common formats puremagic reports (else its own description).
_FRIENDLY = {".exe": "a Windows program", ".dll": "a Windows program", ".elf": "a program",
             ".gif": "a GIF image", ".rar": "a RAR archive", ".7z": "a 7-Zip archive", ".gz": "a gzip archive",
             ".html": "a web page", ".htm": "a web page"}
# Text that a browser or a shell would run: refused even when it is plain text.
_ACTIVE_MARKERS = (b"<script", b"<html", b"<!doctype", b"<iframe", b"<svg", b"<object", b"<embed",
                   b"<body", b"<head", b"<?xml", b"<meta", b"javascript:", b"vbscript:", b"<%", b"<?php")


def human_size(n: int) -> str:
    """``26214400`` → ``25 MB`` (:func:`store.formats.size_label`)."""
    return size_label(n)


class UnsafeFileError(ValidationError):
    """A file of an accepted kind that is damaged or unsafe (zip bomb, missing parts, macros)."""


def _magic(head: bytes) -> list:
    """puremagic's matches for the first bytes, best first (an empty list when it knows nothing)."""
    import puremagic

    try:
        return puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return []


def sniff_media_type(path: Path) -> str | None:
    """The accepted media type of the file's content, or None.

    puremagic names the format from the first bytes; Office files are then
    opened and checked (:func:`check_office_zip`, which raises
    :class:`UnsafeFileError`), and text is accepted only when it holds no
    web page or script.
    """
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(_ZIP):
        return check_office_zip(path)
    if head.startswith(_OLE2):
        return "application/vnd.ms-excel" if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in _read_all(path, 1 << 20) \
            else "application/msword"
    matches = _magic(head)
    for match in matches:
        if match.extension in _FAMILIES:
            return _FAMILIES[match.extension]
    if matches:
        return None  # something puremagic knows that AuthDesk does not take
    if _looks_like_text(head) and not _active_content(head):
        return "text/plain"
    return None


def check_office_zip(path: Path) -> str | None:
    """The Word or Excel media type of an Office Open XML file, None for another zip.

    Raises:
        UnsafeFileError: too many entries, inflates past :data:`MAX_INFLATED_BYTES`
            or :data:`MAX_INFLATE_RATIO` times its size (checked while
            inflating, so lying headers do not help), a Word/Excel file without
            the parts that make it one, or one holding macros.
    """
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise UnsafeFileError(
                    f"{name} holds {len(entries):,} files inside; an Office document has far fewer "
                    f"(at most {MAX_ZIP_ENTRIES:,} taken).", field=FIELD)
            names = {e.filename for e in entries}
            kind = _WORD if any(n.startswith("word/") for n in names) else \
                _EXCEL if any(n.startswith("xl/") for n in names) else None
            if kind is None:
                return None
            label = ACCEPTED_TYPES[kind][0]
            missing = [part for part in OFFICE_PARTS[kind] if part not in names]
            if missing:
                raise UnsafeFileError(
                    f"{name} is not a complete {label} document (missing {', '.join(missing)}); "
                    f"save it again from {label}.", field=FIELD)
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise UnsafeFileError(
                    f"{name} holds macros; save it as a {label} document without macros.", field=FIELD)
            limit = min(MAX_INFLATED_BYTES, MAX_INFLATE_RATIO * max(path.stat().st_size, 1))
            _inflate_within(archive, entries, limit, name)
            return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, RuntimeError):
        return None


def _inflate_within(archive: zipfile.ZipFile, entries, limit: int, name: str) -> None:
    too_big = UnsafeFileError(
        f"{name} unpacks to more than {human_size(limit)}: refused as unsafe (a compressed bomb?).",
        field=FIELD)
    if sum(e.file_size for e in entries) > limit:
        raise too_big
    total = 0
    for entry in entries:
        with archive.open(entry) as member:
            for chunk in iter(lambda m=member: m.read(1 << 20), b""):
                total += len(chunk)
                if total > limit:
                    raise too_big


def _active_content(head: bytes) -> bool:
    lowered = head.lower()
    return lowered.lstrip().startswith(b"#!") or any(marker in lowered for marker in _ACTIVE_MARKERS)


def _read_all(path: Path, limit: int) -> bytes:
    with path.open("rb") as fh:
        return fh.read(limit)


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
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
    if _looks_like_text(head) and _active_content(head):
        return " (it holds a web page or a script, whatever its name says)"
    matches = _magic(head)
    if not matches:
        return ""
    what = _FRIENDLY.get(matches[0].extension) or f"a {matches[0].name}" if matches[0].name else ""
    return f" (it holds {what}, whatever its name says)" if what else ""


def resolve_typed_path(raw_path: str) -> Path:
    """The file a clerk typed or pasted: the path as typed when that file exists
    (trailing spaces included), else without surrounding spaces and quotes.

    Raises:
        ValidationError: nothing typed, no such file, a folder, or the system
            refused to look (name too long, no permission), with the reason.
    """
    typed = (raw_path or "").rstrip("\r\n")
    stripped = typed.strip()
    unquoted = stripped.strip("'\"")
    if not unquoted:
        raise ValidationError("Type the path of a file, or press ctrl+o to choose one.", field=FIELD)
    problem = None
    for candidate in dict.fromkeys((typed, stripped, unquoted)):
        path = Path(candidate).expanduser()
        try:
            if path.is_dir():
                raise ValidationError(f"{path} is a folder: choose a file in it.", field=FIELD)
            if path.exists():
                return path
        except OSError as exc:
            problem = problem or os_reason(path, exc)
    raise ValidationError(problem or f"No file at {Path(unquoted).expanduser()}.", field=FIELD)


def os_reason(path: Path, exc: OSError) -> str:
    """One line for the clerk about an OS error on ``path`` (never a raw OSError)."""
    import errno

    shown = path.name if len(path.name) <= 60 else path.name[:57] + "…"
    if exc.errno == errno.ENAMETOOLONG:
        return f"{shown}: the file name or path is too long for this system; rename or move the file."
    if isinstance(exc, PermissionError):
        return f"{shown} cannot be read: permission denied (for the file or a folder above it)."
    return f"{shown} cannot be read: {exc.strerror or exc}."


def check_file(raw_path: str) -> tuple[Path, str, int]:
    """(path, media type, size) of a file a clerk may attach, or a ValidationError saying why not."""
    path = resolve_typed_path(raw_path)
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
                head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise ValidationError(os_reason(path, exc), field=FIELD) from None
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
    from store.services.permissions import CaseAction, facts_of_request, require

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
    require(user, facts_of_request(session, request), CaseAction.ATTACH)
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
        bump_version(session, request.id)
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
        bump_version(session, request.id)
        add_event(session, request.id, "Attachment removed", name, user)
        session.flush()
        still_used = session.execute(
            select(func.count()).select_from(Attachment).where(Attachment.sha256 == sha)
        ).scalar_one()
    if not still_used:
        Path(stored).unlink(missing_ok=True)


def _file_on_case(session, user: UserRecord, request_id: int, attachment_id: int) -> Attachment:
    """An attachment or letter of a case ``user`` may see (else: not found, as for a missing one)."""
    from store.services.drafts import get_request_for

    request = get_request_for(session, user, request_id)
    row = session.get(Attachment, attachment_id)
    if row is None or row.request_id != request.id:
        raise NotFoundError("That file is not on this case.")
    return row


def _unclash(target: Path) -> Path:
    """``letter.pdf``, else ``letter (1).pdf``, ``letter (2).pdf`` … (an existing file is never overwritten)."""
    n = 1
    candidate = target
    while candidate.exists():
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
        n += 1
    return candidate


def export_file(store, user: UserRecord, request_id: int, attachment_id: int, folder: str | Path) -> Path:
    """Copy an attachment or letter of a case into ``folder`` under its own name; recorded in the audit log.

    Raises:
        ValidationError: field ``folder`` (none typed, no such folder, a file, not writable) or
            ``form`` (the stored copy is missing from the data folder).
        NotFoundError: the file is not on a case ``user`` may see.
    """
    from store.services.audit import AuditAction, record

    text = str(folder).strip().strip("'\"")
    if not text:
        raise ValidationError("Type the folder to save the file in.", field="folder")
    target_dir = Path(text).expanduser()
    if not target_dir.exists():
        raise ValidationError(f"There is no folder {target_dir}.", field="folder")
    if not target_dir.is_dir():
        raise ValidationError(f"{target_dir} is a file, not a folder.", field="folder")
    with store.session() as session:
        row = _file_on_case(session, user, request_id, attachment_id)
        source, name = Path(row.stored_path), Path(row.filename).name or f"attachment-{row.id}"
        if not source.is_file():
            raise ValidationError(f"The stored copy of {row.filename} is missing from the data folder ({source}).",
                                  field="form")
        target = _unclash(target_dir / name)
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}.", field="folder") from None
        record(session, AuditAction.EXPORTED_FILE, user, request_id=request_id,
               detail=f"{row.filename} ({row.kind})")
    return target


def record_file_opened(store, user: UserRecord, request_id: int, attachment_id: int) -> Path:
    """Note in the audit log that ``user`` opened a case's file in the system viewer (from where it can be
    printed); returns the stored copy's path."""
    from store.services.audit import AuditAction, record

    with store.session() as session:
        row = _file_on_case(session, user, request_id, attachment_id)
        record(session, AuditAction.OPENED_FILE, user, request_id=request_id, detail=f"{row.filename} ({row.kind})")
        return Path(row.stored_path)