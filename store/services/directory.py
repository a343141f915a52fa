"""Importing member eligibility and the provider directory from CSV files.

An administrator loads these from the plan's exports. An import is all or
nothing: every row is checked first, and a file with any bad row changes
nothing and reports every problem of every row with its line number (the
first :data:`MAX_REPORTED_ERRORS` lines shown, and how many more).

What is checked, beyond the columns being there:

* **Encoding**, from the bytes: UTF-8 (with or without BOM), UTF-16 (with a
  BOM, or without one when every other byte is NUL), else Windows-1252
  (which covers Latin-1 text); anything else is refused, by name, with the
  line of the first byte that fits none.
* **Text** goes through :mod:`store.textgate` (NUL and control characters,
  the column lengths), so SQLite and PostgreSQL take the same files.
* **Identity**: member and Medicaid IDs are normalised exactly as the
  eligibility look-up does (:func:`store.services.eligibility.normalize_member_id`:
  ``HO 60003`` is ``HO60003``); NPIs follow the wizard's validator
  (:func:`store.codes.npi.validate_npi`: spaces and dashes allowed).
  A member ID that appears with another name, birth date, sex or Medicaid
  ID, a repeated coverage row, or an NPI listed twice is refused.
* **Plausible values**: birth dates from 1900 to today; coverage dates
  from 1900 to 2100, the end not before the start; sex ``F``, ``M`` or
  ``U`` (or the words female, male, unknown) and nothing else.

Rows are written in bulk: new members in batches, members and coverage
periods that did not change are left alone, so re-importing the same
100,000 members only reads and compares (docs/benchmarks.md). The tables are
ANALYZEd at the end so the planner knows their new size.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlmodel import Session

from store.codes.npi import validate_npi
from store.enums import CoverageOrder
from store.errors import ValidationError
from store.models import Coverage, Member, Organization, Provider
from store.textgate import check_column, check_text
from store.types import utcnow

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
MAX_REPORTED_ERRORS = 50
BATCH = 5000
PROGRESS_EVERY = 5000
EARLIEST_DATE = date(1900, 1, 1)
LATEST_COVERAGE = date(2100, 12, 31)
SEX_CODES = {"f": "F", "female": "F", "m": "M", "male": "M", "u": "U", "unknown": "U"}
FACILITY_WORDS = {"": False, "no": False, "n": False, "false": False, "0": False,
                  "yes": True, "y": True, "true": True, "1": True}

_EXTRA = "__extra_values__"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_US_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")

Progress = Callable[[int, int, str], None]
"""``progress(done, total, what)``: called every few thousand rows of a big file."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    added: int
    updated: int
    rows: int
    unchanged: int = 0
    encoding: str = "UTF-8"

    def __str__(self) -> str:
        same = f", {self.unchanged:,} unchanged" if self.unchanged else ""
        return (f"{self.rows:,} rows read: {self.added:,} added, {self.updated:,} updated{same} "
                f"(file read as {self.encoding}).")


class DirectoryImportError(ValidationError):
    """A file with bad rows; ``problems`` lists 'line N: message; message'."""

    def __init__(self, path: Path, problems: list[str], total: int) -> None:
        self.problems = problems
        more = f" (and {total - len(problems)} more)" if total > len(problems) else ""
        super().__init__(
            f"{path.name}: nothing imported; {total} line{'s' if total != 1 else ''} with problems{more}:\n  "
            + "\n  ".join(problems),
            field="file",
        )


