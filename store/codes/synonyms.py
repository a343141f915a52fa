"""The words clerks type and what they mean in the code sets.

``codes/data/synonyms.toml`` is kept by hand: common abbreviations and lay
names (``copd``, ``heart attack``, ``knee replacement``) with the words of the
code set they stand for and the codes a clerk most likely means, most likely
first. The code index (:mod:`store.codes.icd10`) is built from it and the
search expands typed words with it; this module holds the file's reading and
the word rules both share, so the index and the search split text alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

SYNONYM_FILE = "data/synonyms.toml"
SECTIONS = {"diagnosis": "ICD10", "procedure": "HCPCS"}  # file section → code type it serves
_ENTRY_KEYS = {"typed", "words", "codes"}

# Words that say nothing about what the clerk means: a code's title that has
# them is not a worse match for lacking them in the search. ``unspecified``,
# ``uncomplicated`` and ``NOS`` (not otherwise specified) mark the general code
# of a group, which a clerk typing a bare condition wants; ``other`` is kept, so
# "Other ..." codes rank below the unspecified one.
STOPWORDS = frozenset({"a", "an", "and", "as", "at", "by", "due", "for", "from", "in", "nos", "of", "on", "or",
                       "the", "to", "uncomplicated", "unspecified", "with"})
_NOT_ELSEWHERE = re.compile(r"\bnot elsewhere classified\b|\bclassified elsewhere\b", re.IGNORECASE)
_OPTIONAL = re.compile(r"\([^)]*\)|\[[^\]]*\]")  # ICD-10-CM puts nonessential words in () and []
# Phrases that name a code's default, which a clerk does not type: what it is
# "without", "not intractable", "not specified as recurrent", and the 7th
# character's usual "initial encounter (for closed fracture)". Without them the
# default code ranks first ("subsequent encounter" and "sequela" stay essential).
_DEFAULTS = re.compile(r"\bwithout\b[^,]*|\bnot intractable\b|\bnot specified as\b[^,]*"
                       r"|\binitial encounter(?: for closed fracture)?\b")
_APOSTROPHES = re.compile(r"['’`]")
_WORD = re.compile(r"[0-9a-z]+")
_COMPOUND = re.compile(r"[0-9a-z]+(?:[-/][0-9a-z]+)+")
_WORD_OR_COMPOUND = re.compile(r"[0-9a-z]+(?:[-/][0-9a-z]+)*")
_JOINERS = re.compile(r"[-/]")


def _plain(text: str) -> str:
    """Lower case without accents or apostrophes (``Ménière's`` → ``menieres``)."""
    text = text or ""
    if text.isascii():
        return _APOSTROPHES.sub("", text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _APOSTROPHES.sub("", text)


def words_of(text: str) -> list[str]:
    """The searchable words of ``text``: ``"Crohn's disease, COVID-19"`` → ``crohns disease covid 19``."""
    return _WORD.findall(_plain(text))


def indexed_text(text: str) -> str:
    """What the full-text index holds for ``text``: its words, then its hyphenated words joined.

    ``Gastro-esophageal`` is found by ``gastro esophageal`` and by ``gastroesophageal``.
    """
    plain = _plain(text)
    words = _WORD.findall(plain)
    if "-" in plain or "/" in plain:
        words += [_JOINERS.sub("", m) for m in _COMPOUND.findall(plain)]
    return " ".join(words)


def essential_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` a search should match: not in () or [], not :data:`STOPWORDS`.

    Nor the phrases of a default ("without complications", "not intractable",
    "initial encounter") or "not elsewhere classified".
    Hyphenated words count once, joined (``gastroesophageal``). A text made only
    of optional words keeps them all.
    """
    plain = _plain(text)
    if "classified" in plain:
        plain = _NOT_ELSEWHERE.sub(" ", plain)
    if "without" in plain or "not " in plain or "initial encounter" in plain:
        plain = _DEFAULTS.sub(" ", plain)
    kept = _OPTIONAL.sub(" ", plain) if "(" in plain or "[" in plain else plain
    if "-" in kept or "/" in kept:
        words = [_JOINERS.sub("", m) for m in _WORD_OR_COMPOUND.findall(kept)]
    else:
        words = _WORD.findall(kept)
    essential = tuple(w for w in words if w not in STOPWORDS)
    if essential:
        return essential
    everything = _WORD.findall(plain)
    return tuple(w for w in everything if w not in STOPWORDS) or tuple(everything)


@dataclass(frozen=True, slots=True)
class Synonym:
    """One entry of the synonym file.

    Attributes:
        typed: what a clerk types, each as its words (``("heart", "attack")``); the first names the entry.
        words: the code set's words the typed ones stand for, each alternative as
            its words (``(("myocardial", "infarction"),)``; may be empty); whole
            words, where the typed ones may be the start of a word.
        codes: the codes or categories meant, most likely first, as written (``I21.9``).
        code_type: ``ICD10`` (the file's ``[[diagnosis]]``) or ``HCPCS`` (``[[procedure]]``).
        order: the entry's place in its section (0 first): an earlier entry wins a tie.
    """

    typed: tuple[tuple[str, ...], ...]
    words: tuple[tuple[str, ...], ...]
    codes: tuple[str, ...]
    code_type: str
    order: int

    @property
    def name(self) -> str:
        """The first typed form, e.g. ``copd``."""
        return " ".join(self.typed[0])


def expansion_pairs(synonyms: Iterable[Synonym]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(typed form, words) for every typed form and every alternative of the entries' words."""
    return [(form, words) for synonym in synonyms for form in synonym.typed for words in synonym.words]


class SynonymFileError(ValueError):
    """The synonym file is malformed (says which entry and why)."""


def synonym_file_bytes() -> bytes:
    """The shipped synonym file, as bytes."""
    from importlib import resources  # read only to build the index

    return resources.files("store.codes").joinpath(SYNONYM_FILE).read_bytes()


def parse_synonyms(text: str) -> tuple[Synonym, ...]:
    """The entries of a synonym file's text, checked for shape.

    Raises:
        SynonymFileError: naming the entry, for unknown keys, missing ``typed``,
            an entry with neither ``words`` nor ``codes``, or a typed form
            without words.
    """
    import tomllib  # read only to build the index

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SynonymFileError(f"synonyms.toml is not valid TOML: {exc}") from exc
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise SynonymFileError(f"synonyms.toml: unknown section(s) {sorted(unknown)}; use {sorted(SECTIONS)}")
    entries: list[Synonym] = []
    for section, code_type in SECTIONS.items():
        for order, raw in enumerate(data.get(section, [])):
            where = f"synonyms.toml [[{section}]] entry {order + 1}"
            if not isinstance(raw, dict):
                raise SynonymFileError(f"{where}: not a table")
            extra = set(raw) - _ENTRY_KEYS
            if extra:
                raise SynonymFileError(f"{where}: unknown key(s) {sorted(extra)}")
            typed = raw.get("typed")
            if not isinstance(typed, list) or not typed or not all(isinstance(t, str) for t in typed):
                raise SynonymFileError(f"{where}: 'typed' must be a non-empty list of strings")
            where = f"{where} ({typed[0]!r})"
            forms = tuple(tuple(words_of(t)) for t in typed)
            if not all(forms):
                raise SynonymFileError(f"{where}: every typed form needs a letter or digit")
            words = raw.get("words", [])
            words = [words] if isinstance(words, str) else words
            codes = raw.get("codes", [])
            if not _strings(words) or not _strings(codes):
                raise SynonymFileError(f"{where}: 'words' is a string or a list of strings, 'codes' a list of strings")
            alternatives = tuple(tuple(words_of(w)) for w in words)
            if not all(alternatives):
                raise SynonymFileError(f"{where}: every 'words' alternative needs a letter or digit")
            if not alternatives and not codes:
                raise SynonymFileError(f"{where}: give 'words', 'codes' or both")
            entries.append(Synonym(forms, alternatives, tuple(c.strip().upper() for c in codes), code_type, order))
    return tuple(entries)


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


@lru_cache(maxsize=1)
def shipped_synonyms() -> tuple[Synonym, ...]:
    """The entries of the shipped ``codes/data/synonyms.toml``."""
    return parse_synonyms(synonym_file_bytes().decode("utf-8"))


@dataclass(frozen=True, slots=True)
class WordGroup:
    """Typed words the search must find together, or any of their expansions instead."""

    typed: tuple[str, ...]
    expansions: tuple[tuple[str, ...], ...] = ()


class SynonymMatcher:
    """Finds the synonym file's typed forms in a search and expands them into the code set's words.

    Args:
        expansions: pairs of a typed form and the words it stands for, as
            :func:`expansion_pairs` gives them (a form may have several).
    """

    def __init__(self, expansions: Iterable[tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        forms: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for form, words in expansions:
            known = forms.setdefault(tuple(form), [])
            if words and tuple(words) != tuple(form) and tuple(words) not in known:
                known.append(tuple(words))
        by_first: dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]] = {}
        for form, words in forms.items():
            if words:
                by_first.setdefault(form[0], []).append((form, tuple(words)))
        for candidates in by_first.values():
            candidates.sort(key=lambda item: -len(item[0]))  # longest form first
        self._by_first = by_first

    def groups(self, words: Sequence[str]) -> list[WordGroup]:
        """``["copd", "exacerbation"]`` → ``copd`` (or ``chronic obstructive pulmonary disease``), ``exacerbation``.

        A typed form matches whole words only (``mi`` expands, ``mig`` does
        not), the longest form first, left to right.
        """
        groups: list[WordGroup] = []
        i = 0
        while i < len(words):
            for form, expansions in self._by_first.get(words[i], ()):
                if tuple(words[i:i + len(form)]) == form:
                    groups.append(WordGroup(form, expansions))
                    i += len(form)
                    break
            else:
                groups.append(WordGroup((words[i],)))
                i += 1
        return groups


__all__ = ["STOPWORDS", "Synonym", "SynonymFileError", "SynonymMatcher", "WordGroup", "essential_words",
           "expansion_pairs", "indexed_text", "parse_synonyms", "shipped_synonyms", "synonym_file_bytes", "words_of"]
