"""Apply Alembic migrations: at start-up and by ``authdesk db upgrade``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# The newest revision in migrations/versions (a test keeps the two in step).
# Start-up compares it with the database's alembic_version in one query and
# only imports Alembic when an upgrade is really needed.
SCHEMA_HEAD = "0014"


def alembic_config(engine: Engine):
    """An Alembic ``Config`` pointing at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # "%" must be doubled for configparser (URL-encoded options contain it).
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade_database(engine: Engine) -> list[str]:
    """Bring the schema up to the newest revision; returns revisions applied."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    with engine.begin() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    head = script.get_current_head()
    if head in current:
        return []
    applied = [rev.revision for rev in script.iterate_revisions(head, current[0] if current else "base")]
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    refresh_statistics(engine)
    return list(reversed(applied))


def refresh_statistics(engine: Engine) -> None:
    """Fresh planner statistics for the new schema's plans: ``ANALYZE`` on SQLite;
    ``VACUUM (ANALYZE)`` of every AuthDesk table on PostgreSQL (outside a
    transaction; also sets the visibility map, so covering indexes are read
    index-only — autovacuum may be off)."""
    from store.listing import analyze, vacuum_listing

    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            analyze(conn)
    else:
        vacuum_listing(engine, everything=True)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return heads[0] if heads else None


def needs_upgrade(engine: Engine) -> bool:
    """Whether the database is not yet at :data:`SCHEMA_HEAD` (one cheap query)."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return True
        versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    return versions != [SCHEMA_HEAD]


def is_hand_made(name: str | None) -> bool:
    """Schema objects no model describes (search indexes built by raw DDL), for autogenerate to skip."""
    from store.listing import FTS_TABLE, NAMES_FTS, NAMES_TRGM_INDEX, TRGM_INDEX

    return bool(name) and (name.startswith((FTS_TABLE, NAMES_FTS)) or name in (TRGM_INDEX, NAMES_TRGM_INDEX))
