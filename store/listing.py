"""The case listing: who sees which case, in which status, by every sort key.

The dashboard of an office with a million cases must count, page, sort and
filter without reading the cases it does not show. Three structures, kept by
the database itself (triggers), so every status change anywhere — submit,
decide, expire, cancel, copy, import, a hand-written ``UPDATE`` — keeps them
exact in its own transaction:

* ``case_listing`` — one row per (audience, case): the case's owner and
  associated organizations (from ``request_organization``) and audience 0,
  the plan (reviewers and administrators see every case). It carries the
  status and a copy of every sortable column, never NULL (a missing value is
  :data:`NULL_DATE` / :data:`NULL_INSTANT` / ``''``, so it sorts first and
  keyset paging can compare rows), with one index
  ``(audience_id, status, key, request_id)`` per sortable column.
* ``case_count`` — signed deltas per (audience, status): a trigger appends
  +1 / -1 rows (appending never waits on another writer's counter row), and
  :func:`compact_counts` folds them into one row each from time to time.
* ``case_name_count`` — signed deltas per (audience, member name, status),
  appended by triggers on ``case_listing`` like ``case_count``: filtering by
  a common last name sums a few rows per matching name instead of counting
  tens of thousands of cases, and tells the page query how selective the
  name is (:mod:`store.services.cases`).
* the CMS-0057-F report's figures, on each listing row (migration 0012):
  ``outcome``, ``decision_micros`` and ``late`` (:func:`report_exprs`), kept
  by the same triggers and by triggers on ``service_line``, with one covering
  partial index for the report (:data:`REPORT_INDEX`).
* the member-name search index — SQLite: the FTS5 table ``request_name_fts``
  (trigram tokenizer, external content ``auth_request``); PostgreSQL: a
  ``pg_trgm`` GIN index on ``auth_request.member_name``.

The DDL lives here, once, for migration 0008 and for the demo seeder (which
drops the listing's indexes during a bulk load and builds them again after).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

PLAN_AUDIENCE = 0
"""``case_listing.audience_id`` of the plan: reviewers and administrators."""

NOBODY = -1
"""The audience of a clerk without an organization: sees nothing."""

NULL_DATE = date(1, 1, 1)
NULL_INSTANT = datetime(1, 1, 1, tzinfo=UTC)

# sort key -> case_listing column (mirrors auth_request's column of the same name)
SORT_KEYS: dict[str, str] = {
    "number": "draft_number",
    "webcert": "webcert_number",
    "auth": "auth_number",
    "member": "member_name",
    "member_id": "member_id_entered",
    "kind": "kind",
    "start": "start_date",
    "urgency": "urgency",
    "status": "request_id",
    "updated": "updated_at",
    "expires": "expires_at",
    "due": "decision_due_at",
    "submitted": "submitted_at",
    "decided": "decided_at",
}

# Sort columns with an index per (audience, status) — the dashboard's columns.
INDEXED_KEYS = (
    "draft_number",
    "webcert_number",
    "member_name",
    "kind",
    "start_date",
    "urgency",
    "updated_at",
    "expires_at",
    "decision_due_at",
    "decided_at",
)

# mirrored column -> kind of NULL stand-in
MIRRORED: dict[str, str] = {
    "status": "text",
    "kind": "text",
    "urgency": "text",
    "draft_number": "text",
    "webcert_number": "text",
    "auth_number": "text",
    "member_name": "text",
    "member_id_entered": "text",
    "start_date": "date",
    "updated_at": "instant",
    "expires_at": "instant",
    "decision_due_at": "instant",
    "submitted_at": "instant",
    "decided_at": "instant",
}

# The CMS-0057-F report's columns (migration 0012), computed from the case and
# its service lines: '' / 0 for a case the report does not count.
REPORT_COLUMNS = ("outcome", "decision_micros", "late")
REPORT_INDEX = "ix_case_listing_report"
REPORT_INDEX_COLUMNS = ["audience_id", "urgency", "decision_micros", "decided_at", "outcome", "late"]
REPORT_INDEX_WHERE = "outcome <> ''"
DECIDED_STATUSES = ("accepted", "rejected")
_DECIDED = "(" + ", ".join(f"'{s}'" for s in DECIDED_STATUSES) + ")"
APPROVED_LINE_CODES = ("A1", "A2", "A6")  # approved, partially approved, modified

# Migration 0008's name index (per case), replaced in 0011 by one over distinct names.
FTS_TABLE = "request_name_fts"
TRGM_INDEX = "ix_trgm_request_member_name"
NAMES_FTS = "case_name_fts"
NAMES_TRGM_INDEX = "ix_trgm_case_name_name"


def index_name(column: str) -> str:
    """Name of the listing index for sort column ``column``."""
    return f"ix_case_listing_{column}"


def listing_indexes() -> list[tuple[str, list[str]]]:
    """(name, columns) of every secondary index of ``case_listing``."""
    indexes = [("ix_case_listing_status", ["audience_id", "status", "request_id"])]
    indexes += [(index_name(c), ["audience_id", "status", c, "request_id"]) for c in INDEXED_KEYS]
    return indexes


def _null(dialect: str, kind: str) -> str:
    if kind == "text":
        return "''"
    if kind == "date":
        return "'0001-01-01'" if dialect == "sqlite" else "DATE '0001-01-01'"
    return "'0001-01-01 00:00:00.000000'" if dialect == "sqlite" else "TIMESTAMPTZ '0001-01-01 00:00:00+00'"


def mirrored_values(dialect: str, source: str) -> str:
    """``COALESCE(source.col, stand-in), …`` in :data:`MIRRORED` order."""
    return ", ".join(f"COALESCE({source}.{c}, {_null(dialect, k)})" for c, k in MIRRORED.items())


def _columns(report: bool = True) -> str:
    return ", ".join([*MIRRORED, *REPORT_COLUMNS] if report else MIRRORED)


def _values(dialect: str, source: str, report: bool = True) -> str:
    values = mirrored_values(dialect, source)
    return f"{values}, {report_values(dialect, source)}" if report else values


def report_exprs(dialect: str, alias: str) -> dict[str, str]:
    """SQL computing the report's columns of the case ``alias`` (an ``auth_request`` row).

    * ``outcome`` — what :func:`store.services.reports.request_outcome` says of
      a decided case (``approved``, ``approved_after_pend``, ``denied``,
      ``pended``, ``awaiting_lines``), from its status and its service lines;
      ``''`` for a case the report does not count: not accepted or rejected,
      or without a submission or decision time;
    * ``decision_micros`` — microseconds from submission to decision (0 when not counted);
    * ``late`` — 1 when decided after its due time, else 0.
    """
    r = alias
    decided = (f"{r}.status IN {_DECIDED} AND {r}.submitted_at IS NOT NULL "
               f"AND {r}.decided_at IS NOT NULL")
    approved = ", ".join(f"'{c}'" for c in APPROVED_LINE_CODES)
    lines = f"""(SELECT CASE
                WHEN SUM(CASE WHEN l.status = 'A4' THEN 1 ELSE 0 END) > 0 THEN 'pended'
                WHEN SUM(CASE WHEN l.status IN ({approved}) THEN 1 ELSE 0 END) > 0 THEN
                    CASE WHEN SUM(CASE WHEN l.status IN ({approved}) AND l.was_pended THEN 1 ELSE 0 END) > 0
                         THEN 'approved_after_pend' ELSE 'approved' END
                WHEN COUNT(*) > 0 AND SUM(CASE WHEN l.status = 'A3' THEN 1 ELSE 0 END) = COUNT(*) THEN 'denied'
                ELSE 'awaiting_lines' END
            FROM service_line l WHERE l.request_id = {r}.id)"""
    if dialect == "sqlite":
        # Whole seconds from the text without its fraction: SQLite's date functions round the fraction to
        # milliseconds, so '…:59.999889' would count as the next second (migration 0014).
        micros = (f"((CAST(strftime('%s', substr({r}.decided_at, 1, 19)) AS INTEGER)"
                  f" - CAST(strftime('%s', substr({r}.submitted_at, 1, 19)) AS INTEGER))"
                  f" * 1000000 + CAST(substr({r}.decided_at, 21, 6) AS INTEGER)"
                  f" - CAST(substr({r}.submitted_at, 21, 6) AS INTEGER))")
    else:
        micros = f"CAST(EXTRACT(EPOCH FROM ({r}.decided_at - {r}.submitted_at)) * 1000000 AS BIGINT)"
    return {
        "outcome": (f"CASE WHEN NOT ({decided}) THEN '' WHEN {r}.status = 'rejected' THEN 'denied' "
                    f"ELSE {lines} END"),
        "decision_micros": f"CASE WHEN {decided} THEN {micros} ELSE 0 END",
        "late": (f"CASE WHEN {decided} AND {r}.decision_due_at IS NOT NULL "
                 f"AND {r}.decided_at > {r}.decision_due_at THEN 1 ELSE 0 END"),
    }


def report_values(dialect: str, alias: str) -> str:
    """The report's columns of case ``alias``, in :data:`REPORT_COLUMNS` order (for an ``INSERT … SELECT``)."""
    exprs = report_exprs(dialect, alias)
    return ", ".join(exprs[c] for c in REPORT_COLUMNS)


