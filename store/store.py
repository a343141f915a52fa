"""The store object the UI receives: an engine plus where files live."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from store import paths
from store.db import check_connection, make_engine, session_scope, sqlite_url


@dataclass
class Store:
    """An open AuthDesk database and its attachments folder.

    Attributes:
        engine: the SQLAlchemy engine (SQLite file or PostgreSQL).
        attachments_dir: where content-addressed files are copied.
        demo: True for the demo database (shows demo sign-ins).
    """

    engine: Engine
    attachments_dir: Path
    demo: bool = False
    settings: dict = field(default_factory=dict)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success, rolled back on error."""
        with session_scope(self.engine) as session:
            session.info["attachments_dir"] = self.attachments_dir  # for letters written by services
            yield session

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def resolve_url(db_path: str | None = None, url: str | None = None, demo: bool = False) -> str:
    """The database URL from ``--db``, ``[database] url`` (``AUTHDESK_DATABASE_URL``) or the default file."""
    from store.config import settings

    if url:
        return url
    if db_path:
        return sqlite_url(Path(db_path).expanduser().resolve())
    env_url = settings().database_url
    if env_url and not demo:
        return env_url
    return sqlite_url(paths.default_database_path(demo=demo))


def open_store(url: str, *, demo: bool = False, upgrade: bool = True,
               attachments_dir: Path | None = None) -> Store:
    """Open (and by default migrate) the database at ``url``.

    Raises:
        DatabaseUnavailableError: unreachable server, bad URL, unwritable
            folder or a file that is not a database.
    """
    engine = make_engine(url)
    check_connection(engine)
    if upgrade:
        from store.migrate import needs_upgrade, upgrade_database

        if needs_upgrade(engine):
            _upgrade_or_explain(engine, upgrade_database)
    if attachments_dir is None:
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            attachments_dir = paths.attachments_dir(Path(engine.url.database))
        else:
            attachments_dir = paths.attachments_dir()
    return Store(engine=engine, attachments_dir=attachments_dir, demo=demo)


def _upgrade_or_explain(engine: Engine, upgrade) -> None:
    from sqlalchemy.exc import DatabaseError, OperationalError

    from store.db import describe_url
    from store.errors import DatabaseUnavailableError

    try:
        upgrade(engine)
    except (OperationalError, DatabaseError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseUnavailableError(
            f"Cannot prepare the database {describe_url(engine)}: {reason}"
        ) from exc


__all__ = ["Store", "open_store", "resolve_url", "make_engine"]
