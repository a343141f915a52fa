"""ICD-10-CM (and shipped HCPCS) search and validation from a prebuilt index.

``simple_icd_10_cm`` holds the April 2026 ICD-10-CM release, but importing it
costs seconds and ~185 MB, so it is read once to build a small SQLite file
with an FTS5 table (:func:`ensure_code_index`), at ``authdesk`` start-up in
the background or by ``authdesk db upgrade``. Every keystroke afterwards is a
query on that file (well under 10 ms; see ``benchmarks/codes_search.py``).
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from store.errors import ValidationError

INDEX_FORMAT = "4"  # bump when the index layout or its sources change
DIAGNOSIS_FIELD = "diagnosis-search"
_ICD_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?$")
_WORD = re.compile(r"[0-9A-Za-z]+")
CANDIDATES = 120  # word matches read (in rank order) before the best are chosen


@dataclass(frozen=True, slots=True)
class CodeHit:
    """A code from the index: its dotted code, description, type and billability."""

    code: str
    description: str
    code_type: str = "ICD10"
    billable: bool = True


def normalize_icd10(text: str) -> str:
    """``" m17.11 "`` → ``"M1711"``: upper case, no dots, no spaces."""
    return re.sub(r"[\s.]", "", text or "").upper()


def dotted(code: str) -> str:
    """``M1711`` → ``M17.11`` (ICD-10-CM puts the dot after three characters)."""
    code = normalize_icd10(code)
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def index_path() -> Path:
    """Where the index lives (``AUTHDESK_CODE_INDEX`` overrides the data folder)."""
    override = os.environ.get("AUTHDESK_CODE_INDEX", "").strip()
    if override:
        return Path(override).expanduser()
    from store import paths

    return paths.code_index_path()


def is_current(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == INDEX_FORMAT


_build_lock = threading.Lock()


def ensure_code_index(path: Path | None = None) -> Path:
    """Build the index file if it is missing or from an older format; returns its path."""
    path = Path(path) if path else index_path()
    if is_current(path):
        return path
    with _build_lock:
        if not is_current(path):
            _build(path)
    return path


def _build(path: Path) -> None:
    import simple_icd_10_cm as icd

    from store.codes.procedures import shipped_hcpcs

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE code (
                code TEXT, dotted TEXT, description TEXT,
                code_type TEXT, billable INTEGER, PRIMARY KEY (code, code_type)) WITHOUT ROWID;
            CREATE VIRTUAL TABLE code_fts USING fts5(
                dotted UNINDEXED, code_type UNINDEXED, billable UNINDEXED, description,
                tokenize = 'unicode61', prefix = '2 3 4');
            """
        )
        rows = []
        seen = set()
        for code in icd.get_all_codes(False):
            if code in seen or icd.is_chapter_or_block(code):
                continue
            seen.add(code)
            rows.append((code, dotted(code), icd.get_description(code), "ICD10", int(icd.is_leaf(code))))
        for code, description in shipped_hcpcs().items():
            rows.append((code, code, description, "HCPCS", 1))
        con.executemany("INSERT INTO code VALUES (?, ?, ?, ?, ?)", rows)
        # Rowid order is the ranking: billable codes first, then shorter (more
        # general) descriptions, so a word search can stop at the first matches.
        ranked = sorted(rows, key=lambda r: (-r[4], len(r[2]), r[0]))
        con.executemany(
            "INSERT INTO code_fts (dotted, code_type, billable, description) VALUES (?, ?, ?, ?)",
            [(r[1], r[3], r[4], r[2]) for r in ranked],
        )
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("format", INDEX_FORMAT), ("icd10_billable", str(sum(r[4] for r in rows if r[3] == "ICD10")))],
        )
        con.commit()
    finally:
        con.close()
    os.replace(tmp, path)


