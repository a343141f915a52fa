"""The plan's identifiers for PAS Bundles: ``[pas]`` in config.toml, overridden by ``AUTHDESK_PAS_*``.

```toml
[pas]
payer_id = "CMSI01"                    # the payer's identifier (PI) on the insurer Organization
payer_id_system = "urn:oid:2.16.840.1.113883.6.300"   # whose numbering payer_id is (default urn:authdesk:payer-id)
payer_name = "Case Management Specialists"           # default: the member's plan name
member_id_system = "http://example.org/MIN"          # the plan's member-ID namespace
submitter_id = "1234567890"            # TRN03: Claim.identifier becomes urn:trnorg:<this>
```

Every key is optional: without them the Bundle still conforms, with AuthDesk's
own ``urn:authdesk:…`` namespaces (see docs/architecture.md).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from store.errors import ValidationError
from store.fhir import terms
from store.textgate import check_text

ENV_PREFIX = "AUTHDESK_PAS_"
KEYS = ("payer_id", "payer_id_system", "payer_name", "member_id_system", "submitter_id")
MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class PasSettings:
    """Identifiers a plan gives its partners; empty strings mean AuthDesk's defaults."""

    payer_id: str = ""
    payer_id_system: str = terms.PAYER_SYSTEM
    payer_name: str = ""
    member_id_system: str = terms.MEMBER_SYSTEM
    submitter_id: str = ""

    @property
    def claim_identifier_system(self) -> str:
        """``urn:trnorg:<TRN03>`` when the submitter is configured (the guide's SHOULD), else AuthDesk's."""
        return f"urn:trnorg:{self.submitter_id}" if self.submitter_id else terms.WEBCERT_SYSTEM


def load_pas_settings(config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> PasSettings:
    """Settings from ``config.toml`` ``[pas]`` overridden by ``AUTHDESK_PAS_<KEY>``.

    Raises:
        ValidationError: an unreadable file or a bad value (field ``pas.<key>``).
    """
    from store.services.mailer import config_path

    environ = os.environ if environ is None else environ
    path = config_file or config_path()
    values: dict[str, str] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValidationError(f"Cannot read {path}: {exc}", field="pas") from None
        table = data.get("pas", {})
        if not isinstance(table, dict):
            raise ValidationError(f"{path}: [pas] must be a table.", field="pas")
        values.update({k: str(v) for k, v in table.items() if k in KEYS})
    for key in KEYS:
        env = environ.get(ENV_PREFIX + key.upper())
        if env:
            values[key] = env
    clean = {}
    for key, value in values.items():
        text = check_text(value, field=f"pas.{key}", label=f"PAS setting {key}", max_length=MAX_LENGTH).strip()
        if key.endswith("_system") and text and ":" not in text:
            raise ValidationError(f"PAS setting {key} must be a URI (e.g. urn:oid:…), not {text!r}.",
                                  field=f"pas.{key}")
        if text:
            clean[key] = text
    return PasSettings(**clean)


__all__ = ["PasSettings", "load_pas_settings"]
