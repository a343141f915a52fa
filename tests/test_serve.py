"""``authdesk serve`` without a browser: options, settings, the per-session command, one-line errors."""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from store.config import Settings
from tui.serve import listen_address, session_command

ROOT = Path(__file__).resolve().parents[1]


def args(**given) -> argparse.Namespace:
    return argparse.Namespace(**{"host": None, "port": None, "public_url": None, "demo": False, **given})


def test_each_browser_session_runs_the_app_on_the_same_database():
    url = "sqlite:////srv/office desk/authdesk.sqlite"
    command, environment = session_command(url, demo=False)
    assert shlex.split(command) == [sys.executable, "-m", "tui", "--url", url]
    assert environment == {}
    assert shlex.split(session_command(url, demo=True)[0])[-1] == "demo"


def test_a_database_password_never_shows_on_a_session_command_line():
    url = "postgresql+psycopg://desk:s3cret@db.office.local/authdesk"
    command, environment = session_command(url, demo=False)
    assert "s3cret" not in command
    assert shlex.split(command) == [sys.executable, "-m", "tui"]
    assert environment == {"AUTHDESK_DATABASE_URL": url}


def test_the_command_line_wins_over_the_settings():
    current = Settings(serve_host="0.0.0.0", serve_port=9000, serve_public_url="https://desk.example.org/")
    assert listen_address(args(), current) == ("0.0.0.0", 9000, "https://desk.example.org")
    assert listen_address(args(host="127.0.0.1", port=8001, public_url="http://localhost:8001"), current) == (
        "127.0.0.1", 8001, "http://localhost:8001")
    assert listen_address(args(), Settings()) == ("127.0.0.1", 8000, None)
    with pytest.raises(ValueError, match="must start with http:// or https://"):
        listen_address(args(public_url="desk.example.org"), current)


def run_cli(*words: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", "--db", str(tmp_path / "desk.sqlite"), *words],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_bad_port_is_one_line(tmp_path):
    result = run_cli("serve", "--port", "70000", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "a port is a number from 1 to 65535" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), tmp_path=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"authdesk: cannot listen on 127.0.0.1:{port}: Address already in use"
    assert "Traceback" not in result.stderr


def test_without_a_browser_ci_fails_instead_of_skipping(monkeypatch):
    from tests.test_serve_browser import REQUIRE_ENV, _no_browser

    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception):
        _no_browser("no Chromium on this machine")
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="the browser test must run here"):
        _no_browser("no Chromium on this machine")


def test_an_address_of_another_machine_is_one_line_before_any_work(tmp_path):
    result = run_cli("serve", "--host", "203.0.113.7", "--port", "8000", tmp_path=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "authdesk: cannot listen on 203.0.113.7:8000: Cannot assign requested address"
    assert not (tmp_path / "desk.sqlite").exists()  # refused before the database was opened
