"""CPT and HCPCS Level II procedure codes.

CPT is checked by format only (its descriptions belong to the AMA): five
digits, or four digits and F (performance measures), T (emerging technology)
or U (lab tests). HCPCS Level II is a letter A–V and four digits; the app
ships descriptions for common codes (``codes/data/hcpcs.csv``), and accepts
other well-formed codes without one.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from store.errors import ValidationError

CPT_PATTERN = re.compile(r"^[0-9]{4}[0-9FTU]$")
HCPCS_PATTERN = re.compile(r"^[A-V][0-9]{4}$")
LINE_CODE_FIELD = "line-code"


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    """A well-formed procedure code, its type (CPT or HCPCS) and description if known."""

    code: str
    code_type: str
    description: str = ""


@lru_cache(maxsize=1)
def shipped_hcpcs() -> dict[str, str]:
    """HCPCS Level II code → description, for the codes the app ships."""
    text = resources.files("store.codes").joinpath("data/hcpcs.csv").read_text(encoding="utf-8")
    return {row["code"]: row["description"] for row in csv.DictReader(text.splitlines())}


def normalize_procedure(text: str) -> str:
    """Upper case, no spaces or dots."""
    return re.sub(r"[\s.]", "", text or "").upper()


def procedure_type(code: str) -> str | None:
    """``CPT``, ``HCPCS`` or None for a code of neither shape."""
    code = normalize_procedure(code)
    if CPT_PATTERN.match(code):
        return "CPT"
    if HCPCS_PATTERN.match(code):
        return "HCPCS"
    return None


def validate_procedure_code(text: str, field: str = LINE_CODE_FIELD) -> ProcedureCode:
    """A CPT or HCPCS code for ``text``, or a ValidationError explaining both formats."""
    code = normalize_procedure(text)
    if not code:
        raise ValidationError("Enter a CPT or HCPCS code.", field=field)
    kind = procedure_type(code)
    if kind is None:
        raise ValidationError(
            f"“{text.strip()}” is neither a CPT code (5 digits, or 4 digits and F, T or U) "
            "nor a HCPCS code (a letter A–V and 4 digits).",
            field=field,
        )
    description = shipped_hcpcs().get(code, "") if kind == "HCPCS" else ""
    return ProcedureCode(code, kind, description)