class _Problems:
    """Every problem of every row, the first lines kept for the message."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.total = 0

    def add(self, line: int | str, messages: list[str]) -> None:
        if not messages:
            return
        self.total += 1
        if len(self.lines) < MAX_REPORTED_ERRORS:
            where = f"line {line}" if isinstance(line, int) else line
            self.lines.append(f"{where}: " + "; ".join(messages))

    def raise_if_any(self, path: Path) -> None:
        if self.total:
            raise DirectoryImportError(path, self.lines, self.total)


# --- reading ------------------------------------------------------------------------


def decode_csv_bytes(raw: bytes, name: str) -> tuple[str, str]:
    """(text, encoding name) of a CSV file's bytes, or a ValidationError naming the problem.

    UTF-8 (BOM or not), UTF-16 (BOM, or none with NULs in every other byte)
    and Windows-1252 / Latin-1 are read; anything else is refused with the
    line of the first byte that fits no encoding.
    """
    if raw.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8")]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    elif len(raw) >= 4 and raw[1::2].count(0) > len(raw) // 4 and raw[0::2].count(0) == 0:
        candidates = [("utf-16-le", "UTF-16")]
    elif len(raw) >= 4 and raw[0::2].count(0) > len(raw) // 4 and raw[1::2].count(0) == 0:
        candidates = [("utf-16-be", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
    first_error = None
    for codec, label in candidates:
        try:
            decoded = raw.decode(codec)
        except UnicodeDecodeError as exc:
            first_error = first_error or (exc, label)
            continue
        if "\x00" in decoded:
            line = decoded.count("\n", 0, decoded.index("\x00")) + 1
            raise ValidationError(
                f"{name}: line {line} holds a NUL byte: this is not a text CSV file "
                "(save it from the spreadsheet as 'CSV UTF-8').", field="file")
        return decoded, label
    exc, label = first_error
    line = raw.count(b"\n", 0, exc.start) + 1
    tried = " or ".join(lbl for _, lbl in candidates)
    raise ValidationError(
        f"{name}: line {line}: byte 0x{raw[exc.start]:02X} is not {tried} text; "
        "save the file from the spreadsheet as 'CSV UTF-8' and import it again.",
        field="file",
    )


def _read(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> tuple[list, str]:
    """([(line, row dict)], encoding label) of the CSV file at ``path``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"No such file: {path}", field="file") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} is a folder, not a CSV file.", field="file") from None
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}", field="file") from None
    content, encoding = decode_csv_bytes(raw, path.name)
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        raise ValidationError(f"{path.name}: line 1 is not CSV ({exc})", field="file") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(
            f"{path.name}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"expected: {', '.join(columns)}",
            field="file",
        )
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue  # a blank line
            row = {name: value.strip() for name, value in zip(header, values, strict=False) if name}
            if len(values) > len(header):
                row[_EXTRA] = str(len(values) - len(header))
            rows.append((line, row))
    except csv.Error as exc:
        raise ValidationError(f"{path.name}: line {reader.line_num} is not CSV ({exc})", field="file") from None
    return rows, encoding


@lru_cache(maxsize=65536)
def _to_date(value: str) -> date | None:
    """``YYYY-MM-DD`` or ``MM/DD/YYYY`` as a date, None for anything else (cached: dates repeat)."""
    try:
        if _ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
        if _US_DATE.fullmatch(value):
            month, day, year = value.split("/")
            return date(int(year), int(month), int(day))
    except ValueError:
        pass
    return None


def _parse_date(value: str, column: str, earliest: date, latest: date, problems: list[str]) -> date | None:
    day = _to_date(value)
    if day is None:
        problems.append(f"{column} {value!r} is not a date (use YYYY-MM-DD or MM/DD/YYYY)")
        return None
    if not earliest <= day <= latest:
        problems.append(f"{column} {day.isoformat()} is not plausible (from {earliest:%Y} to {latest.isoformat()})")
        return None
    return day


def _gate(row: dict, column: str, table: str, field: str, problems: list[str]) -> str:
    """The text of ``row[column]`` through the text gate; problems noted, "" on failure."""
    try:
        return check_column(row.get(column, ""), table, field, field=column, label=column)
    except ValidationError as exc:
        problems.extend(exc.errors.values())
        return ""


def _required(row: dict, required: tuple[str, ...], problems: list[str]) -> None:
    empty = [c for c in required if not row.get(c)]
    if empty:
        problems.append(f"{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty")
    if _EXTRA in row:
        problems.append(f"{row.pop(_EXTRA)} value(s) more than the header has columns")


def _progress(progress: Progress | None, done: int, total: int, what: str) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total, what)


