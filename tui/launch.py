"""Opening the database after the sign-in screen has painted.

The command line hands the app a :class:`DatabaseOpener` instead of an open
store, so nothing from SQLAlchemy, SQLModel or the models is imported before
the first paint: the app calls the opener in a thread worker while the clerk
types. This module itself imports nothing heavy at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.store import Store

NO_USERS = (
    "no users in this database yet; create one first: "
    "authdesk user add NAME --role admin  (or try the demo: authdesk demo)"
)


@dataclass(frozen=True)
class DatabaseOpener:
    """Opens (and migrates) the database the command line chose, in a worker thread.

    Attributes:
        db_path: ``--db`` (an SQLite file), or None.
        url: ``--url``, or None (then ``AUTHDESK_DATABASE_URL`` or the default file).
        demo: the demo database (seeded here if it holds nothing yet).
        require_users: refuse a database without any user (nobody could sign in).
    """

    db_path: str | None = None
    url: str | None = None
    demo: bool = False
    require_users: bool = True

    def __call__(self) -> Store:
        """The open store.

        Raises:
            DatabaseUnavailableError: with one line the sign-in screen shows.
        """
        from store.errors import DatabaseUnavailableError
        from store.store import open_store, resolve_url

        try:
            url = resolve_url(db_path=self.db_path, url=self.url, demo=self.demo)
            store = open_store(url, demo=self.demo)
        except DatabaseUnavailableError:
            raise
        except Exception as exc:  # a driver or OS error: one line, never a traceback
            from tui.errors import describe

            raise DatabaseUnavailableError(f"Cannot open the database: {describe(exc)}") from exc
        try:
            if self.demo:
                from store.demo import is_seeded, seed_demo

                if not is_seeded(store):
                    seed_demo(store)
            elif self.require_users and not has_users(store):
                raise DatabaseUnavailableError(NO_USERS)
        except Exception:
            store.dispose()
            raise
        return store


def missing_database_file(db_path: str | None = None, url: str | None = None) -> Path | None:
    """The SQLite file the app would open when it does not exist yet (then nobody can sign in).

    Decided without importing the store, so the command line can say
    :data:`NO_USERS` at once; None when the file exists or a server URL is used.
    """
    from store import paths
    from store.config import settings

    if url or (not db_path and settings().database_url):
        return None
    path = Path(db_path).expanduser() if db_path else paths.default_database_path(demo=False)
    return None if path.exists() else path


def has_users(store: Store) -> bool:
    """Whether anyone can sign in to ``store``."""
    from sqlalchemy import select

    from store.models import User

    with store.session() as session:
        return session.execute(select(User.id).limit(1)).first() is not None
