"""Determination letters: a real PDF with the case's numbers, outcomes and disclaimers."""

from __future__ import annotations

import hashlib
import re
import zlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from store.enums import AttachmentKind, LineStatus, RequestStatus
from store.models import Attachment, AuthRequest, ServiceLine
from store.services import letters, review
from tests.store.review_cases import line_ids, make_case, people


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF, good enough to search (handles Flate streams too)."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    raw = b"\n".join(chunks).decode("latin-1")
    # Literal strings in text-showing operators: (text) Tj — unescape \( \) \\.
    strings = re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", raw)
    return "\n".join(re.sub(r"\\(.)", r"\1", s) for s in strings)


@pytest.fixture
def decided_case(store, frozen_now):
    clerk, _, reviewer = people(store)
    case_id = make_case(store, clerk)
    first, second = line_ids(store, case_id)
    with store.session() as s:
        review.accept_request(s, reviewer, case_id, attachments_dir=store.attachments_dir)
    with store.session() as s:
        review.decide_line(s, reviewer, case_id, first, "A3", reason="Imaging within 6 weeks (MCG criterion 2 not met).",
                           attachments_dir=store.attachments_dir)
    with store.session() as s:
        review.decide_line(s, reviewer, case_id, second, "A2", units=8, from_date=date(2026, 3, 10),
                           to_date=date(2026, 4, 9), attachments_dir=store.attachments_dir)
    return case_id


def _letters(store, case_id):
    with store.session() as s:
        return list(
            s.execute(
                select(Attachment).where(Attachment.request_id == case_id).order_by(Attachment.id)
            ).scalars()
        )


def test_letter_is_a_pdf_with_numbers_lines_and_disclaimers(store, decided_case):
    rows = _letters(store, decided_case)
    assert [r.kind for r in rows] == [AttachmentKind.LETTER] * 3
    assert all(r.media_type == "application/pdf" for r in rows)
    data = Path(rows[-1].stored_path).read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data)
    for needle in (
        "Lakeshore Health Plan",
        "Service line determination",
        "WC-",
        "SP",
        "(active)",
        "Whitfield, Dana",
        "M1000001",
        "Rivera, Ana MD",
        "Line 1: 73721 (CPT)",
        "Denied (A3)",
        "Imaging within 6 weeks (MCG criterion 2 not met).",
        "Line 2: 97110 (CPT)",
        "Partially approved (A2)",
        "A2",
        "8 units, 03/10/2026 - 04/09/2026",
        "12 units, 03/10/2026 - 04/30/2026",
        "An authorization is not a guarantee of payment",
        "The WebCert number is NOT the authorization number.",
    ):
        assert needle in text, needle
    with store.session() as s:
        req = s.get(AuthRequest, decided_case)
        assert req.auth_number in text and req.webcert_number in text


def test_rejection_letter_carries_the_reason(store, frozen_now):
    clerk, _, reviewer = people(store)
    case_id = make_case(store, clerk)
    with store.session() as s:
        review.reject_request(s, reviewer, case_id, "Duplicate of WC-0000009 (same member, code and dates).",
                              attachments_dir=store.attachments_dir)
    (row,) = _letters(store, case_id)
    text = pdf_text(Path(row.stored_path).read_bytes())
    assert "Request rejected" in text
    assert "Duplicate of WC-0000009 (same member, code and dates)." in text
    assert "(not active)" in text


def test_letter_is_stored_by_sha256_and_deduplicated(store, frozen_now, tmp_path):
    clerk, _, reviewer = people(store)
    case_id = make_case(store, clerk)
    folder = tmp_path / "letters"
    with store.session() as s:
        req = s.get(AuthRequest, case_id)
        one = letters.write_determination_letter(s, req, letters.LETTER_ACCEPTED, folder)
        two = letters.write_determination_letter(s, req, letters.LETTER_ACCEPTED, folder)
        assert one.id != two.id and one.sha256 == two.sha256  # same content, same time: same file
        data = Path(one.stored_path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == one.sha256
        assert Path(one.stored_path) == (folder / one.sha256[:2] / one.sha256).resolve()
        assert one.size_bytes == len(data)
        assert [p.name for p in (folder / one.sha256[:2]).iterdir()] == [one.sha256]  # no temp files left
        with pytest.raises(ValueError):
            letters.write_determination_letter(s, req, "bogus", folder)


def test_text_outside_latin1_is_folded_not_fatal(store, frozen_now):
    clerk, _, reviewer = people(store)
    case_id = make_case(store, clerk, member=("M2000002", "Zoë", "Nguyễn"))
    with store.session() as s:
        review.reject_request(s, reviewer, case_id, "Reason with “quotes” — dashes… and 漢字",
                              attachments_dir=store.attachments_dir)
    (row,) = _letters(store, case_id)
    text = pdf_text(Path(row.stored_path).read_bytes())
    assert 'Reason with "quotes" - dashes... and ??' in text
    assert "Zo\u00eb" in text


def test_pending_line_and_pended_line_wording(store, frozen_now):
    clerk, _, reviewer = people(store)
    case_id = make_case(store, clerk)
    first, _ = line_ids(store, case_id)
    with store.session() as s:
        review.accept_request(s, reviewer, case_id, attachments_dir=store.attachments_dir)
        review.decide_line(s, reviewer, case_id, first, "A4", reason="Operative report needed.",
                           attachments_dir=store.attachments_dir)
    row = _letters(store, case_id)[-1]
    assert row.filename.endswith("-line-1-v3.pdf")
    text = pdf_text(Path(row.stored_path).read_bytes())
    assert "Pended (A4)" in text and "Information needed" in text and "Operative report needed." in text
    assert "No decision yet" in text  # line 2 still open
    with store.session() as s:
        assert s.get(ServiceLine, first).status == LineStatus.PENDED
        assert s.get(AuthRequest, case_id).status == RequestStatus.ACCEPTED
