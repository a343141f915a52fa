"""Issue 10: ``authdesk plan-contacts`` shows and sets the plan's contacts; bad input is one line."""

from __future__ import annotations

from tui.__main__ import main


def test_plan_contacts_command_sets_keeps_and_refuses(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    assert main(["--db", db, "plan-contacts"]) == 0
    assert "not set" in capsys.readouterr().out
    assert main(["--db", db, "plan-contacts", "--intake-phones", "262-369-8750, 800-861-8744",
                 "--team", "CMSI intake team", "--hours", "Monday to Friday, 8:00 AM to 4:30 PM CST"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "plan-contacts", "--fax", "(262) 555-0148"]) == 0  # the phones are kept
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Questions or assistance: call the CMSI intake team at 262-369-8750 or 800-861-8744, "
        "Monday to Friday, 8:00 AM to 4:30 PM CST.",
        "Fax for clinical information: (262) 555-0148.",
    ]
    assert main(["--db", db, "plan-contacts", "--fax", "12"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("authdesk: --fax:") and "Traceback" not in err