class CodeIndex:
    """Read-only queries on the index file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def billable_count(self) -> int:
        """How many billable ICD-10-CM codes the index holds."""
        return int(self._con().execute("SELECT value FROM meta WHERE key = 'icd10_billable'").fetchone()[0])

    def lookup(self, code: str, code_type: str = "ICD10") -> CodeHit | None:
        """The entry for an exact code (any spelling: case, dots, spaces)."""
        row = self._con().execute(
            "SELECT dotted, description, code_type, billable FROM code WHERE code = ? AND code_type = ?",
            (normalize_icd10(code), code_type),
        ).fetchone()
        return CodeHit(row[0], row[1], row[2], bool(row[3])) if row else None

    def lookup_diagnosis(self, code: str) -> CodeHit | None:
        """The ICD-10-CM entry for ``code`` (billable or a category), or None."""
        return self.lookup(code, "ICD10")

    def search_diagnoses(self, text: str, limit: int = 8) -> list[CodeHit]:
        """ICD-10-CM codes for ``text``: a code prefix (``m17.1``) or words (``knee osteo``)."""
        return self._search(text, "ICD10", limit)

    def search_procedures(self, text: str, limit: int = 8) -> list[CodeHit]:
        """HCPCS Level II codes the app ships, by code prefix or words (CPT has no descriptions)."""
        return self._search(text, "HCPCS", limit)

    def _search(self, text: str, code_type: str, limit: int) -> list[CodeHit]:
        text = (text or "").strip()
        if not text:
            return []
        con = self._con()
        code = normalize_icd10(text)
        hits: list[CodeHit] = []
        if re.fullmatch(r"[A-Z][0-9A-Z]{0,6}", code) and any(ch.isdigit() for ch in code):
            rows = con.execute(
                "SELECT dotted, description, code_type, billable FROM code"
                " WHERE code >= ? AND code < ? AND code_type = ?"
                " ORDER BY code LIMIT ?",
                (code, code + "~", code_type, limit),
            ).fetchall()
            hits = [CodeHit(r[0], r[1], r[2], bool(r[3])) for r in rows]
            if hits:
                return hits
        words = _WORD.findall(text)
        if not words:
            return []
        query = " ".join(f'"{w.lower()}"*' for w in words)
        rows = con.execute(
            "SELECT dotted, description, code_type, billable FROM code_fts"
            " WHERE code_fts MATCH ? AND code_type = ? LIMIT ?",
            (query, code_type, CANDIDATES),
        ).fetchall()
        first, phrase = words[0].lower(), " ".join(w.lower() for w in words)

        def rank(row) -> tuple:
            description = row[1].lower()
            return (not row[3], phrase not in description, not description.startswith(first), len(description))

        rows.sort(key=rank)
        return [CodeHit(r[0], r[1], r[2], bool(r[3])) for r in rows[:limit]]


_indexes: dict[Path, CodeIndex] = {}
_indexes_lock = threading.Lock()


def get_code_index() -> CodeIndex:
    """The index at :func:`index_path`, built first if needed (seconds, once)."""
    path = index_path()
    with _indexes_lock:
        index = _indexes.get(path)
    if index is not None and path.exists():
        return index
    ensure_code_index(path)
    index = CodeIndex(path)
    with _indexes_lock:
        _indexes[path] = index
    return index


def validate_diagnosis(text: str, field: str = DIAGNOSIS_FIELD) -> CodeHit:
    """A billable ICD-10-CM code for ``text``, or a ValidationError that says why not."""
    code = normalize_icd10(text)
    if not code:
        raise ValidationError("Enter an ICD-10-CM code or words to search.", field=field)
    if not _ICD_SHAPE.match(code):
        raise ValidationError(
            f"“{text.strip()}” is not shaped like an ICD-10-CM code (a letter, two characters, "
            "then up to four more, e.g. M17.11).",
            field=field,
        )
    index = get_code_index()
    hit = index.lookup_diagnosis(code)
    if hit is None:
        raise ValidationError(f"{dotted(code)} is not an ICD-10-CM code (April 2026 release).", field=field)
    if not hit.billable:
        children = [h.code for h in index.search_diagnoses(code, 4) if h.billable and h.code != hit.code]
        more = f" such as {', '.join(children[:3])}" if children else ""
        raise ValidationError(
            f"{hit.code} is a category, not a billable code: choose a more specific code{more}.", field=field
        )
    return hit
