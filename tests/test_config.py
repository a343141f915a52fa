"""Settings: defaults, config.toml, environment; one clear line for a bad file; keymap and theme."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from store.config import SETTINGS, ConfigError, Settings, load_settings, reload, settings

ROOT = Path(__file__).resolve().parents[1]


def write_config(text: str) -> Path:
    from store.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    reload()
    return path


# ----- precedence -----


def test_defaults_without_a_file_or_environment(tmp_path):
    current = load_settings(tmp_path / "none.toml", environ={})
    assert current == Settings()
    assert current.source is None
    assert current.session_idle_lock_minutes == 15
    assert current.serve_port == 8000 and current.serve_host == "127.0.0.1"


def test_every_declared_setting_is_a_settings_attribute_with_the_same_default():
    attributes = {f.name: f.default for f in fields(Settings)}
    for setting in SETTINGS:
        assert attributes[setting.attribute] == setting.default, setting.name
        assert setting.env.startswith("AUTHDESK_")
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)


def test_the_file_overrides_defaults_and_the_environment_overrides_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[database]\nurl = "sqlite:////srv/desk.sqlite"\n'
        "[session]\nidle_lock_minutes = 5\n"
        "[housekeeping]\ninterval_minutes = 2.5\n"
        '[serve]\nhost = "0.0.0.0"\nport = 9000\n'
        '[smtp]\nhost = "relay"   # read by the mailer, not here\n',
        encoding="utf-8",
    )
    from_file = load_settings(path, environ={})
    assert from_file.database_url == "sqlite:////srv/desk.sqlite"
    assert from_file.session_idle_lock_minutes == 5
    assert from_file.housekeeping_interval_minutes == 2.5
    assert (from_file.serve_host, from_file.serve_port) == ("0.0.0.0", 9000)
    assert from_file.source == path

    env = {"AUTHDESK_IDLE_LOCK_MINUTES": "0", "AUTHDESK_SERVE_PORT": "8443",
           "AUTHDESK_DATABASE_URL": "", "AUTHDESK_DEBUG": "yes"}  # empty: not set, the file's value stays
    both = load_settings(path, environ=env)
    assert both.session_idle_lock_minutes == 0
    assert both.serve_port == 8443
    assert both.database_url == "sqlite:////srv/desk.sqlite"
    assert both.app_debug is True
    assert both.housekeeping_interval_minutes == 2.5


def test_settings_are_read_once_and_again_when_the_environment_changes(monkeypatch):
    path = write_config("[session]\nidle_lock_minutes = 7\n")
    first = settings()
    assert first.session_idle_lock_minutes == 7
    path.write_text("[session]\nidle_lock_minutes = 8\n", encoding="utf-8")
    assert settings() is first  # read once: an edit needs a restart (or reload())
    monkeypatch.setenv("AUTHDESK_IDLE_LOCK_MINUTES", "3")
    assert settings().session_idle_lock_minutes == 3
    monkeypatch.delenv("AUTHDESK_IDLE_LOCK_MINUTES")
    assert reload().session_idle_lock_minutes == 8


def test_data_folder_database_url_and_code_index_come_from_the_settings(monkeypatch, tmp_path):
    from store import paths
    from store.codes.icd10 import index_path
    from store.store import resolve_url

    monkeypatch.delenv("AUTHDESK_DATA_DIR")
    monkeypatch.delenv("AUTHDESK_CODE_INDEX")
    write_config(
        f'[paths]\ndata_dir = "{tmp_path / "desk"}"\ncode_index = "{tmp_path / "idx.sqlite"}"\n'
        '[database]\nurl = "postgresql+psycopg://desk@db.local/authdesk"\n'
    )
    assert paths.data_dir() == tmp_path / "desk"
    assert index_path() == tmp_path / "idx.sqlite"
    assert resolve_url() == "postgresql+psycopg://desk@db.local/authdesk"
    assert resolve_url(demo=True) == f"sqlite:///{tmp_path / 'desk' / 'demo.sqlite'}"


# ----- bad input: one clear line -----


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[session\nidle_lock_minutes = 5\n", "is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 9)"),
        ("[session]\nidle_lock_minute = 5\n", "unknown setting session.idle_lock_minute (known in [session]: idle_lock_minutes)"),
        ('[session]\nidle_lock_minutes = "soon"\n', "session.idle_lock_minutes must be a whole number (0 or more), not 'soon'"),
        ("[session]\nidle_lock_minutes = -1\n", "session.idle_lock_minutes must be a whole number (0 or more), not -1"),
        ("[serve]\nport = 70000\n", "serve.port must be a whole number from 1 to 65535, not 70000"),
        ("[app]\ndebug = 2\n", "app.debug must be true or false, not 2"),
        ("session = 5\n", "session must be a table ([session])"),
        ("[keys]\nsearch = 5\n", 'keys.search must be a key such as "ctrl+k", not 5'),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file_and_the_setting(text, message):
    with pytest.raises(ConfigError) as caught:
        write_config(text)
    line = str(caught.value)
    assert "\n" not in line
    assert "config.toml" in line
    assert line.endswith(message)


def test_a_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("AUTHDESK_SERVE_PORT", "http")
    with pytest.raises(ConfigError, match=r"^environment variable AUTHDESK_SERVE_PORT: serve.port must be a whole number"):
        settings()


def test_the_command_line_prints_one_line_for_a_bad_config_file():
    path = write_config("[session]\nidle_lock_minutes = 5\n")
    path.write_text("[database\nurl = 1\n", encoding="utf-8")
    import os

    result = subprocess.run(
        [sys.executable, "-m", "tui", "db", "upgrade"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"authdesk: {path} is not valid TOML: ")
    assert "Traceback" not in result.stderr


# ----- PostgreSQL without the extra -----


def test_a_postgresql_url_without_psycopg_says_which_extra_to_install():
    probe = (
        "import sys\n"
        "sys.modules['psycopg'] = None  # as when authdesk[postgres] is not installed\n"
        "sys.modules['psycopg2'] = None\n"
        "from tui.__main__ import main\n"
        "sys.exit(main(['--url', 'postgresql+psycopg://desk@127.0.0.1:1/authdesk', 'db', 'upgrade']))\n"
    )
    import os

    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "authdesk: PostgreSQL support is not installed: pip install 'authdesk[postgres]' "
        "(the psycopg driver), then try again."
    )


# ----- documentation -----


def test_docs_admin_lists_every_setting_and_its_variable():
    text = (ROOT / "docs" / "admin.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in text, setting.name
        assert f"`{setting.env}`" in text, setting.env
    assert "`AUTHDESK_CONFIG_DIR`" in text


# ----- keymap and theme in the app -----


@pytest.fixture
def clerk_store(sqlite_store):
    from tests.factories import make_user

    return sqlite_store, make_user(sqlite_store)


def _app(store, user, current: Settings):
    from tui.app import AuthDeskApp
    from tui.messages import SignedIn

    class Signed(AuthDeskApp):
        def on_mount(self, event) -> None:
            event.prevent_default()
            self.post_message(SignedIn(user))

    return Signed(store, settings=current)


async def test_a_key_remapped_in_the_keys_table_opens_search(clerk_store, monkeypatch):
    from tui.screens.search import SearchScreen

    monkeypatch.setenv("AUTHDESK_HOUSEKEEPING_MINUTES", "0")
    store, user = clerk_store
    path = write_config('[keys]\nsearch = "f6"\n')
    current = load_settings(path, environ={})
    assert current.keys == {"search": "f6"}
    app = _app(store, user, current)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")  # the default key no longer searches
        await pilot.pause()
        assert not isinstance(app.screen, SearchScreen)
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)


async def test_the_theme_picked_is_kept_for_the_next_start(clerk_store):
    from store.config import saved_theme

    store, user = clerk_store
    current = load_settings(Path("/nonexistent/config.toml"), environ={})
    app = _app(store, user, current)
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.theme == "textual-dark"
        app.theme = "nord"
        await pilot.pause()
    assert saved_theme() == "nord"
    again = _app(store, user, current)
    async with again.run_test(size=(120, 36)):
        assert again.theme == "nord"


async def test_the_config_theme_is_the_start_theme_until_one_is_picked(clerk_store):
    store, user = clerk_store
    current = Settings(ui_theme="gruvbox")
    app = _app(store, user, current)
    async with app.run_test(size=(120, 36)):
        assert app.theme == "gruvbox"
    unknown = _app(store, user, Settings(ui_theme="no-such-theme"))
    async with unknown.run_test(size=(120, 36)):
        assert unknown.theme == "textual-dark"


def test_the_readme_is_short_starts_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    assert len(lines) <= 150
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert block == ["pip install . && authdesk demo", 'pip install ".[test]" -c constraints.txt && pytest']
    assert readme.index("```bash") < readme.index("\n## ")  # the commands come first
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == block[1]
    assert "AUTHDESK_REQUIRE_BROWSER=1" in "\n".join(ci)
    for doc in ("clerk", "reviewer", "admin", "architecture", "benchmarks", "development"):
        assert f"(docs/{doc}.md)" in readme, doc
        assert (ROOT / "docs" / f"{doc}.md").is_file()


def test_the_constraints_pin_textual_and_pyproject_gives_a_range():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    textual = [d for d in project["dependencies"] if d.split(">")[0].split("=")[0].split("<")[0] == "textual"]
    assert textual and "==" not in textual[0] and "<" in textual[0]
    assert isinstance(project["license"], str)  # an SPDX expression, not a table
    assert not any(d.startswith("psycopg") for d in project["dependencies"])
    assert any(d.startswith("psycopg") for d in project["optional-dependencies"]["postgres"])
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    from importlib.metadata import version

    assert pins["textual"] == version("textual")  # the snapshots were made with this one


async def test_the_palette_lists_authdesk_first_then_only_theme_keys_and_quit(clerk_store):
    from textual.command import CommandList

    store, user = clerk_store
    app = _app(store, user, Settings())
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(3):
            await pilot.pause()
        await pilot.press("ctrl+p")
        options = app.screen.query_one(CommandList)
        for _ in range(20):  # the providers answer in workers
            await pilot.pause(0.05)
            titles = [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]
            if {"Theme", "Keys", "Quit"} <= set(titles) and len(titles) > 3:
                break
        system = [t for t in titles if t in ("Theme", "Keys", "Quit", "Screenshot", "Maximize")]
        assert system == titles[-len(system):]  # after every AuthDesk command
        assert set(system) == {"Theme", "Keys", "Quit"}  # no Screenshot, no Maximize
        assert len(titles) > len(system)
        await pilot.press(*"theme")
        for _ in range(20):
            await pilot.pause(0.05)
            first = str(options.get_option_at_index(0).prompt).split("\n")[0] if options.option_count else ""
            if first:
                break
        assert "Theme" in first


# Import names of the distributions whose names differ.
IMPORT_NAMES = {"SQLAlchemy": "sqlalchemy", "pwdlib[argon2]": "pwdlib", "simple-icd-10-cm": "simple_icd_10_cm",
                "textual-fspicker": "textual_fspicker", "email-validator": "email_validator", "fpdf2": "fpdf",
                "textual-serve": "textual_serve"}


def test_every_install_requirement_is_imported_by_the_app():
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    sources = "\n".join(p.read_text(encoding="utf-8") for folder in ("store", "tui")
                        for p in (ROOT / folder).rglob("*.py"))
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~ ;]", requirement, maxsplit=1)[0]
        module = IMPORT_NAMES.get(name, name).replace("-", "_")
        assert re.search(rf"^\s*(?:import|from) {re.escape(module)}\b", sources, re.M), f"{name} is never imported"


def test_authdesk_keys_lists_the_binding_ids_and_names_an_unknown_one():
    import os

    from tui.keymap import all_bindings, unknown_ids

    bindings = all_bindings()
    by_id = {(b.where, b.id): b.keys for b in bindings}
    assert by_id[("AuthDeskApp", "search")] == "ctrl+f"
    assert by_id[("DashboardScreen", "dash-new")] == "n"
    assert unknown_ids({"search": "f6", "serch": "f7"}, bindings) == ["serch"]

    path = write_config('[keys]\nsearch = "f6"\nserch = "f7"\n')
    result = subprocess.run([sys.executable, "-m", "tui", "keys"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert "search" in result.stdout and "f6  (default ctrl+f)" in result.stdout
    assert result.stderr.strip() == f"authdesk: {path}: [keys] names no binding serch (the ids are listed above)"
