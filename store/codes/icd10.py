"""ICD-10-CM (and shipped HCPCS) search and validation from a prebuilt index.

``simple_icd_10_cm`` holds the April 2026 ICD-10-CM release, but importing it
costs seconds and ~185 MB, so it is read once to build a small SQLite file
with an FTS5 table (:func:`ensure_code_index`), at ``authdesk`` start-up in
the background or by ``authdesk db upgrade``. Every keystroke afterwards is a
query on that file (well under 10 ms; see ``benchmarks/codes_search.py``).

What a word search finds (the clerk's guide is ``docs/clerk.md``):

* every code's title, its ICD-10-CM inclusion terms ("Includes" notes and
  inclusion terms, e.g. ``high blood pressure`` under I10) and the hand-kept
  synonyms of ``codes/data/synonyms.toml`` (``copd``, ``heart attack``);
* a synonym's typed form also stands for its words inside a longer search
  (``copd exacerbation`` finds "chronic obstructive pulmonary disease with
  (acute) exacerbation");
* every word typed may be the start of a word (``pneumon``), except a single
  letter, which is taken whole (``vitamin d``).
* when no code has every word, the search drops the last word, then the one
  before it (``knee a`` shows the codes for ``knee`` until the word is typed).

How hits are ranked: billable codes first, headings (categories) after them.
Among each, a code ranks by its closest term, compared on (1) how many of the
term's essential words the search did not find (words in () or [], words
such as "of", "unspecified" or "NOS", and the words of a default such as
"without complications" are not essential), (2) how many typed words it
matched only as the start of a longer word (``mi`` in "migraine"), (3) how
many only through a synonym's words (what was typed beats what it stands for),
(4) a synonym before a title before an inclusion term, (5) the synonym file's
order (an entry's first code first), (6) a term that starts with a searched
word, (7) fewer essential words, a shorter title, the code.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from store.codes.synonyms import SynonymMatcher, words_of
from store.errors import ValidationError

INDEX_FORMAT = "5"  # bump when the index layout or the way it is built changes
DIAGNOSIS_FIELD = "diagnosis-search"
_ICD_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?$")
_CODE_PREFIX = re.compile(r"[A-Z][0-9A-Z]{0,6}")
CANDIDATES = 120  # billable word matches read (in the index's order) before the best are chosen
HEADING_CANDIDATES = 60  # the same for headings
MAX_SEARCH_WORDS = 12  # words of one search that are used (a longer text is cut)
HEADINGS_SHOWN = 2  # headings a search shows after its billable codes, at least, when any match
CHILDREN_NAMED = 3  # billable codes named when a heading is refused

# Kinds of indexed term, in ranking order.
SYNONYM, TITLE, INCLUSION = 0, 1, 2
# Rowid blocks of the full-text table (code type, billable): a word search reads one block.
BLOCKS = (("ICD10", 1), ("ICD10", 0), ("HCPCS", 1))


@dataclass(frozen=True, slots=True)
class CodeHit:
    """A code from the index.

    Attributes:
        code: the dotted code (``M17.11``).
        description: its title in the code set.
        code_type: ``ICD10`` or ``HCPCS``.
        billable: False for a heading (a category such as ``E11``): it cannot be
            used on a request, and :meth:`CodeIndex.children` lists its codes.
        matched: the synonym or inclusion term through which a word search found
            the code, when it was not the title (``heart attack``); else empty.
    """

    code: str
    description: str
    code_type: str = "ICD10"
    billable: bool = True
    matched: str = ""


def normalize_icd10(text: str) -> str:
    """``" m17.11 "`` → ``"M1711"``: upper case, no dots, no spaces."""
    return "".join((text or "").split()).replace(".", "").upper()


def dotted(code: str) -> str:
    """``M1711`` → ``M17.11`` (ICD-10-CM puts the dot after three characters)."""
    code = normalize_icd10(code)
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def index_path() -> Path:
    """Where the index lives (``[paths] code_index`` / ``AUTHDESK_CODE_INDEX`` overrides the data folder)."""
    from store.config import settings

    override = settings().paths_code_index
    if override:
        return Path(override).expanduser()
    from store import paths

    return paths.code_index_path()


def sources_digest() -> str:
    """A fingerprint of what the index is built from: the code package's files and the shipped data files.

    An index built from other sources (an edited synonym list or HCPCS list,
    a new release of the package) is rebuilt, as one of an older
    :data:`INDEX_FORMAT` is. Cheap enough for start-up: the package is not
    imported (the names and sizes of its files are checksummed) and the files
    of ``store/codes/data/`` are checksummed as they are.
    """
    data = Path(__file__).with_name("data")  # the shipped data files, read as files (no import needed)
    checksum = 0
    for path in sorted(data.iterdir()) if data.is_dir() else ():
        if path.is_file():
            checksum = zlib.crc32(path.read_bytes(), zlib.crc32(path.name.encode(), checksum))
    return f"{_package_stamp()}-{checksum:08x}"


def _package_stamp() -> str:
    """The installed ``simple_icd_10_cm`` files' names and sizes, checksummed (found, not imported)."""
    from importlib.util import find_spec

    spec = find_spec("simple_icd_10_cm")
    if spec is None or not spec.origin:
        return "none"
    base = Path(spec.origin).parent
    files = sorted(f"{p.relative_to(base)}:{p.stat().st_size}"
                   for folder in (base, base / "data") if folder.is_dir() for p in folder.iterdir() if p.is_file())
    return f"{zlib.crc32(';'.join(files).encode()):08x}"