# --- members --------------------------------------------------------------------------


def _member_row(row: dict, today: date, problems: list[str]) -> tuple[dict, dict] | None:
    from store.services.eligibility import checked_member_id

    _required(row, MEMBER_REQUIRED, problems)
    ids = {}
    for column in ("member_id", "medicaid_id"):
        try:
            ids[column] = checked_member_id(row.get(column, ""), field=column, label=column, column=column)
        except ValidationError as exc:
            problems.extend(exc.errors.values())
            ids[column] = ""
    names = {c: _gate(row, c, "member", c, problems) for c in ("first_name", "last_name", "email")}
    sex = SEX_CODES.get(row.get("sex", "").lower())
    if row.get("sex") and sex is None:
        problems.append(f"sex must be F, M or U, not {row['sex']!r}")
    order = row.get("coverage_order", "").lower()
    if order and order not in (CoverageOrder.PRIMARY, CoverageOrder.SECONDARY):
        problems.append(f"coverage_order must be primary or secondary, not {row['coverage_order']!r}")
    birth = _parse_date(row["birth_date"], "birth_date", EARLIEST_DATE, today, problems) \
        if row.get("birth_date") else None
    start = _parse_date(row["coverage_start"], "coverage_start", EARLIEST_DATE, LATEST_COVERAGE, problems) \
        if row.get("coverage_start") else None
    end = _parse_date(row["coverage_end"], "coverage_end", EARLIEST_DATE, LATEST_COVERAGE, problems) \
        if row.get("coverage_end") else None
    if start and end and end < start:
        problems.append("coverage_end is before coverage_start")
    plan = _gate(row, "plan_name", "coverage", "plan_name", problems)
    group = _gate(row, "group_number", "coverage", "group_number", problems)
    if problems:
        return None
    member = {
        "member_id": ids["member_id"],
        "medicaid_id": ids["medicaid_id"] or None,
        "first_name": names["first_name"],
        "last_name": names["last_name"],
        "birth_date": birth,
        "sex": sex,
        "email": names["email"],
    }
    coverage = {"plan_name": plan, "group_number": group, "order": CoverageOrder(order),
                "start_date": start, "end_date": end}
    return member, coverage


_IDENTITY = ("medicaid_id", "first_name", "last_name", "birth_date", "sex")
_MEMBER_FIELDS = ("medicaid_id", "first_name", "last_name", "birth_date", "sex", "email")


def import_members(session: Session, path: Path, *, progress: Progress | None = None) -> ImportReport:
    """Load members and their coverage periods (one row per coverage period).

    Members are matched by member ID: names and dates are updated and their
    coverage periods replaced by those in the file; members whose data and
    periods are unchanged are not written at all.

    Raises:
        DirectoryImportError: any bad row (all problems listed); nothing is written.
        ValidationError: an unreadable file, a refused encoding, missing columns.
    """
    path = Path(path)
    rows, encoding = _read(path, MEMBER_COLUMNS, MEMBER_REQUIRED)
    today = utcnow().date()
    problems = _Problems()
    members: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    coverages: dict[str, dict[tuple, int]] = {}
    for done, (line, row) in enumerate(rows, start=1):
        messages: list[str] = []
        parsed = _member_row(row, today, messages)
        if parsed is not None:
            member, coverage = parsed
            key = member["member_id"]
            known = members.get(key)
            if known is not None and any(known[f] != member[f] for f in _IDENTITY):
                differ = [f for f in _IDENTITY if known[f] != member[f]]
                messages.append(f"member {key} is on line {first_line[key]} with another {', '.join(differ)}")
            period = tuple(coverage.values())
            if period in coverages.get(key, {}):
                messages.append(f"repeats the coverage period of line {coverages[key][period]}")
            if not messages:
                members.setdefault(key, member)
                first_line.setdefault(key, line)
                coverages.setdefault(key, {})[period] = line
        problems.add(line, messages)
        _progress(progress, done, len(rows), "checked")
    problems.raise_if_any(path)
    added, updated, unchanged = _write_members(session, members, coverages, progress)
    _analyze(session, "member", "coverage")
    report = ImportReport(added=added, updated=updated, unchanged=unchanged, rows=len(rows), encoding=encoding)
    _record_import(session, "members", path, report)
    return report


