"""Diagnosis (ICD-10-CM) and procedure (CPT/HCPCS) code pickers.

Type a code or words; results come from the code index as you type. Enter
takes the code typed when it is a complete code (checked against the code
set), otherwise the highlighted result.
"""

from __future__ import annotations

import re
from typing import Literal

from store.errors import StoreError, ValidationError
from tui.widgets.wizard_search import PickerResult, SearchPicker

CodeKind = Literal["diagnosis", "procedure"]

_ICD_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{0,4})?$")
_PROCEDURE_SHAPE = re.compile(r"^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$")


def looks_like_code(kind: CodeKind, text: str) -> bool:
    """Whether ``text`` is shaped like a code (not words) of ``kind``."""
    cleaned = text.strip().upper()
    if " " in cleaned or not any(c.isdigit() for c in cleaned):
        return False  # words: search them
    if kind == "diagnosis":
        return bool(_ICD_SHAPE.match(cleaned.replace(" ", ""))) or len(cleaned) >= 3
    return bool(_PROCEDURE_SHAPE.match(cleaned)) or len(cleaned) >= 4


_searched_kinds: set[str] = set()  # kinds searched once in this process (index open, synonyms loaded)


def _normal(code: str) -> str:
    return code.strip().upper().replace(".", "").replace(" ", "")


class CodePicker(SearchPicker):
    """Search field for one kind of code; :class:`SearchPicker.Picked` carries a :class:`CodeChoice`.

    Args:
        kind: ``diagnosis`` or ``procedure``.
        input_id: the input's id (``diagnosis-search`` or ``line-code``).
    """

    def __init__(self, kind: CodeKind, input_id: str, placeholder: str = "", **kwargs) -> None:
        super().__init__(input_id, placeholder, min_chars=2, **kwargs)
        self.kind = kind

    def search(self, text: str) -> list[PickerResult]:
        """Codes matching ``text`` from the code index."""
        from store.codes.icd10 import get_code_index

        index = get_code_index()
        hits = index.search_diagnoses(text, 8) if self.kind == "diagnosis" else index.search_procedures(text, 8)
        _searched_kinds.add(self.kind)
        results = []
        for hit in hits:
            note = "" if getattr(hit, "billable", True) else "  (category — not billable)"
            results.append(PickerResult(hit, f"{hit.code}  {hit.description}{note}"))
        return results

    def search_is_quick(self) -> bool:
        """Inline once a search of this kind has run (in a worker): the index is built and open and
        its synonyms loaded, and a search is then a local SQLite query of about a millisecond."""
        from store.codes.icd10 import code_index_is_open

        return self.kind in _searched_kinds and code_index_is_open()

    def resolve(self, text, results, highlighted, moved) -> PickerResult:
        """Validate the typed code, or the highlighted result, against the code set."""
        typed = _normal(text)
        exact = next((r for r in results if _normal(r.value.code) == typed), None)
        if exact is not None and not moved:
            return self._validated(exact.value.code)
        if looks_like_code(self.kind, text) and not moved:
            return self._validated(text)
        if results and highlighted is not None:
            return self._validated(results[highlighted].value.code)
        what = "diagnosis" if self.kind == "diagnosis" else "procedure"
        raise ValidationError(f"No {what} code matches “{text}”.", field=self.input_id)

    def _validated(self, code: str) -> PickerResult:
        if self.kind == "diagnosis":
            from store.codes.icd10 import validate_diagnosis

            found = validate_diagnosis(code)
        else:
            from store.codes.procedures import validate_procedure_code

            found = validate_procedure_code(code)
        if isinstance(found, str):  # a validator that returns only the normalised code
            found = CodeChoice(found, "", "ICD10" if self.kind == "diagnosis" else "CPT")
        choice = CodeChoice(found.code, getattr(found, "description", "") or "", getattr(found, "code_type", ""))
        return PickerResult(choice, f"{choice.code}  {choice.description}".strip())


class CodeChoice:
    """A validated code: its code, description and code type."""

    __slots__ = ("code", "description", "code_type")

    def __init__(self, code: str, description: str, code_type: str) -> None:
        self.code = code
        self.description = description
        self.code_type = code_type

    def __repr__(self) -> str:
        return f"CodeChoice({self.code!r})"


__all__ = ["CodeChoice", "CodePicker", "StoreError", "looks_like_code"]
