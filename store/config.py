"""AuthDesk's settings: one object, read once from ``config.toml``, environment overriding.

The file lives in the config folder (:func:`store.paths.config_dir`; the
``AUTHDESK_CONFIG_DIR`` environment variable moves it)::

    [database]
    url = "postgresql+psycopg://desk@db.office.local/authdesk"

    [session]
    idle_lock_minutes = 10

    [keys]
    search = "ctrl+k"        # a binding id = the key(s) that trigger it

Every setting is declared once in :data:`SETTINGS` (its table, key,
environment variable, default and meaning); docs/admin.md lists them and a
test checks the list is complete. An environment variable that is set and not
empty wins over the file. The ``[smtp]`` and ``[pas]`` tables of the same
file are read by :mod:`store.services.mailer` and :mod:`store.fhir.settings`.

A file that is not TOML, an unknown key in one of these tables or a bad value
raises :class:`ConfigError` with one line naming the file (or variable), the
setting and what is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from store.errors import StoreError

CONFIG_FILENAME = "config.toml"
ENV_PREFIX = "AUTHDESK_"
# Tables of config.toml read by other modules (validated there).
OTHER_TABLES = ("smtp", "pas")


class ConfigError(StoreError):
    """config.toml or an ``AUTHDESK_*`` variable holds something unusable (one line)."""


@dataclass(frozen=True, slots=True)
class Setting:
    """One knob: where it is in config.toml, its environment variable, default and meaning."""

    table: str
    key: str
    env: str
    kind: str  # "str", "path", "int>=0", "float>=0", "bool", "port"
    default: object
    help: str

    @property
    def name(self) -> str:
        """``table.key``, the attribute's spelling in messages."""
        return f"{self.table}.{self.key}"

    @property
    def attribute(self) -> str:
        """The :class:`Settings` attribute holding the value."""
        return f"{self.table}_{self.key}"


SETTINGS: tuple[Setting, ...] = (
    Setting("database", "url", "AUTHDESK_DATABASE_URL", "str", "",
            "SQLAlchemy URL of a shared database, e.g. postgresql+psycopg://user@host/authdesk "
            "(needs `pip install authdesk[postgres]`); empty: the SQLite file in the data folder"),
    Setting("paths", "data_dir", "AUTHDESK_DATA_DIR", "path", "",
            "folder of the SQLite database, attachments, the code index and the log; "
            "empty: the platform's user data folder"),
    Setting("paths", "code_index", "AUTHDESK_CODE_INDEX", "path", "",
            "file of the ICD-10-CM/HCPCS search index; empty: codes-index.sqlite in the data folder"),
    Setting("session", "idle_lock_minutes", "AUTHDESK_IDLE_LOCK_MINUTES", "int>=0", 15,
            "minutes without a key before a signed-in session locks itself; 0: never"),
    Setting("housekeeping", "interval_minutes", "AUTHDESK_HOUSEKEEPING_MINUTES", "float>=0", 5.0,
            "minutes between the app's background housekeeping runs (expiry, reminders, mail); 0: off"),
    Setting("files", "open_command", "AUTHDESK_OPEN_COMMAND", "str", "",
            "command that opens an attachment or letter (the file's path is appended); "
            "empty: xdg-open, open on macOS, the file association on Windows"),
    Setting("ui", "theme", "AUTHDESK_THEME", "str", "",
            "Textual theme at start until one is picked in the palette (ctrl+p, theme); "
            "empty: textual-dark"),
    Setting("serve", "host", "AUTHDESK_SERVE_HOST", "str", "127.0.0.1",
            "address `authdesk serve` listens on"),
    Setting("serve", "port", "AUTHDESK_SERVE_PORT", "port", 8000,
            "port `authdesk serve` listens on"),
    Setting("serve", "public_url", "AUTHDESK_SERVE_PUBLIC_URL", "str", "",
            "the address browsers use when `authdesk serve` is behind a reverse proxy, "
            "e.g. https://desk.example.org; empty: http://host:port"),
    Setting("app", "debug", "AUTHDESK_DEBUG", "bool", False,
            "show the full traceback of an unexpected command-line error instead of one line"),
)

