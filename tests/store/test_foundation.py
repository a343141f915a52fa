"""Migrations, engine settings, numbering and import hygiene."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from store.db import make_engine
from store.errors import DatabaseUnavailableError
from store.services import numbering


def test_store_never_imports_textual():
    code = (
        "import sys, store, store.store, store.models, store.services.auth, store.services.cases, "
        "store.services.numbering, store.migrate; "
        "assert 'textual' not in sys.modules, 'store imported textual'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_migrations_match_models(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from store import models as _models  # noqa: F401  (registers the tables)

    with store.engine.connect() as conn:
        from store.migrate import is_hand_made

        ctx = MigrationContext.configure(conn, opts={
            "compare_type": False, "include_name": lambda name, *_: not is_hand_made(name)})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def test_schema_head_constant_matches_alembic(store):
    from alembic.script import ScriptDirectory

    from store.migrate import SCHEMA_HEAD, alembic_config, current_revision, needs_upgrade

    head = ScriptDirectory.from_config(alembic_config(store.engine)).get_current_head()
    assert SCHEMA_HEAD == head
    assert current_revision(store.engine) == head
    assert not needs_upgrade(store.engine)


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_numbers_are_sequential_and_formatted(store):
    with store.session() as session:
        first = numbering.next_draft_number(session)
        second = numbering.next_draft_number(session)
        webcert = numbering.next_webcert_number(session)
        sp = numbering.next_auth_number(session, "SP")
        ip = numbering.next_auth_number(session, "IP")
    assert (first, second) == ("D-000001", "D-000002")
    assert webcert == "WC-0000001"
    assert sp == "SP0000001" and ip == "IP0000001"


def test_rolled_back_number_is_never_reused_and_next_is_unique(store):
    with pytest.raises(RuntimeError):
        with store.session() as session:
            numbering.next_webcert_number(session)
            raise RuntimeError("submission failed")
    with store.session() as session:
        numbers = {numbering.next_webcert_number(session) for _ in range(5)}
    assert len(numbers) == 5


def test_bad_url_is_one_clear_error():
    with pytest.raises(DatabaseUnavailableError, match="Not a database URL"):
        make_engine("nonsense")
    with pytest.raises(DatabaseUnavailableError, match="Unsupported database"):
        make_engine("mysql://x@localhost/db")


def test_corrupt_sqlite_file_is_a_clear_error(tmp_path):
    from store.store import open_store

    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DatabaseUnavailableError, match="not a database"):
        open_store(f"sqlite:///{bad}")


def test_unreachable_server_is_a_clear_error():
    from store.store import open_store

    with pytest.raises(DatabaseUnavailableError, match="Cannot open the database"):
        open_store("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
