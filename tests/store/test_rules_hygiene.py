"""One rule, one place: no module imports another's private names; formats and texts exist once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("store", "tui")


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_imports_another_modules_private_names():
    offences = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offences.append(f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}")
    assert offences == []


def test_the_draft_lifetime_and_the_disclaimer_are_declared_once_in_the_store():
    lifetime = re.compile(r"timedelta\(hours=96\)")
    disclaimer = "is not a guarantee of payment"
    declared = {"lifetime": [], "disclaimer": []}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if lifetime.search(text):
            declared["lifetime"].append(path.relative_to(ROOT).as_posix())
        if path.parts[-2] == "store" or "services" in path.parts:
            if disclaimer in text:
                declared["disclaimer"].append(path.relative_to(ROOT).as_posix())
    assert declared["lifetime"] == []  # store/texts.py builds it from DRAFT_LIFETIME_HOURS
    assert declared["disclaimer"] == ["store/texts.py"]
