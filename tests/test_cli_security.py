"""The command line under junk: imports in odd encodings, the audit log, unexpected errors."""

from __future__ import annotations


import pytest

from tui.__main__ import main

HEADER = "member_id,first_name,last_name,birth_date,sex,plan_name,coverage_order,coverage_start\n"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.sqlite"
    assert main(["--db", str(path), "db", "upgrade"]) == 0
    return str(path)


def test_latin1_file_is_imported_and_named(db, tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_bytes((HEADER + "ho 60003,Zoë,Lee,1990-01-02,F,Plan,primary,2025-01-01\n").encode("latin-1"))
    assert main(["--db", db, "import", "members", str(path)]) == 0
    assert "read as Windows-1252" in capsys.readouterr().out


def test_bad_rows_are_listed_on_one_error(db, tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_text(HEADER + "M1,Ann,Lee,2030-01-02,Mxyzzy,Plan,primary,2025-01-01\n", encoding="utf-8")
    assert main(["--db", db, "import", "members", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "line 2: sex must be F, M or U, not 'Mxyzzy'; birth_date 2030-01-02 is not plausible" in err


def test_a_file_in_no_known_encoding_is_one_line(db, tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_bytes(HEADER.encode() + b"M1,A\x81n,Lee,1990-01-02,F,Plan,primary,2025-01-01\n")
    assert main(["--db", db, "import", "members", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 2: byte 0x81" in err


def test_audit_prints_sign_ins_since_a_date(db, capsys):
    from store.services.auth import create_user, sign_in
    from store.store import open_store

    store = open_store(f"sqlite:///{db}")
    with store.session() as session:
        create_user(session, "amy", "long-enough-pw", organization_code="NORTH")
    with store.session() as session:
        sign_in(session, "amy", "long-enough-pw")
    store.dispose()
    assert main(["--db", db, "audit", "--since", "1d"]) == 0
    out = capsys.readouterr()
    assert "signed-in" in out.out and "amy" in out.out and "NORTH" in out.out
    assert "1 event" in out.err
    assert main(["--db", db, "audit", "--since", "1d", "--action", "viewed"]) == 0
    assert capsys.readouterr().out == ""


def test_audit_with_a_bad_date_is_one_line(db, capsys):
    assert main(["--db", db, "audit", "--since", "last tuesday"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("authdesk: 'last tuesday' is not a date") and err.count("\n") == 1


def test_audit_to_csv(db, tmp_path, capsys):
    target = tmp_path / "audit.csv"
    assert main(["--db", db, "audit", "--since", "2026-01-01", "--csv", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("at,action,username")


def test_an_unexpected_error_is_one_line_with_a_reference_in_the_log(db, tmp_path, monkeypatch, capsys):
    import tui.__main__ as cli
    from store.logs import log_path

    def boom(args):
        raise ValueError("member 'Dana Whitfield' born 1980-05-17 broke it")

    monkeypatch.setattr(cli, "_housekeeping", boom)
    assert main(["--db", db, "housekeeping"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "Dana" not in err
    reference = err.split("reference ")[1].rstrip(".\n")
    logged = log_path().read_text(encoding="utf-8")
    assert f"ref {reference}: unexpected builtins.ValueError" in logged
    assert "Traceback" not in logged and 'in boom' in logged  # the frames, not Python's banner
    assert "Dana" not in logged and "1980" not in logged  # no member data
