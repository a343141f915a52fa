"""Where AuthDesk keeps its data and configuration.

Nothing here touches the disk at import time; callers ask for a path and
create it when they need it.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "authdesk"


def data_dir() -> Path:
    """The folder holding the default database and attachments.

    ``[paths] data_dir`` in config.toml (or ``AUTHDESK_DATA_DIR``) overrides
    the platform's user data folder.
    """
    from store.config import settings

    override = settings().paths_data_dir
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def config_dir() -> Path:
    """The folder holding ``config.toml`` (see :mod:`store.config`).

    ``AUTHDESK_CONFIG_DIR`` overrides the platform's user config folder (an
    environment variable only: it says where the file is).
    """
    override = os.environ.get("AUTHDESK_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_config_path(APP_NAME)


def default_database_path(demo: bool = False) -> Path:
    """Path of the embedded SQLite database (a separate file for the demo)."""
    return data_dir() / ("demo.sqlite" if demo else "authdesk.sqlite")


def attachments_dir(database_path: Path | None = None) -> Path:
    """Folder for content-addressed attachment files.

    Attachments live beside the SQLite file they belong to; for a server
    database they live in the data folder.
    """
    if database_path is not None:
        return database_path.parent / f"{database_path.stem}-attachments"
    return data_dir() / "attachments"


def code_index_path() -> Path:
    """Path of the prebuilt code-set search index (ICD-10-CM, HCPCS)."""
    return data_dir() / "codes-index.sqlite"