def _write_members(session: Session, members: dict[str, dict], coverages: dict[str, dict[tuple, int]],
                   progress: Progress | None) -> tuple[int, int, int]:
    existing = {
        row.member_id: row for row in session.connection().execute(
            select(Member.id, Member.member_id, *(getattr(Member, f) for f in _MEMBER_FIELDS)))
    }
    new = [m for key, m in members.items() if key not in existing]
    changed_keys = {key for key, m in members.items()
                    if key in existing and any(getattr(existing[key], f) != m[f] for f in _MEMBER_FIELDS)}
    changed = [{"_pk": existing[key].id, **members[key]} for key in changed_keys]
    for start in range(0, len(new), BATCH):
        session.execute(insert(Member), new[start:start + BATCH])
        _progress(progress, min(start + BATCH, len(new)), len(new), "members added")
    _bulk_update(session, Member, _MEMBER_FIELDS, changed)
    ids = dict(session.connection().execute(select(Member.member_id, Member.id)).all()) if new else \
        {key: row.id for key, row in existing.items()}
    # Coverage periods: replaced only for members whose set of periods differs.
    pks = {ids[key] for key in members}
    stored: dict[int, set[tuple]] = {}
    for row in session.connection().execute(select(Coverage.member_pk, Coverage.plan_name, Coverage.group_number,
                                      Coverage.order, Coverage.start_date, Coverage.end_date)):
        if row.member_pk in pks:
            stored.setdefault(row.member_pk, set()).add(
                (row.plan_name, row.group_number, CoverageOrder(row.order), row.start_date, row.end_date))
    replace = [key for key in members if stored.get(ids[key], set()) != set(coverages[key])]
    replace_pks = [ids[key] for key in replace if ids[key] in stored]
    for start in range(0, len(replace_pks), BATCH):
        session.execute(delete(Coverage).where(Coverage.member_pk.in_(replace_pks[start:start + BATCH])))
    periods = [
        {"member_pk": ids[key], "plan_name": p[0], "group_number": p[1], "order": p[2],
         "start_date": p[3], "end_date": p[4]}
        for key in replace for p in coverages[key]
    ]
    for start in range(0, len(periods), BATCH):
        session.execute(insert(Coverage), periods[start:start + BATCH])
        _progress(progress, min(start + BATCH, len(periods)), len(periods), "coverage periods written")
    updated = len(changed_keys | {key for key in replace if key in existing})
    return len(new), updated, len(members) - len(new) - updated


def _bulk_update(session: Session, model, fields: tuple[str, ...], rows: list[dict]) -> None:
    """UPDATE many rows by primary key (``_pk``) in batches of one executemany each."""
    if not rows:
        return
    statement = update(model).where(model.id == bindparam("_pk")).values(
        **{f: bindparam(f"new_{f}") for f in fields})
    for start in range(0, len(rows), BATCH):
        session.connection().execute(
            statement, [{"_pk": r["_pk"], **{f"new_{f}": r[f] for f in fields}} for r in rows[start:start + BATCH]])


def _analyze(session: Session, *tables: str) -> None:
    """Tell the query planner the tables' new sizes (cheap next to the import)."""
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))


# --- providers ------------------------------------------------------------------------


def _provider_row(row: dict, problems: list[str]) -> dict | None:
    _required(row, PROVIDER_REQUIRED, problems)
    npi = ""
    if row.get("npi"):
        try:
            npi = validate_npi(check_text(row["npi"], field="npi", max_length=40, label="npi"), field="npi")
        except ValidationError as exc:
            problems.append(f"NPI {row['npi']!r} is not valid: {exc.errors['npi']}")
    number = _gate(row, "provider_number", "provider", "provider_number", problems).upper()
    values = {c: _gate(row, c, "provider", c, problems)
              for c in ("name", "specialty", "phone", "fax", "address")}
    org = _gate(row, "organization_code", "organization", "code", problems)
    facility = FACILITY_WORDS.get(row.get("facility", "").lower())
    if facility is None:
        problems.append(f"facility must be yes or no, not {row['facility']!r}")
    if problems:
        return None
    return {"npi": npi, "provider_number": number, **values, "is_facility": facility, "_org": org}


