"""Importing member eligibility and the provider directory from CSV files.

An administrator loads these from the plan's exports. An import is all or
nothing: every row is checked first, and a file with any bad row changes
nothing and reports each problem with its line number.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from store.codes.npi import is_valid_npi
from store.enums import CoverageOrder
from store.errors import ValidationError
from store.models import Coverage, Member, Organization, Provider

MEMBER_COLUMNS = (
    "member_id", "medicaid_id", "first_name", "last_name", "birth_date", "sex", "email",
    "plan_name", "group_number", "coverage_order", "coverage_start", "coverage_end",
)
MEMBER_REQUIRED = ("member_id", "first_name", "last_name", "birth_date", "sex", "plan_name",
                   "coverage_order", "coverage_start")
PROVIDER_COLUMNS = (
    "npi", "provider_number", "name", "specialty", "facility", "phone", "fax", "address", "organization_code",
)
PROVIDER_REQUIRED = ("npi", "provider_number", "name")
MAX_REPORTED_ERRORS = 20
BATCH = 5000
PROGRESS_EVERY = 1000  # rows between progress(rows_read) calls of an import


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    added: int
    updated: int
    rows: int

    def __str__(self) -> str:
        return f"{self.rows:,} rows read: {self.added:,} added, {self.updated:,} updated."


class DirectoryImportError(ValidationError):
    """A file with bad rows; ``problems`` lists 'line N: message'."""

    def __init__(self, path: Path, problems: list[str], total: int) -> None:
        self.problems = problems
        more = f" (and {total - len(problems)} more)" if total > len(problems) else ""
        super().__init__(
            f"{path.name}: nothing imported; {total} problem{'s' if total != 1 else ''}{more}:\n  "
            + "\n  ".join(problems),
            field="file",
        )


def _parse_date(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD or MM/DD/YYYY)")


def _read(path: Path, columns: tuple[str, ...], required: tuple[str, ...], progress=None):
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValidationError(f"No such file: {path}", field="file") from None
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}", field="file") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise ValidationError(
                f"{path.name}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                f"expected: {', '.join(columns)}",
                field="file",
            )
        reader.fieldnames = header
        try:
            for line, row in enumerate(reader, start=2):
                if progress is not None and (line - 1) % PROGRESS_EVERY == 0:
                    progress(line - 1)  # rows read, this one included
                yield line, {k: (v or "").strip() for k, v in row.items() if k}
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ValidationError(f"{path.name}: not a readable UTF-8 CSV file ({exc})", field="file") from None


def import_members(session: Session, path: Path, progress=None) -> ImportReport:
    """Load members and their coverage periods (one row per coverage period).

    Members are matched by member ID: names and dates are updated and their
    coverage periods replaced by those in the file. ``progress(rows_read)``
    is called every :data:`PROGRESS_EVERY` rows while the file is checked.
    """
    members: dict[str, dict] = {}
    coverages: dict[str, list[dict]] = {}
    problems: list[str] = []
    total_problems = 0
    rows = 0
    for line, row in _read(Path(path), MEMBER_COLUMNS, MEMBER_REQUIRED, progress):
        rows += 1
        try:
            for column in MEMBER_REQUIRED:
                if not row.get(column):
                    raise ValueError(f"{column} is empty")
            sex = row["sex"].upper()[:1]
            if sex not in ("F", "M", "U"):
                raise ValueError(f"sex must be F, M or U, not {row['sex']!r}")
            order = row["coverage_order"].lower()
            if order not in (CoverageOrder.PRIMARY, CoverageOrder.SECONDARY):
                raise ValueError(f"coverage_order must be primary or secondary, not {row['coverage_order']!r}")
            start = _parse_date(row["coverage_start"])
            end = _parse_date(row["coverage_end"]) if row.get("coverage_end") else None
            if end is not None and end < start:
                raise ValueError("coverage_end is before coverage_start")
            birth = _parse_date(row["birth_date"])
        except ValueError as exc:
            total_problems += 1
            if len(problems) < MAX_REPORTED_ERRORS:
                problems.append(f"line {line}: {exc}")
            continue
        member_id = row["member_id"].upper()
        members[member_id] = {
            "member_id": member_id,
            "medicaid_id": row.get("medicaid_id") or None,
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "birth_date": birth,
            "sex": sex,
            "email": row.get("email", ""),
        }
        coverages.setdefault(member_id, []).append(
            {"plan_name": row["plan_name"], "group_number": row.get("group_number", ""),
             "order": order, "start_date": start, "end_date": end}
        )
    if total_problems:
        raise DirectoryImportError(Path(path), problems, total_problems)
    existing = dict(session.execute(select(Member.member_id, Member.id)).all())
    new = [m for key, m in members.items() if key not in existing]
    updated = [m for key, m in members.items() if key in existing]
    for start in range(0, len(new), BATCH):
        session.execute(insert(Member), new[start:start + BATCH])
    for member in updated:
        session.execute(update(Member).where(Member.member_id == member["member_id"]).values(**member))
    ids = dict(session.execute(select(Member.member_id, Member.id)).all())
    touched = [ids[key] for key in members]
    for start in range(0, len(touched), BATCH):
        session.execute(delete(Coverage).where(Coverage.member_pk.in_(touched[start:start + BATCH])))
    coverage_rows = [{**c, "member_pk": ids[key]} for key, periods in coverages.items() for c in periods]
    for start in range(0, len(coverage_rows), BATCH):
        session.execute(insert(Coverage), coverage_rows[start:start + BATCH])
    return ImportReport(added=len(new), updated=len(updated), rows=rows)


def import_providers(session: Session, path: Path, progress=None) -> ImportReport:
    """Load the provider directory; providers are matched by NPI.

    An ``organization_code`` links a provider to an AuthDesk organization
    (created if new), which lets that office see requests naming the provider.
    """
    providers: dict[str, dict] = {}
    problems: list[str] = []
    total_problems = 0
    rows = 0
    numbers: dict[str, str] = {}
    for line, row in _read(Path(path), PROVIDER_COLUMNS, PROVIDER_REQUIRED, progress):
        rows += 1
        try:
            for column in PROVIDER_REQUIRED:
                if not row.get(column):
                    raise ValueError(f"{column} is empty")
            npi = row["npi"].replace(" ", "")
            if not is_valid_npi(npi):
                raise ValueError(f"NPI {row['npi']!r} is not valid (10 digits with a correct check digit)")
            number = row["provider_number"]
            if numbers.get(number, npi) != npi:
                raise ValueError(f"provider_number {number} is also used by NPI {numbers[number]}")
            numbers[number] = npi
            facility = row.get("facility", "").lower()
            if facility not in ("", "yes", "no", "y", "n", "true", "false", "1", "0"):
                raise ValueError(f"facility must be yes or no, not {row['facility']!r}")
        except ValueError as exc:
            total_problems += 1
            if len(problems) < MAX_REPORTED_ERRORS:
                problems.append(f"line {line}: {exc}")
            continue
        providers[npi] = {
            "npi": npi,
            "provider_number": number,
            "name": row["name"],
            "specialty": row.get("specialty", ""),
            "is_facility": facility in ("yes", "y", "true", "1"),
            "phone": row.get("phone", ""),
            "fax": row.get("fax", ""),
            "address": row.get("address", ""),
            "_org": row.get("organization_code", ""),
        }
    taken = dict(session.execute(select(Provider.provider_number, Provider.npi)).all())
    for npi, provider in providers.items():
        owner = taken.get(provider["provider_number"])
        if owner is not None and owner != npi:
            total_problems += 1
            if len(problems) < MAX_REPORTED_ERRORS:
                problems.append(
                    f"NPI {npi}: provider_number {provider['provider_number']} already belongs to NPI {owner}"
                )
    if total_problems:
        raise DirectoryImportError(Path(path), problems, total_problems)
    orgs = dict(session.execute(select(Organization.code, Organization.id)).all())
    for code in {p["_org"] for p in providers.values() if p["_org"]} - set(orgs):
        org = Organization(code=code, name=code)
        session.add(org)
        session.flush()
        orgs[code] = org.id
    existing = set(session.execute(select(Provider.npi)).scalars())
    added = updated = 0
    new_rows = []
    for npi, provider in providers.items():
        values = {k: v for k, v in provider.items() if k != "_org"}
        values["organization_id"] = orgs.get(provider["_org"]) if provider["_org"] else None
        if npi in existing:
            session.execute(update(Provider).where(Provider.npi == npi).values(**values))
            updated += 1
        else:
            new_rows.append(values)
            added += 1
    for start in range(0, len(new_rows), BATCH):
        session.execute(insert(Provider), new_rows[start:start + BATCH])
    return ImportReport(added=added, updated=updated, rows=rows)
