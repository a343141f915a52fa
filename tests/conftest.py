"""Shared fixtures: a fresh database per test on SQLite (and PostgreSQL).

* ``db_url`` — parametrized over ``sqlite`` always and ``postgresql`` when
  ``AUTHDESK_TEST_DATABASE_URL`` is set. Each PostgreSQL test run works in a
  schema of its own, created for the run and dropped after it.
* ``store`` — an open, migrated, empty :class:`store.store.Store`.
* ``sqlite_store`` — the same, SQLite only (UI tests).
* ``frozen_now`` — the instant tests freeze time at.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

FROZEN_NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
PG_URL = os.environ.get("AUTHDESK_TEST_DATABASE_URL", "").strip()

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def _code_index_file(tmp_path_factory) -> Path:
    """Where this run's code index lives (built on first use, shared by all tests)."""
    return tmp_path_factory.getbasetemp() / "codes-index.sqlite"


@pytest.fixture
def code_index(_code_index_file):
    """The ICD-10-CM / HCPCS search index, built once per test run."""
    from store.codes.icd10 import ensure_code_index, get_code_index

    ensure_code_index(_code_index_file)
    return get_code_index()


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch, _code_index_file):
    """Keep every test's data and config out of the user's real folders."""
    monkeypatch.setenv("AUTHDESK_CODE_INDEX", str(_code_index_file))
    monkeypatch.setenv("AUTHDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AUTHDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("AUTHDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("AUTHDESK_SMTP_HOST", raising=False)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file migrated once, copied for each test (fast)."""
    from store.store import open_store

    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    store = open_store(f"sqlite:///{path}")
    store.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_schema_url():
    """A PostgreSQL schema for this test run (and this xdist worker)."""
    if not PG_URL:
        pytest.skip("AUTHDESK_TEST_DATABASE_URL not set")
    from sqlalchemy import create_engine, text

    schema = f"authdesk_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    from store.store import open_store

    open_store(url).dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate_all(engine) -> None:
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import store.models  # noqa: F401

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """URL of a fresh, migrated database on each backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "authdesk.sqlite"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_pg_schema_url")
    from store.db import make_engine

    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def store(db_url, tmp_path):
    """An open, migrated, empty store on each backend."""
    from store.store import open_store

    s = open_store(db_url, attachments_dir=tmp_path / "attachments")
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(_sqlite_template, tmp_path):
    """An open, migrated, empty SQLite store (for UI tests)."""
    from store.store import open_store

    path = tmp_path / "ui.sqlite"
    shutil.copy(_sqlite_template, path)
    s = open_store(f"sqlite:///{path}", attachments_dir=tmp_path / "attachments")
    yield s
    s.dispose()


@pytest.fixture
def frozen_now():
    """Freeze the clock at FROZEN_NOW (time-machine, no ticking)."""
    import time_machine

    with time_machine.travel(FROZEN_NOW, tick=False):
        yield FROZEN_NOW