def is_current(path: Path) -> bool:
    """Whether ``path`` holds an index of this format, built from the current sources."""
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('format', 'sources')").fetchall())
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return rows.get("format") == INDEX_FORMAT and rows.get("sources") == sources_digest()


_build_lock = threading.Lock()


def ensure_code_index(path: Path | None = None) -> Path:
    """Build the index file if it is missing, of an older format or from other sources; returns its path."""
    path = Path(path) if path else index_path()
    if is_current(path):
        return path
    with _build_lock:
        if not is_current(path):
            # Seconds, once: the build's module (and the package it reads) stay off a search's way.
            from store.codes.index_build import build_index

            build_index(path)
    return path


def _is_word_start(word: str) -> bool:
    """Whether a typed word is searched as the start of words: all but single letters.

    The typed words may be unfinished (``pneumon``); a single letter is taken
    whole (``vitamin d``, ``hepatitis c``, ``a-fib``): as a word start it
    would match a good part of the code set, slowly.
    """
    return len(word) > 1 or word.isdigit()


def _fts_query(groups) -> str:
    """The FTS5 expression for word groups: each group's typed words, or one of its expansions (whole words)."""
    parts = []
    for group in groups:
        typed = " AND ".join(f'"{w}"*' if _is_word_start(w) else f'"{w}"' for w in group.typed)
        alternatives = [f"({typed})"]
        alternatives += ["(" + " AND ".join(f'"{w}"' for w in words) + ")" for words in group.expansions]
        parts.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