def fill_report_sql(dialect: str, only_if: str = "") -> str:
    """Statement setting the report's columns of every decided case's listing rows (migration 0012).

    The columns' defaults (``''`` / 0) are right for every other case.
    ``only_if``: an extra condition on the case ``r`` (migration 0014 refills a few).
    """
    exprs = report_exprs(dialect, "r")
    picked = ", ".join(f"{exprs[c]} AS {c}" for c in REPORT_COLUMNS)
    assign = ", ".join(f"{c} = x.{c}" for c in REPORT_COLUMNS)
    where = f" AND ({only_if})" if only_if else ""
    return (f"UPDATE case_listing SET {assign} FROM (SELECT r.id, {picked} FROM auth_request r "
            f"WHERE r.status IN {_DECIDED}{where}) AS x WHERE case_listing.request_id = x.id")


def report_index_sql() -> str:
    """The report's covering partial index: a period's decided cases of one audience, by urgency and time taken."""
    return (f"CREATE INDEX IF NOT EXISTS {REPORT_INDEX} ON case_listing ({', '.join(REPORT_INDEX_COLUMNS)}) "
            f"WHERE {REPORT_INDEX_WHERE}")


def _line_outcome_sql(dialect: str, request_id: str, only_if: str = "") -> str:
    """Statement(s) setting the outcome of case ``request_id``'s listing rows after a line changed.

    On PostgreSQL the case's row is locked first (``FOR NO KEY UPDATE``, which
    a decision's own ``UPDATE`` of the case also takes): two writers changing
    lines of one case then take turns, and the second one's next statement
    sees the first one's lines — neither can leave an outcome computed from
    lines another transaction has since changed. ``only_if``: an extra
    condition (SQLite has no ``IF`` in a trigger body).
    """
    outcome = report_exprs(dialect, "r")["outcome"]
    update = (f"UPDATE case_listing SET outcome = (SELECT {outcome} FROM auth_request r WHERE r.id = {request_id}) "
              f"WHERE request_id = {request_id} AND status = 'accepted'{f' AND {only_if}' if only_if else ''};")
    if dialect == "sqlite":
        return update
    return f"PERFORM 1 FROM auth_request WHERE id = {request_id} FOR NO KEY UPDATE;\n                {update}"