_BY_TABLE: dict[str, dict[str, Setting]] = {}
for _setting in SETTINGS:
    _BY_TABLE.setdefault(_setting.table, {})[_setting.key] = _setting

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings in force: defaults, then config.toml, then ``AUTHDESK_*`` variables.

    Attributes mirror :data:`SETTINGS` as ``<table>_<key>``; ``keys`` is the
    ``[keys]`` table (binding id → keys) and ``source`` the file read (or None).
    """

    database_url: str = ""
    paths_data_dir: str = ""
    paths_code_index: str = ""
    session_idle_lock_minutes: int = 15
    housekeeping_interval_minutes: float = 5.0
    files_open_command: str = ""
    ui_theme: str = ""
    serve_host: str = "127.0.0.1"
    serve_port: int = 8000
    serve_public_url: str = ""
    app_debug: bool = False
    keys: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None


def config_path() -> Path:
    """Where config.toml is (the config folder; ``AUTHDESK_CONFIG_DIR`` moves it)."""
    from store import paths

    return paths.config_dir() / CONFIG_FILENAME


def read_config_file(path: Path) -> dict:
    """The parsed TOML of ``path`` ({} when the file does not exist).

    Raises:
        ConfigError: unreadable file or not TOML, one line with the position.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ConfigError(f"Cannot read {path}: {reason}") from None
    import tomllib  # only when there is a file: start-up without one stays lean

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def _convert(setting: Setting, raw: object, where: str) -> object:
    """``raw`` (a TOML value or an environment string) as the setting's type."""
    kind = setting.kind

    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{where}: {setting.name} must be {expected}, not {raw!r}")

    if kind in ("str", "path"):
        if not isinstance(raw, str):
            raise bad("text")
        return raw.strip()
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise bad("true or false")
    if isinstance(raw, bool):
        raise bad("a number")
    if kind == "float>=0":
        try:
            number = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad("a number of minutes (0 or more)") from None
        if number < 0 or number != number:
            raise bad("a number of minutes (0 or more)")
        return number
    try:
        number = int(raw.strip() if isinstance(raw, str) else raw)  # type: ignore[arg-type]
        if isinstance(raw, float):
            raise ValueError
    except (TypeError, ValueError):
        raise bad("a whole number" + (" (0 or more)" if kind == "int>=0" else " from 1 to 65535")) from None
    if kind == "int>=0" and number < 0:
        raise bad("a whole number (0 or more)")
    if kind == "port" and not 0 < number < 65536:
        raise bad("a whole number from 1 to 65535")
    return number


def _keymap(table: object, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [keys] must be a table of binding id = \"key\" lines")
    keys: dict[str, str] = {}
    for binding_id, value in table.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: keys.{binding_id} must be a key such as \"ctrl+k\", not {value!r}")
        keys[str(binding_id)] = ",".join(part.strip() for part in value.split(","))
    return keys


def load_settings(config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings: defaults, then ``config_file`` (config.toml), then the environment.

    Args:
        config_file: the file to read; default :func:`config_path`.
        environ: the environment; default ``os.environ``.

    Raises:
        ConfigError: one line naming the file or variable, the setting and the problem.
    """
    environ = os.environ if environ is None else environ
    path = config_file if config_file is not None else config_path()
    data = read_config_file(path)
    values: dict[str, object] = {}
    keys: dict[str, str] = {}
    for table_name, table in data.items():
        if table_name == "keys":
            keys = _keymap(table, str(path))
            continue
        known = _BY_TABLE.get(table_name)
        if known is None:
            continue  # [smtp], [pas] and tables of later versions are read elsewhere
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {table_name} must be a table ([{table_name}])")
        for key, raw in table.items():
            setting = known.get(key)
            if setting is None:
                raise ConfigError(
                    f"{path}: unknown setting {table_name}.{key} (known in [{table_name}]: {', '.join(known)})"
                )
            values[setting.attribute] = _convert(setting, raw, str(path))
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is not None and raw.strip() != "":
            values[setting.attribute] = _convert(setting, raw, f"environment variable {setting.env}")
    return Settings(**values, keys=keys, source=path if data else None)


_cache: tuple[tuple, Settings] | None = None


def _cache_key(environ: Mapping[str, str]) -> tuple:
    return (str(config_path()), tuple(sorted((k, v) for k, v in environ.items() if k.startswith(ENV_PREFIX))))


def settings() -> Settings:
    """The settings in force, read once (again only when the config folder or an ``AUTHDESK_*`` variable changes).

    Raises:
        ConfigError: see :func:`load_settings`.
    """
    global _cache
    key = _cache_key(os.environ)
    if _cache is None or _cache[0] != key:
        _cache = (key, load_settings())
    return _cache[1]


def reload() -> Settings:
    """Read config.toml again (after it was edited)."""
    global _cache
    _cache = None
    return settings()


# ----- the theme picked in the palette ----------------------------------------------

STATE_FILENAME = "ui-state.json"


def _state_path() -> Path:
    from store import paths

    return paths.data_dir() / STATE_FILENAME


def saved_theme() -> str:
    """The theme last picked in the palette ('' when none was)."""
    import json

    try:
        data = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    theme = data.get("theme") if isinstance(data, dict) else None
    return theme if isinstance(theme, str) else ""


def save_theme(theme: str) -> None:
    """Remember ``theme`` for the next start (best effort: a read-only folder is not an error)."""
    import json

    path = _state_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_text(json.dumps({"theme": theme}), encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass


def start_theme(current: Settings, available: Callable[[str], bool]) -> str:
    """The theme to start with: the palette's last pick, else ``[ui] theme``, else ''.

    ``available`` tells whether a theme name exists; unknown names are skipped.
    """
    for name in (saved_theme(), current.ui_theme):
        if name and available(name):
            return name
    return ""


__all__ = [
    "CONFIG_FILENAME",
    "ConfigError",
    "SETTINGS",
    "Setting",
    "Settings",
    "config_path",
    "load_settings",
    "read_config_file",
    "reload",
    "save_theme",
    "saved_theme",
    "settings",
    "start_theme",
]