class CodeIndex:
    """Read-only queries on the index file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._matchers: dict[str, SynonymMatcher] = {}
        self._blocks: dict[tuple[str, int], tuple[int, int]] = {}

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def _matcher(self, code_type: str) -> SynonymMatcher:
        matcher = self._matchers.get(code_type)
        if matcher is None:
            rows = self._con().execute("SELECT form, words FROM expansion WHERE code_type = ?", (code_type,))
            matcher = SynonymMatcher((tuple(f.split()), tuple(w.split())) for f, w in rows)
            self._matchers[code_type] = matcher
        return matcher

    def _block(self, code_type: str, billable: int) -> tuple[int, int]:
        if not self._blocks:
            for key, value in self._con().execute("SELECT key, value FROM meta WHERE key LIKE 'block:%'"):
                _, kind, flag = key.split(":")
                low, high = value.split()
                self._blocks[(kind, int(flag))] = (int(low), int(high))
        return self._blocks.get((code_type, billable), (1, 0))

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

    def children(self, code: str, limit: int | None = None) -> list[CodeHit]:
        """The billable codes under a heading (``E11``, ``M17.1``): the ones clerks use most first.

        Codes the synonym file names come first, in its order (``E11`` →
        ``E11.9``, ``E11.65`` …), then the others in code order. A billable
        or unknown code has no children (an empty list).

        Args:
            code: a heading, in any spelling (``m17.1``, ``M171``).
            limit: at most this many (None: all of them).
        """
        heading = normalize_icd10(code)
        if not heading or (hit := self.lookup_diagnosis(heading)) is None or hit.billable:
            return []
        rows = self._con().execute(
            "SELECT c.dotted, c.description FROM code AS c LEFT JOIN preferred AS p ON p.code = c.code"
            " WHERE c.code > ? AND c.code < ? AND c.code_type = 'ICD10' AND c.billable = 1"
            " ORDER BY p.rank IS NULL, p.rank, c.code LIMIT ?",
            (heading, heading + "~", -1 if limit is None else max(limit, 0)),
        ).fetchall()
        return [CodeHit(r[0], r[1]) for r in rows]

    def search_diagnoses(self, text: str, limit: int = 8, headings: int = HEADINGS_SHOWN) -> list[CodeHit]:
        """ICD-10-CM codes for ``text``: a code prefix (``m17.1``) or words (``knee osteo``, ``copd``).

        Billable codes come first; headings (``billable`` False) follow them:
        at least ``headings`` of them when that many match, more when fewer
        billable codes do. Typing a heading's code lists its most used codes
        first (as :meth:`children`).
        """
        return self._search(text, "ICD10", limit, headings)

    def search_procedures(self, text: str, limit: int = 8) -> list[CodeHit]:
        """HCPCS Level II codes the app ships, by code prefix, words or common names (CPT has no descriptions)."""
        return self._search(text, "HCPCS", limit, 0)

    def _search(self, text: str, code_type: str, limit: int, headings: int) -> list[CodeHit]:
        text = (text or "").strip()
        if not text or limit <= 0:
            return []
        headings = max(0, min(headings, limit))
        code = normalize_icd10(text)
        if _CODE_PREFIX.fullmatch(code) and any(ch.isdigit() for ch in code):
            billable, heads = self._by_code(code, code_type, limit, headings)
            if billable or heads:
                return _billable_then_headings(billable, heads, limit, headings)
        words = words_of(text)[:MAX_SEARCH_WORDS]
        if not words:
            return []
        groups = self._matcher(code_type).groups(words)
        while True:
            search = _WordSearch(groups)
            billable = self._by_words(search, code_type, 1, CANDIDATES, limit)
            heads = self._by_words(search, code_type, 0, HEADING_CANDIDATES, limit) if headings else []
            if billable or heads or len(groups) == 1:
                return _billable_then_headings(billable, heads, limit, headings)
            groups = groups[:-1]  # no code has every word: the clerk may still be typing the last one

    def _by_code(self, code: str, code_type: str, limit: int, headings: int) -> tuple[list[CodeHit], list[CodeHit]]:
        con = self._con()
        hit = self.lookup(code, code_type)
        if hit is not None and not hit.billable:
            billable = self.children(code, limit)
        else:
            rows = con.execute(
                "SELECT dotted, description FROM code WHERE code >= ? AND code < ? AND code_type = ? AND billable = 1"
                " ORDER BY code LIMIT ?", (code, code + "~", code_type, limit)).fetchall()
            billable = [CodeHit(r[0], r[1], code_type) for r in rows]
        rows = con.execute(
            "SELECT dotted, description FROM code WHERE code >= ? AND code < ? AND code_type = ? AND billable = 0"
            " ORDER BY code LIMIT ?", (code, code + "~", code_type, limit if headings else 0)).fetchall()
        return billable, [CodeHit(r[0], r[1], code_type, False) for r in rows]

    def _by_words(self, search: _WordSearch, code_type: str, billable: int, candidates: int,
                  limit: int) -> list[CodeHit]:
        low, high = self._block(code_type, billable)
        rows = self._con().execute(
            "SELECT dotted, description, kind, priority, essential, shown, text FROM term_fts"
            " WHERE term_fts MATCH ? AND rowid BETWEEN ? AND ? LIMIT ?",
            (search.query, low, high, candidates),
        ).fetchall()
        best: dict[str, tuple] = {}
        rank = search.rank
        for codes, description, kind, priority, essential, shown, text in rows:
            if kind == SYNONYM:  # the entry's codes, most likely first
                found = [(code, rank(essential, text, kind, position * 1000 + priority, description, code))
                         for position, code in enumerate(codes.split())]
            else:
                found = [(codes, rank(essential, text, kind, priority, description, codes))]
            for code, key in found:
                known = best.get(code)
                if known is None or key < known[0]:
                    best[code] = (key, description, shown)
        ranked = sorted(best.items(), key=lambda item: item[1][0])[:limit]
        titles = self._titles([code for code, (_, description, _) in ranked if not description], code_type)
        return [CodeHit(code, description or titles[code], code_type, bool(billable), shown)
                for code, (_, description, shown) in ranked]

    def _titles(self, codes: list[str], code_type: str) -> dict[str, str]:
        """Dotted code → title, for ``codes`` (dotted)."""
        if not codes:
            return {}
        rows = self._con().execute(
            f"SELECT dotted, description FROM code WHERE code_type = ? AND code IN ({', '.join('?' * len(codes))})",
            (code_type, *(normalize_icd10(c) for c in codes)),
        ).fetchall()
        return dict(rows)


class _WordSearch:
    """One word search: its FTS5 query and how close a matched term is to what was typed."""

    def __init__(self, groups) -> None:
        self.query = _fts_query(groups)
        options = [option for g in groups for option in (g.typed, *g.expansions)]
        self.starts = tuple({w for g in groups for w in g.typed if _is_word_start(w)})
        self.whole = frozenset(w for option in options for w in option) - set(self.starts)
        # Each group's typed words and expansions as " word " pieces of a term's padded text.
        self._groups = [(tuple(f" {w} " for w in g.typed), tuple(tuple(f" {w} " for w in e) for e in g.expansions))
                        for g in groups]

    def rank(self, essential: str, text: str, kind: int, priority: int, description: str, code: str) -> tuple:
        """A matched term's place in the hits (smaller first): the ranking rule of this module's docstring.

        Args:
            essential: the term's essential words (space-separated).
            text: the term's indexed text (its words, space-separated).
            kind: SYNONYM, TITLE or INCLUSION.
            priority: the synonym file's order for a synonym (0 otherwise).
            description: the code's title.
            code: the code.
        """
        starts, whole = self.starts, self.whole
        words = essential.split()
        untyped = 0  # essential words the search did not find
        for word in words:
            if not (word.startswith(starts) or word in whole):
                untyped += 1
        padded = f" {text} "
        partial = expanded = 0  # groups found only as a word's start / only through a synonym's words
        for typed, expansions in self._groups:
            if all(w in padded for w in typed):
                continue
            if any(all(w in padded for w in option) for option in expansions):
                expanded += 1
            else:
                partial += 1
        other_start = not (words and (words[0].startswith(starts) or words[0] in whole))
        return (untyped, partial, expanded, kind, priority, other_start, len(words), len(description), code)


def _billable_then_headings(billable: list[CodeHit], heads: list[CodeHit], limit: int,
                            headings: int) -> list[CodeHit]:
    """At most ``limit`` hits: billable codes, then headings (``headings`` slots kept for them, more if free)."""
    billable = billable[:max(0, limit - min(len(heads), headings))]
    return billable + heads[:limit - len(billable)]


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


def code_index_is_open() -> bool:
    """Whether :func:`get_code_index` returns at once (the index is built and open), with no build."""
    path = index_path()
    with _indexes_lock:
        index = _indexes.get(path)
    return index is not None and path.exists()


def validate_diagnosis(text: str, field: str = DIAGNOSIS_FIELD) -> CodeHit:
    """A billable ICD-10-CM code for ``text``, or a ValidationError that says why not.

    A heading (a category such as ``E11``) is refused with a message that
    names some of its billable codes, the most used first.
    """
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
        raise ValidationError(heading_message(hit, index.children(hit.code, CHILDREN_NAMED)), field=field)
    return hit


def heading_message(heading: CodeHit, children: list[CodeHit]) -> str:
    """``E11 is a category, not a billable code: pick one of its codes, such as E11.9, E11.65 or E11.8.``"""
    named = [c.code for c in children]
    if not named:
        return f"{heading.code} is a category, not a billable code: pick a more specific code."
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"
    return f"{heading.code} is a category, not a billable code: pick one of its codes, such as {listed}."
