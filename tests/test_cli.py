"""The command line: clear one-line errors, user creation, upgrades."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tui.__main__ import main


def run_cli(*args, stdin: str | None = None, env: dict | None = None):
    """Run ``authdesk`` in a subprocess (as a user would)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_unreachable_database_is_one_line(tmp_path):
    result = run_cli("--url", "postgresql+psycopg://postgres@127.0.0.1:1/nothing", "db", "upgrade")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("authdesk: Cannot open the database")
    assert "Traceback" not in result.stderr


def test_bad_url_is_one_line():
    result = run_cli("--url", "not a url", "db", "upgrade")
    assert result.returncode == 1
    assert result.stderr.strip() == "authdesk: Not a database URL: 'not a url'"


def test_corrupt_database_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"\x00garbage" * 500)
    result = run_cli("--db", str(bad), "db", "upgrade")
    assert result.returncode == 1
    assert "file is not a database" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_folder_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("--db", str(blocker / "sub" / "db.sqlite"), "db", "upgrade")
    assert result.returncode == 1
    assert "Cannot create the data folder" in result.stderr


def test_db_upgrade_reports_revision(tmp_path):
    result = run_cli("--db", str(tmp_path / "a.sqlite"), "db", "upgrade")
    assert result.returncode == 0, result.stderr
    from store.migrate import SCHEMA_HEAD

    assert f"schema revision {SCHEMA_HEAD}" in result.stdout


def test_user_add_reads_password_from_stdin_and_signs_in(tmp_path):
    db = tmp_path / "u.sqlite"
    result = run_cli(
        "--db", str(db), "user", "add", "Maria", "--role", "clerk", "--org", "NORTH", "--password-stdin",
        stdin="long-enough-pw\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Created clerk maria in NORTH" in result.stdout
    from store.services.auth import sign_in
    from store.store import open_store

    store = open_store(f"sqlite:///{db}")
    with store.session() as session:
        assert sign_in(session, "maria", "long-enough-pw").organization_name == "NORTH"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["user", "add", "bob", "--org", "X", "--password-stdin"], "short\n", "at least 8 characters"),
        (["user", "add", "bob", "--password-stdin"], "long-enough-pw\n", "belongs to an organization"),
        (["user", "add", "b b", "--org", "X", "--password-stdin"], "long-enough-pw\n", "Username"),
    ],
)
def test_user_add_bad_input(tmp_path, args, stdin, message):
    result = run_cli("--db", str(tmp_path / "u.sqlite"), *args, stdin=stdin)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_duplicate_user_is_refused(tmp_path):
    db = str(tmp_path / "u.sqlite")
    args = ["--db", db, "user", "add", "amy", "--org", "X", "--password-stdin"]
    assert run_cli(*args, stdin="long-enough-pw\n").returncode == 0
    again = run_cli(*args, stdin="long-enough-pw\n")
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_password_is_never_an_argument():
    with pytest.raises(SystemExit):
        main(["user", "add", "amy", "--password", "secret"])


def test_app_without_users_explains_what_to_do(tmp_path):
    result = run_cli("--db", str(tmp_path / "empty.sqlite"))
    assert result.returncode == 1
    assert "no users in this database yet" in result.stderr


def test_negative_case_count_is_refused():
    with pytest.raises(SystemExit):
        main(["demo", "--cases", "-5"])


def test_import_members_and_a_bad_file(tmp_path):
    db = str(tmp_path / "i.sqlite")
    good = tmp_path / "members.csv"
    good.write_text(
        "member_id,first_name,last_name,birth_date,sex,plan_name,coverage_order,coverage_start\n"
        "M1,Ann,Lee,1990-01-02,F,Plan,primary,2025-01-01\n"
    )
    result = run_cli("--db", db, "import", "members", str(good))
    assert result.returncode == 0, result.stderr
    assert "1 rows read: 1 added, 0 updated" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("member_id,first_name\nM1,Ann\n")
    result = run_cli("--db", db, "import", "members", str(bad))
    assert result.returncode == 1
    assert "missing columns" in result.stderr and "Traceback" not in result.stderr
