"""Reference lists the wizard offers: categories, treatment types, delivery types.

They are data, shipped in ``store/rules/reference.toml``, so a plan can change
them without touching code.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from store.enums import CareSetting, RequestKind


@lru_cache(maxsize=1)
def _reference() -> dict:
    text = resources.files("store").joinpath("rules/reference.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def default_care_setting(kind: RequestKind) -> CareSetting:
    """Inpatient for the inpatient kinds, outpatient for services."""
    return CareSetting.INPATIENT if RequestKind(kind).is_inpatient else CareSetting.OUTPATIENT


def categories(care_setting: CareSetting | str) -> tuple[str, ...]:
    """The categories offered in ``care_setting``."""
    return tuple(_reference()["categories"].get(str(CareSetting(care_setting)), ()))


def treatment_types(category: str) -> tuple[str, ...]:
    """The treatment types offered for ``category`` (empty for an unknown one)."""
    return tuple(_reference()["treatment_types"].get(category, ()))


def delivery_types() -> tuple[str, ...]:
    """Delivery types for the newborn delivery notification."""
    return tuple(_reference()["delivery_types"])