def create_trigger_sql(dialect: str, *, names_table: bool = True, report: bool = True,
                       name_counts: bool = True) -> list[str]:
    """Statements creating the triggers that keep the listing, counts and the name index.

    ``names_table`` False gives migration 0008's triggers (a name index per
    case, ``request_name_fts``); True the current ones: every distinct member
    name once in ``case_name``, with its own search index. ``report`` False
    leaves out the report's columns (:data:`REPORT_COLUMNS`, migration 0012)
    and the service-line triggers that keep ``outcome``. ``name_counts`` False
    leaves out the ``case_name_count`` triggers (migrations before 0013).
    """
    extra = name_count_trigger_sql(dialect) if name_counts else []
    return _listing_trigger_sql(dialect, names_table=names_table, report=report) + extra


def name_count_trigger_sql(dialect: str) -> list[str]:
    """Statements creating the triggers that keep ``case_name_count`` from ``case_listing``."""
    add = "INSERT INTO case_name_count (audience_id, name, status, n) VALUES"
    if dialect == "sqlite":
        return [
            f"""CREATE TRIGGER trg_name_count_insert AFTER INSERT ON case_listing BEGIN
                {add} (NEW.audience_id, NEW.member_name, NEW.status, 1);
            END""",
            f"""CREATE TRIGGER trg_name_count_delete AFTER DELETE ON case_listing BEGIN
                {add} (OLD.audience_id, OLD.member_name, OLD.status, -1);
            END""",
            f"""CREATE TRIGGER trg_name_count_update AFTER UPDATE OF status, audience_id, member_name ON case_listing
                WHEN OLD.status IS NOT NEW.status OR OLD.audience_id IS NOT NEW.audience_id
                    OR OLD.member_name IS NOT NEW.member_name BEGIN
                {add} (OLD.audience_id, OLD.member_name, OLD.status, -1);
                {add} (NEW.audience_id, NEW.member_name, NEW.status, 1);
            END""",
        ]
    return [
        f"""CREATE FUNCTION authdesk_name_count() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                {add} (OLD.audience_id, OLD.member_name, OLD.status, -1);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                {add} (NEW.audience_id, NEW.member_name, NEW.status, 1);
            END IF;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER trg_name_count_change AFTER INSERT OR DELETE ON case_listing "
        "FOR EACH ROW EXECUTE FUNCTION authdesk_name_count()",
        "CREATE TRIGGER trg_name_count_update AFTER UPDATE OF status, audience_id, member_name ON case_listing "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.audience_id IS DISTINCT FROM "
        "NEW.audience_id OR OLD.member_name IS DISTINCT FROM NEW.member_name) EXECUTE FUNCTION authdesk_name_count()",
    ]


def drop_name_count_trigger_sql(dialect: str) -> list[str]:
    """Statements dropping what :func:`name_count_trigger_sql` created."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {n}"
                for n in ("trg_name_count_insert", "trg_name_count_delete", "trg_name_count_update")]
    return [
        "DROP TRIGGER IF EXISTS trg_name_count_change ON case_listing",
        "DROP TRIGGER IF EXISTS trg_name_count_update ON case_listing",
        "DROP FUNCTION IF EXISTS authdesk_name_count()",
    ]


