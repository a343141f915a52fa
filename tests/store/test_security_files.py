"""Attachments: bad files get a clear reason, never an OSError or a stored bomb."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from store.errors import ValidationError
from store.services import attachments
from store.services.attachments import check_file

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zip(path: Path, parts: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _docx(path: Path, **extra) -> Path:
    return _zip(path, {"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
                       "word/document.xml": "<w:document>notes</w:document>", **extra})


def _refused(path) -> str:
    with pytest.raises(ValidationError) as refused:
        check_file(str(path))
    assert set(refused.value.errors) == {"attachment"}
    return refused.value.errors["attachment"]


@pytest.mark.parametrize(("name", "data", "media"), [
    ("a.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n", "application/pdf"),
    ("a.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 30, "image/png"),
    ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 30, "image/jpeg"),
    ("a.tif", b"II*\x00\x08\x00\x00\x00" + b"\x00" * 30, "image/tiff"),
    ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "application/msword"),
    ("a.txt", "Patient seen on 3/2; knee pain, x-ray attached.\n".encode(), "text/plain"),
])
def test_accepted_kinds_are_recognised_by_content(tmp_path, name, data, media):
    path = tmp_path / name
    path.write_bytes(data)
    assert check_file(str(path))[1] == media


def test_office_documents_with_their_parts_are_accepted(tmp_path):
    assert check_file(str(_docx(tmp_path / "a.docx")))[1] == WORD
    xlsx = _zip(tmp_path / "a.xlsx", {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
    assert check_file(str(xlsx))[1] == EXCEL


def test_a_docx_holding_only_the_document_part_is_refused(tmp_path):
    path = _zip(tmp_path / "bare.docx", {"word/document.xml": "<w:document/>"})
    assert "not a complete Word document (missing [Content_Types].xml)" in _refused(path)


def test_a_docx_that_inflates_too_far_is_refused(tmp_path):
    path = _docx(tmp_path / "bomb.docx", **{"word/media/zeros.bin": b"\x00" * (40 * 1024 * 1024)})
    assert path.stat().st_size < 1024 * 1024
    message = _refused(path)
    assert "unpacks to more than" in message and "unsafe" in message


def test_the_absolute_inflation_limit_holds_too(tmp_path, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_INFLATED_BYTES", 1024)
    monkeypatch.setattr(attachments, "MAX_INFLATE_RATIO", 10_000)
    path = _docx(tmp_path / "big.docx", **{"word/media/text.xml": "x" * 5000})
    assert "unpacks to more than 1 KB" in _refused(path)


def test_a_zip_with_too_many_entries_is_refused(tmp_path):
    parts = {f"word/media/{i}.xml": "" for i in range(attachments.MAX_ZIP_ENTRIES + 1)}
    message = _refused(_docx(tmp_path / "many.docx", **parts))
    assert f"{attachments.MAX_ZIP_ENTRIES + 4:,} files inside" in message


def test_macros_are_refused(tmp_path):
    path = _docx(tmp_path / "macro.docx", **{"word/vbaProject.bin": b"\x00\x01"})
    assert "holds macros" in _refused(path)


def test_a_plain_zip_is_not_an_office_file(tmp_path):
    path = _zip(tmp_path / "notes.docx", {"notes.txt": "hello"})
    assert "not a supported file type" in _refused(path)


@pytest.mark.parametrize(("name", "data"), [
    ("page.html", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
    ("page.txt", b"Notes for the case\n<script>fetch('http://evil.example')</script>\n"),
    ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("run.txt", b"#!/bin/sh\nrm -rf ~\n"),
])
def test_web_pages_and_scripts_are_refused(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    message = _refused(path)
    assert "not a supported file type" in message and "web page or a script" in message


def test_a_program_renamed_to_pdf_says_what_it_is(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    assert "a Windows program" in _refused(path)


def test_a_very_long_file_name_is_a_message(tmp_path):
    message = _refused(tmp_path / ("n" * 300 + ".pdf"))
    assert "too long" in message


def test_a_folder_without_permission_is_a_message(tmp_path, monkeypatch):
    path = tmp_path / "locked" / "a.pdf"

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "stat", refuse)
    assert "permission denied" in _refused(path)


def test_a_path_with_a_trailing_space_is_kept_as_typed(tmp_path):
    path = tmp_path / "notes.txt "
    path.write_bytes(b"plain notes\n")
    found, media, _ = check_file(str(path))
    assert found.name == "notes.txt " and media == "text/plain"
    other = tmp_path / "other.txt"
    other.write_bytes(b"plain\n")
    assert check_file(f"  '{other}'  ")[0] == other  # pasted with quotes and spaces


