"""Building the code index file that :mod:`store.codes.icd10` searches.

One SQLite file: the codes (ICD-10-CM categories and codes, shipped HCPCS),
an FTS5 table of every code's searchable terms (title, ICD-10-CM inclusion
terms, the synonym list's typed forms), the synonym list's expansions, and the
rank of the codes it names. Imported only to build (it reads the ICD-10-CM
package, which takes seconds).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from store.codes.icd10 import (
    BLOCKS,
    INCLUSION,
    INDEX_FORMAT,
    SYNONYM,
    TITLE,
    dotted,
    normalize_icd10,
    sources_digest,
)
from store.codes.synonyms import (
    essential_words,
    expansion_pairs,
    indexed_text,
    shipped_synonyms,
)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE code (
    code TEXT, dotted TEXT, description TEXT,
    code_type TEXT, billable INTEGER, PRIMARY KEY (code, code_type)) WITHOUT ROWID;
-- ICD-10-CM codes the synonym file names, commonest first: a heading lists these children first.
CREATE TABLE preferred (code TEXT PRIMARY KEY, rank INTEGER) WITHOUT ROWID;
-- Typed forms of the synonym file and the code set's words they stand for (space-separated).
CREATE TABLE expansion (code_type TEXT, form TEXT, words TEXT);
-- One row per searchable term of a code: its title, an inclusion term or a synonym.
-- Rowids run in blocks (billable ICD-10-CM, ICD-10-CM headings, HCPCS), each in a
-- likely-first order, so a search reads one block and can stop after the first matches.
-- A synonym's row lists its entry's codes (space-separated, most likely first) and no description.
CREATE VIRTUAL TABLE term_fts USING fts5(
    text, dotted UNINDEXED, description UNINDEXED, kind UNINDEXED, priority UNINDEXED,
    essential UNINDEXED, shown UNINDEXED, tokenize = 'unicode61', prefix = '2 3 4', detail = none,
    columnsize = 0);
"""


def _icd10_terms(icd) -> tuple[list[tuple], list[tuple]]:
    """(code rows, term rows) of the ICD-10-CM release: every category and code, its title and inclusion terms.

    A term row is (code type, billable, dotted code(s), title, kind, priority, the term when not the title).
    """
    codes, terms = [], []
    seen_codes = set()
    for code in icd.get_all_codes(False):
        # Chapters are numbers and blocks ranges (A00-A09); a block named like its only
        # category (B20, C50 …) is listed twice, and the package answers for the category.
        if code in seen_codes or "-" in code or code.isdigit():
            continue
        seen_codes.add(code)
        title = icd.get_description(code)
        billable = int(icd.is_leaf(code))
        code_dotted = dotted(code)
        codes.append((code, code_dotted, title, "ICD10", billable))
        terms.append(("ICD10", billable, code_dotted, title, TITLE, 0, ""))
        seen = {title.lower()}
        for term in icd.get_inclusion_term(code) + icd.get_includes(code):
            term = term.strip().rstrip(".")
            if term and term.lower() not in seen:
                seen.add(term.lower())
                terms.append(("ICD10", billable, code_dotted, title, INCLUSION, 0, term))
    return codes, terms


def _synonym_terms(known: dict[tuple[str, str], tuple[str, int]]) -> tuple[list[tuple], dict[str, int]]:
    """Term rows for the synonym file's typed forms, and the rank of each billable ICD-10-CM code it names.

    A typed form becomes one term of its entry's billable codes and one of its
    headings, listing them in the entry's order; the search ranks an entry's
    first code before its second, whatever the entry, then the file's earlier
    entries first, as a code's rank here does (its best place in the file).
    Codes not in the code set are left out (the tests check there are none).
    """
    terms, preferred = [], {}
    for synonym in shipped_synonyms():
        by_billable: dict[int, list[str]] = {1: [], 0: []}
        for code in synonym.codes:
            key = (normalize_icd10(code) if synonym.code_type == "ICD10" else code, synonym.code_type)
            if key in known:
                by_billable[known[key][1]].append(dotted(key[0]) if synonym.code_type == "ICD10" else key[0])
        for position, code in enumerate(by_billable[1]):
            if synonym.code_type == "ICD10":
                rank = position * 1000 + synonym.order
                preferred[normalize_icd10(code)] = min(rank, preferred.get(normalize_icd10(code), rank))
        for billable, codes in by_billable.items():
            if codes:
                terms += [(synonym.code_type, billable, " ".join(codes), "", SYNONYM, synonym.order, " ".join(form))
                          for form in synonym.typed]
    return terms, preferred


def build_index(path: Path) -> None:
    """Write the code index to ``path`` (atomically: a temporary file renamed into place).

    Reads the ICD-10-CM package (seconds), the shipped HCPCS list and the
    synonym list; :func:`store.codes.icd10.ensure_code_index` calls it when the
    file is missing or stale.
    """
    import simple_icd_10_cm as icd

    from store.codes.procedures import shipped_hcpcs

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(_SCHEMA)
        codes, terms = _icd10_terms(icd)
        for code, description in shipped_hcpcs().items():
            codes.append((code, code, description, "HCPCS", 1))
            terms.append(("HCPCS", 1, code, description, TITLE, 0, ""))
        known = {(c[0], c[3]): (c[2], c[4]) for c in codes}
        synonym_terms, preferred = _synonym_terms(known)
        terms += synonym_terms
        con.executemany("INSERT INTO code VALUES (?, ?, ?, ?, ?)", codes)
        con.executemany("INSERT INTO preferred VALUES (?, ?)", preferred.items())
        con.executemany("INSERT INTO expansion VALUES (?, ?, ?)",
                        [(s.code_type, " ".join(form), " ".join(words))
                         for s in shipped_synonyms() for form, words in expansion_pairs([s])])
        rowid, meta = 0, [("format", INDEX_FORMAT), ("sources", sources_digest()),
                          ("icd10_billable", str(sum(c[4] for c in codes if c[3] == "ICD10")))]
        for code_type, billable in BLOCKS:
            rows = []
            for t_type, t_billable, code, title, kind, priority, shown in terms:
                if t_type == code_type and t_billable == billable:
                    essential = essential_words(shown or title)
                    rows.append((kind, priority, essential, shown or title, code, title, shown))
            # The likely-first order a search meets rows in: synonyms (by
            # priority), then terms with fewer essential words, titles before
            # inclusion terms, shorter first.
            rows.sort(key=lambda r: (r[0] != SYNONYM, r[1], len(r[2]), r[0], len(r[3]), r[4]))
            first = rowid + 1
            con.executemany(
                "INSERT INTO term_fts (rowid, text, dotted, description, kind, priority, essential, shown)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(first + i, indexed_text(r[3]), r[4], r[5], r[0], r[1], " ".join(r[2]), r[6])
                 for i, r in enumerate(rows)],
            )
            rowid = first + len(rows) - 1
            meta.append((f"block:{code_type}:{billable}", f"{first} {rowid}"))
        con.executemany("INSERT INTO meta VALUES (?, ?)", meta)
        con.execute("INSERT INTO term_fts (term_fts) VALUES ('optimize')")
        con.commit()
    finally:
        con.close()
    os.replace(tmp, path)