def _listing_trigger_sql(dialect: str, *, names_table: bool, report: bool) -> list[str]:
    cols = _columns(report)
    assign_sqlite = ", ".join(f"{c} = COALESCE(NEW.{c}, {_null('sqlite', k)})" for c, k in MIRRORED.items())
    if report:
        assign_sqlite += ", " + ", ".join(f"{c} = {e}" for c, e in report_exprs("sqlite", "NEW").items())
    watched = ", ".join(MIRRORED)
    if dialect == "sqlite":
        if names_table:
            name_on_insert = "INSERT OR IGNORE INTO case_name (name) VALUES (NEW.member_name);"
            name_on_update = name_on_insert
            name_on_delete = "SELECT 1;"  # a name stays listed: it costs one row, never a wrong match
            name_triggers = [
                f"""CREATE TRIGGER trg_case_name_insert AFTER INSERT ON case_name BEGIN
                    INSERT INTO {NAMES_FTS} (rowid, name) VALUES (NEW.id, NEW.name);
                END""",
            ]
        else:
            name_on_insert = f"INSERT INTO {FTS_TABLE} (rowid, member_name) VALUES (NEW.id, NEW.member_name);"
            name_on_update = (f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, member_name) "
                              f"VALUES ('delete', OLD.id, OLD.member_name); {name_on_insert}")
            name_on_delete = (f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, member_name) "
                              "VALUES ('delete', OLD.id, OLD.member_name);")
            name_triggers = []
        line_triggers = [
            f"""CREATE TRIGGER trg_listing_line_insert AFTER INSERT ON service_line BEGIN
                {_line_outcome_sql('sqlite', 'NEW.request_id')}
            END""",
            f"""CREATE TRIGGER trg_listing_line_update AFTER UPDATE OF status, was_pended, request_id
                ON service_line BEGIN
                {_line_outcome_sql('sqlite', 'NEW.request_id')}
                {_line_outcome_sql('sqlite', 'OLD.request_id', 'OLD.request_id IS NOT NEW.request_id')}
            END""",
            f"""CREATE TRIGGER trg_listing_line_delete AFTER DELETE ON service_line BEGIN
                {_line_outcome_sql('sqlite', 'OLD.request_id')}
            END""",
        ]
        return [
            f"""CREATE TRIGGER trg_listing_request_insert AFTER INSERT ON auth_request BEGIN
                INSERT INTO case_listing (audience_id, request_id, {cols})
                VALUES ({PLAN_AUDIENCE}, NEW.id, {_values('sqlite', 'NEW', report)});
                {name_on_insert}
            END""",
            f"""CREATE TRIGGER trg_listing_request_update AFTER UPDATE OF {watched} ON auth_request BEGIN
                UPDATE case_listing SET {assign_sqlite} WHERE request_id = NEW.id;
            END""",
            f"""CREATE TRIGGER trg_listing_request_name AFTER UPDATE OF member_name ON auth_request
                WHEN OLD.member_name IS NOT NEW.member_name BEGIN
                {name_on_update}
            END""",
            f"""CREATE TRIGGER trg_listing_request_delete AFTER DELETE ON auth_request BEGIN
                DELETE FROM case_listing WHERE request_id = OLD.id;
                {name_on_delete}
            END""",
            *name_triggers,
            *(line_triggers if report else []),
            f"""CREATE TRIGGER trg_listing_org_insert AFTER INSERT ON request_organization BEGIN
                INSERT OR IGNORE INTO case_listing (audience_id, request_id, {cols})
                SELECT NEW.organization_id, r.id, {_values('sqlite', 'r', report)}
                FROM auth_request r WHERE r.id = NEW.request_id;
            END""",
            """CREATE TRIGGER trg_listing_org_delete AFTER DELETE ON request_organization BEGIN
                DELETE FROM case_listing WHERE request_id = OLD.request_id AND audience_id = OLD.organization_id;
            END""",
            f"""CREATE TRIGGER trg_listing_org_update AFTER UPDATE OF request_id, organization_id
                ON request_organization BEGIN
                DELETE FROM case_listing WHERE request_id = OLD.request_id AND audience_id = OLD.organization_id;
                INSERT OR IGNORE INTO case_listing (audience_id, request_id, {cols})
                SELECT NEW.organization_id, r.id, {_values('sqlite', 'r', report)}
                FROM auth_request r WHERE r.id = NEW.request_id;
            END""",
            """CREATE TRIGGER trg_count_insert AFTER INSERT ON case_listing BEGIN
                INSERT INTO case_count (audience_id, status, n) VALUES (NEW.audience_id, NEW.status, 1);
            END""",
            """CREATE TRIGGER trg_count_delete AFTER DELETE ON case_listing BEGIN
                INSERT INTO case_count (audience_id, status, n) VALUES (OLD.audience_id, OLD.status, -1);
            END""",
            """CREATE TRIGGER trg_count_update AFTER UPDATE OF status, audience_id ON case_listing
                WHEN OLD.status IS NOT NEW.status OR OLD.audience_id IS NOT NEW.audience_id BEGIN
                INSERT INTO case_count (audience_id, status, n) VALUES (OLD.audience_id, OLD.status, -1);
                INSERT INTO case_count (audience_id, status, n) VALUES (NEW.audience_id, NEW.status, 1);
            END""",
        ]
    assign_pg = ", ".join(f"{c} = COALESCE(NEW.{c}, {_null('postgresql', k)})" for c, k in MIRRORED.items())
    if report:
        assign_pg += ", " + ", ".join(f"{c} = {e}" for c, e in report_exprs("postgresql", "NEW").items())
    line_triggers = [
        f"""CREATE FUNCTION authdesk_listing_line() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                {_line_outcome_sql('postgresql', 'NEW.request_id')}
            END IF;
            IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.request_id IS DISTINCT FROM NEW.request_id) THEN
                {_line_outcome_sql('postgresql', 'OLD.request_id')}
            END IF;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER trg_listing_line AFTER INSERT OR DELETE OR UPDATE OF status, was_pended, request_id "
        "ON service_line FOR EACH ROW EXECUTE FUNCTION authdesk_listing_line()",
    ] if report else []
    return [
        f"""CREATE FUNCTION authdesk_listing_request() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO case_listing (audience_id, request_id, {cols})
                VALUES ({PLAN_AUDIENCE}, NEW.id, {_values('postgresql', 'NEW', report)});
            ELSIF TG_OP = 'UPDATE' THEN
                UPDATE case_listing SET {assign_pg} WHERE request_id = NEW.id;
            END IF;
            RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION authdesk_listing_org() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                DELETE FROM case_listing WHERE request_id = OLD.request_id AND audience_id = OLD.organization_id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO case_listing (audience_id, request_id, {cols})
                SELECT NEW.organization_id, r.id, {_values('postgresql', 'r', report)}
                FROM auth_request r WHERE r.id = NEW.request_id
                ON CONFLICT DO NOTHING;
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE FUNCTION authdesk_count() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                INSERT INTO case_count (audience_id, status, n) VALUES (OLD.audience_id, OLD.status, -1);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO case_count (audience_id, status, n) VALUES (NEW.audience_id, NEW.status, 1);
            END IF;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER trg_listing_request_insert AFTER INSERT ON auth_request "
        "FOR EACH ROW EXECUTE FUNCTION authdesk_listing_request()",
        f"CREATE TRIGGER trg_listing_request_update AFTER UPDATE OF {watched} ON auth_request "
        "FOR EACH ROW EXECUTE FUNCTION authdesk_listing_request()",
        "CREATE TRIGGER trg_listing_org AFTER INSERT OR DELETE OR UPDATE OF request_id, organization_id "
        "ON request_organization FOR EACH ROW EXECUTE FUNCTION authdesk_listing_org()",
        "CREATE TRIGGER trg_count_change AFTER INSERT OR DELETE ON case_listing "
        "FOR EACH ROW EXECUTE FUNCTION authdesk_count()",
        "CREATE TRIGGER trg_count_update AFTER UPDATE OF status, audience_id ON case_listing "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.audience_id IS DISTINCT FROM "
        "NEW.audience_id) EXECUTE FUNCTION authdesk_count()",
    ] + ([
        """CREATE FUNCTION authdesk_case_name() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO case_name (name) VALUES (NEW.member_name) ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER trg_case_name AFTER INSERT OR UPDATE OF member_name ON auth_request "
        "FOR EACH ROW EXECUTE FUNCTION authdesk_case_name()",
    ] if names_table else []) + line_triggers


def drop_trigger_sql(dialect: str) -> list[str]:
    """Statements dropping what :func:`create_trigger_sql` created (those missing are skipped)."""
    return drop_name_count_trigger_sql(dialect) + _drop_listing_trigger_sql(dialect)


def _drop_listing_trigger_sql(dialect: str) -> list[str]:
    if dialect == "sqlite":
        names = (
            "trg_listing_request_insert", "trg_listing_request_update", "trg_listing_request_name",
            "trg_listing_request_delete", "trg_listing_org_insert", "trg_listing_org_delete",
            "trg_listing_org_update", "trg_count_insert", "trg_count_delete", "trg_count_update",
            "trg_case_name_insert", "trg_listing_line_insert", "trg_listing_line_update", "trg_listing_line_delete",
        )
        return [f"DROP TRIGGER IF EXISTS {n}" for n in names]
    return [
        "DROP TRIGGER IF EXISTS trg_listing_request_insert ON auth_request",
        "DROP TRIGGER IF EXISTS trg_listing_request_update ON auth_request",
        "DROP TRIGGER IF EXISTS trg_listing_org ON request_organization",
        "DROP TRIGGER IF EXISTS trg_count_change ON case_listing",
        "DROP TRIGGER IF EXISTS trg_count_update ON case_listing",
        "DROP TRIGGER IF EXISTS trg_case_name ON auth_request",
        "DROP TRIGGER IF EXISTS trg_listing_line ON service_line",
        "DROP FUNCTION IF EXISTS authdesk_listing_line()",
        "DROP FUNCTION IF EXISTS authdesk_case_name()",
        "DROP FUNCTION IF EXISTS authdesk_listing_request()",
        "DROP FUNCTION IF EXISTS authdesk_listing_org()",
        "DROP FUNCTION IF EXISTS authdesk_count()",
    ]


def create_name_index_sql(conn, *, names_table: bool = True) -> list[str]:
    """The member-name search index (FTS5 trigram / pg_trgm GIN); on PostgreSQL none without pg_trgm.

    ``names_table`` False is migration 0008's index over every case's name;
    True the current one over ``case_name`` (each distinct name once).
    """
    table, column, fts, trgm = (("case_name", "name", NAMES_FTS, NAMES_TRGM_INDEX) if names_table
                                else ("auth_request", "member_name", FTS_TABLE, TRGM_INDEX))
    if conn.dialect.name == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({column}, tokenize='trigram', "
            f"content='{table}', content_rowid='id', detail='none')",
            f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",
        ]
    schema = trgm_schema(conn)
    if schema is None:
        try:
            with conn.begin_nested():
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        except Exception:  # no privilege: names are then matched by a scan of the names
            return []
        schema = trgm_schema(conn)
    return [f'CREATE INDEX IF NOT EXISTS {trgm} ON {table} USING gin ({column} "{schema}".gin_trgm_ops)']


def trgm_schema(conn) -> str | None:
    """The schema pg_trgm is installed in, or None."""
    return conn.execute(
        text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
             "WHERE e.extname = 'pg_trgm'")
    ).scalar()


def drop_name_index_sql(dialect: str, *, names_table: bool = True) -> list[str]:
    """Statements dropping the member-name search index."""
    if dialect == "sqlite":
        return [f"DROP TABLE IF EXISTS {NAMES_FTS if names_table else FTS_TABLE}"]
    return [f"DROP INDEX IF EXISTS {NAMES_TRGM_INDEX if names_table else TRGM_INDEX}"]


def fill_names_sql(dialect: str, first_id: int = 0) -> str:
    """Statement adding the member names of cases from ``first_id`` on to ``case_name``."""
    verb = "INSERT OR IGNORE INTO" if dialect == "sqlite" else "INSERT INTO"
    tail = "" if dialect == "sqlite" else " ON CONFLICT DO NOTHING"
    return (f"{verb} case_name (name) SELECT DISTINCT member_name FROM auth_request "
            f"WHERE id >= {int(first_id)} AND member_name IS NOT NULL{tail}")


def fill_listing_sql(dialect: str, *, report: bool = True) -> list[str]:
    """Statements filling ``case_listing`` and ``case_count`` from the cases (after a bulk load).

    ``report`` False: without the report's columns (migration 0008's listing).
    """
    cols = _columns(report)
    return [
        f"INSERT INTO case_listing (audience_id, request_id, {cols}) "
        f"SELECT {PLAN_AUDIENCE}, r.id, {_values(dialect, 'r', report)} FROM auth_request r",
        f"INSERT INTO case_listing (audience_id, request_id, {cols}) "
        f"SELECT o.organization_id, r.id, {_values(dialect, 'r', report)} "
        "FROM request_organization o JOIN auth_request r ON r.id = o.request_id",
        "DELETE FROM case_count",
        "INSERT INTO case_count (audience_id, status, n) "
        "SELECT audience_id, status, COUNT(*) FROM case_listing GROUP BY audience_id, status",
    ]


def fill_name_counts_sql() -> list[str]:
    """Statements recounting ``case_name_count`` from ``case_listing`` (after a bulk load)."""
    return [
        "DELETE FROM case_name_count",
        "INSERT INTO case_name_count (audience_id, name, status, n) "
        "SELECT audience_id, member_name, status, COUNT(*) FROM case_listing GROUP BY audience_id, member_name, status",
    ]


# delta table -> the columns its deltas are summed by
_DELTA_TABLES = {"case_count": ("audience_id", "status"), "case_name_count": ("audience_id", "name", "status")}


def compact_counts(conn) -> int:
    """Fold the count deltas (``case_count``, ``case_name_count``) into one row per key; returns rows removed.

    Safe beside concurrent writers: on PostgreSQL one statement deletes the
    rows it read (later deltas stay); on SQLite the write lock is taken first.
    """
    return sum(_compact(conn, table, keys) for table, keys in _DELTA_TABLES.items())


def _compact(conn, table: str, keys: tuple[str, ...]) -> int:
    cols = ", ".join(keys)
    if conn.dialect.name == "postgresql":
        before = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        conn.execute(text(
            f"WITH gone AS (DELETE FROM {table} RETURNING {cols}, n) "
            f"INSERT INTO {table} ({cols}, n) "
            f"SELECT {cols}, SUM(n) FROM gone GROUP BY {cols} HAVING SUM(n) <> 0"
        ))
    else:
        conn.execute(text(f"DELETE FROM {table} WHERE n = 0"))  # takes the write lock first
        before = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        top = conn.execute(text(f"SELECT MAX(id) FROM {table}")).scalar()
        if top is None:
            return 0
        conn.execute(text(
            f"CREATE TEMP TABLE IF NOT EXISTS authdesk_folded AS SELECT {cols}, n FROM {table} WHERE 0"))
        conn.execute(text("DELETE FROM temp.authdesk_folded"))
        conn.execute(text(
            f"INSERT INTO temp.authdesk_folded SELECT {cols}, SUM(n) FROM {table} WHERE id <= :top "
            f"GROUP BY {cols} HAVING SUM(n) <> 0"), {"top": top})
        conn.execute(text(f"DELETE FROM {table} WHERE id <= :top"), {"top": top})
        conn.execute(text(f"INSERT INTO {table} ({cols}, n) SELECT {cols}, n FROM temp.authdesk_folded"))
        conn.execute(text("DROP TABLE temp.authdesk_folded"))
    after = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    return before - after


def own_tables(conn) -> list[str]:
    """AuthDesk's tables present in the connection's schema, in dependency order."""
    from sqlalchemy import inspect
    from sqlmodel import SQLModel

    import store.models  # noqa: F401  (registers the tables)

    present = set(inspect(conn).get_table_names())
    return [t.name for t in SQLModel.metadata.sorted_tables if t.name in present]


def analyze(conn) -> None:
    """Refresh the planner's statistics (after seeding, imports and migrations).

    On PostgreSQL only AuthDesk's own tables (in the connection's schema): a
    bare ``ANALYZE`` would also take locks on the system catalogs and every
    other schema of the database.
    """
    if conn.dialect.name == "sqlite":
        conn.execute(text("PRAGMA analysis_limit=1000"))
        conn.execute(text("ANALYZE"))
        return
    from sqlalchemy.exc import DBAPIError

    for name in own_tables(conn):
        try:  # one table at a time, each in a savepoint: a deadlock with another
            # session's ANALYZE skips that table instead of undoing the caller's work
            with conn.begin_nested():
                conn.execute(text(f'ANALYZE "{name}"'))
        except DBAPIError:
            continue


def vacuum_listing(engine, *, everything: bool = False) -> None:
    """PostgreSQL: ``VACUUM (ANALYZE)`` the listing (``everything``: every AuthDesk table) — after a bulk load.

    VACUUM sets the visibility map, without which the listing's covering
    indexes (the dashboard's and the report's) cannot be read index-only: each
    entry would cost a visit to its table row. It cannot run inside a
    transaction, so it takes a connection of its own in autocommit. On SQLite
    this is :func:`analyze` (there is no visibility map).
    """
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            analyze(conn)
        return
    from sqlalchemy import inspect
    from sqlmodel import SQLModel

    import store.models  # noqa: F401  (registers the tables)

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        present = set(inspect(conn).get_table_names())
        wanted = ([t.name for t in SQLModel.metadata.sorted_tables] if everything
                  else ["case_listing", "case_count", "case_name", "case_name_count"])
        for name in wanted:
            if name in present:
                conn.execute(text(f'VACUUM (ANALYZE) "{name}"'))


__all__ = [
    "INDEXED_KEYS",
    "MIRRORED",
    "NOBODY",
    "PLAN_AUDIENCE",
    "REPORT_COLUMNS",
    "REPORT_INDEX",
    "SORT_KEYS",
    "analyze",
    "compact_counts",
    "fill_name_counts_sql",
    "fill_report_sql",
    "listing_indexes",
    "name_count_trigger_sql",
    "own_tables",
    "report_exprs",
    "report_index_sql",
    "report_values",
    "vacuum_listing",
]