def import_providers(session: Session, path: Path, *, progress: Progress | None = None) -> ImportReport:
    """Load the provider directory; providers are matched by NPI.

    An ``organization_code`` links a provider to an AuthDesk organization
    (created if new), which lets that office see requests naming the provider.

    Raises:
        DirectoryImportError: any bad row (all problems listed); nothing is written.
        ValidationError: an unreadable file, a refused encoding, missing columns.
    """
    path = Path(path)
    rows, encoding = _read(path, PROVIDER_COLUMNS, PROVIDER_REQUIRED)
    problems = _Problems()
    providers: dict[str, dict] = {}
    npi_line: dict[str, int] = {}
    numbers: dict[str, str] = {}
    for done, (line, row) in enumerate(rows, start=1):
        messages: list[str] = []
        provider = _provider_row(row, messages)
        if provider is not None:
            npi, number = provider["npi"], provider["provider_number"]
            if npi in providers:
                messages.append(f"NPI {npi} is listed on line {npi_line[npi]} too")
            if numbers.get(number, npi) != npi:
                messages.append(f"provider_number {number} is also used by NPI {numbers[number]}")
            if not messages:
                providers[npi] = provider
                npi_line[npi] = line
                numbers[number] = npi
        problems.add(line, messages)
        _progress(progress, done, len(rows), "checked")
    taken = dict(session.execute(select(Provider.provider_number, Provider.npi)).all())
    for npi, provider in providers.items():
        owner = taken.get(provider["provider_number"])
        if owner is not None and owner != npi:
            problems.add(npi_line[npi], [
                f"provider_number {provider['provider_number']} already belongs to NPI {owner} in the directory"])
    problems.raise_if_any(path)
    orgs = dict(session.execute(select(Organization.code, Organization.id)).all())
    for code in sorted({p["_org"] for p in providers.values() if p["_org"]} - set(orgs)):
        org = Organization(code=code, name=code)
        session.add(org)
        session.flush()
        orgs[code] = org.id
    fields = ("provider_number", "name", "specialty", "is_facility", "phone", "fax", "address", "organization_id")
    existing = {row.npi: row for row in session.execute(select(Provider.id, Provider.npi,
                                                                *(getattr(Provider, f) for f in fields)))}
    new_rows, changed = [], []
    for npi, provider in providers.items():
        values = {k: v for k, v in provider.items() if k != "_org"}
        values["organization_id"] = orgs.get(provider["_org"]) if provider["_org"] else None
        if npi not in existing:
            new_rows.append(values)
        elif any(getattr(existing[npi], f) != values[f] for f in fields):
            changed.append({"_pk": existing[npi].id, **{f: values[f] for f in fields}})
    for start in range(0, len(new_rows), BATCH):
        session.execute(insert(Provider), new_rows[start:start + BATCH])
    _bulk_update(session, Provider, fields, changed)
    _analyze(session, "provider")
    report = ImportReport(added=len(new_rows), updated=len(changed), rows=len(rows),
                          unchanged=len(providers) - len(new_rows) - len(changed), encoding=encoding)
    _record_import(session, "providers", path, report)
    return report


def _record_import(session: Session, what: str, path: Path, report: ImportReport) -> None:
    """The audit log notes each directory import (run from the command line, so no user)."""
    from store.services.audit import AuditAction, record

    record(session, AuditAction.IMPORTED, username="command line",
           detail=f"{what} from {Path(path).name}: {report.added:,} added, {report.updated:,} updated")


__all__ = [
    "DirectoryImportError",
    "ImportReport",
    "MEMBER_COLUMNS",
    "PROVIDER_COLUMNS",
    "decode_csv_bytes",
    "import_members",
    "import_providers",
]
