"""``authdesk export pas`` and ``authdesk import decisions`` as a user runs them (a subprocess each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from store.enums import RequestKind, RequestStatus
from store.fhir.response import ItemAnswer, build_response_bundle
from store.services.cases import get_case
from tests.factories import PASSWORD
from tests.store.pas_cases import make_office, submit_case


def run_cli(db, *args, password=PASSWORD):
    """Run ``authdesk --db DB …`` with the password on standard input."""
    return subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(db), *args, "--password-stdin"],
        input=f"{password}\n", capture_output=True, text=True, env={**os.environ}, timeout=300,
    )


@pytest.fixture
def office_db(tmp_path, frozen_now):
    """An SQLite office database (the CLI opens it by path) with a pending and a newborn case."""
    from store.store import open_store

    db = tmp_path / "office.sqlite"
    store = open_store(f"sqlite:///{db}")
    office = make_office(store, tmp_path)
    service = submit_case(office, RequestKind.SERVICE)
    newborn = submit_case(office, RequestKind.NEWBORN)
    with store.session() as s:
        numbers = [get_case(s, office.clerk, i).webcert_number for i in (service, newborn)]
    store.dispose()
    return db, numbers, office


def test_export_one_case_and_a_batch(office_db, tmp_path):
    db, (first, second), _ = office_db
    out = tmp_path / "out"
    result = run_cli(db, "export", "pas", first, "-o", str(out), "--user", "clerk1")
    assert result.returncode == 0, result.stderr
    written = out / f"{first}-pas.json"
    assert result.stdout.strip() == f"Wrote {written}"
    assert json.loads(written.read_text())["entry"][0]["resource"]["identifier"][0]["value"] == first
    single = tmp_path / "one.json"
    assert run_cli(db, "export", "pas", first.lower(), "-o", str(single), "--user", "clerk1").returncode == 0
    assert single.exists()
    batch = run_cli(db, "export", "pas", "--status", "pending", "--since", "2026-03-01", "-o", str(tmp_path / "all"),
                    "--user", "clerk1")
    assert batch.returncode == 0, batch.stderr
    assert batch.stdout.strip().endswith(f"Exported 2 of 2 case(s) to {tmp_path / 'all'}")
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [f"{first}-pas.json", f"{second}-pas.json"]
    assert "2/2" in batch.stderr  # the progress bar
    later = run_cli(db, "export", "pas", "--status", "pending", "--since", "2026-04-01", "-o", str(tmp_path / "none"),
                    "--user", "clerk1")
    assert later.stdout.strip().startswith("Exported 0 of 0")


@pytest.mark.parametrize(("args", "message"), [
    (("export", "pas", "WC-0999999"), "authdesk: No case WC-0999999 is known here."),
    (("export", "pas", "D-000099"), "authdesk: No case D-000099 is known here."),
    (("export", "pas"), "authdesk: give a WebCert number, or --status for a batch (not both)"),
    (("export", "pas", "--status", "pending"), "authdesk: a batch needs -o DIR, the folder to write into"),
    (("export", "pas", "--status", "pending", "--since", "soon", "-o", "x"),
     "authdesk: “soon” is not a date: use MM/DD/YYYY (e.g. 03/09/2026), or t, t+3."),
])
def test_export_errors_are_one_line(office_db, args, message):
    db, _, _ = office_db
    result = run_cli(db, *args, "--user", "clerk1")
    assert result.returncode == 1
    assert result.stderr.strip() == message
    assert "Traceback" not in result.stderr


def test_not_submitted_other_organization_wrong_password_unwritable(office_db, tmp_path):
    db, (first, _), office = office_db
    from store.forms import DraftForm
    from store.services.drafts import save_draft
    from store.store import open_store

    store = open_store(f"sqlite:///{db}")
    with store.session() as s:
        draft = save_draft(s, office.clerk, DraftForm(kind=RequestKind.SERVICE))
    store.dispose()
    result = run_cli(db, "export", "pas", draft.draft_number, "--user", "clerk1")
    assert result.stderr.strip() == (f"authdesk: {draft.draft_number} has not been submitted; only submitted "
                                     "requests can be exported.")
    outsider = run_cli(db, "export", "pas", first, "--user", "clerk9")
    assert outsider.stderr.strip() == f"authdesk: No case {first} is known here."
    wrong = run_cli(db, "export", "pas", first, "--user", "clerk1", password="nope")
    assert wrong.returncode == 1 and wrong.stderr.startswith("authdesk: Unknown username or wrong password")
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    unwritable = run_cli(db, "export", "pas", "--status", "submitted", "-o", str(blocker / "sub"), "--user", "clerk1")
    assert unwritable.returncode == 1
    assert unwritable.stderr.strip().startswith(f"authdesk: Cannot write {blocker / 'sub'}")
    assert len(unwritable.stderr.strip().splitlines()) == 1


def test_import_decisions_from_a_folder(office_db, tmp_path):
    db, (first, second), office = office_db
    out = tmp_path / "requests"
    run_cli(db, "export", "pas", "--status", "pending", "-o", str(out), "--user", "clerk1")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    request = json.loads((out / f"{first}-pas.json").read_text())
    response = build_response_bundle(request, [ItemAnswer(1, "A1", units=1)])
    (inbox / "a.json").write_text(json.dumps(response))
    (inbox / "b.json").write_text("[]")
    result = run_cli(db, "import", "decisions", str(inbox), "--user", "rev1")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == f"a.json: {first} applied: accepted, line 1 A1"
    assert result.stderr.splitlines()[-1] == "authdesk: b.json: not a FHIR Bundle (resourceType is not Bundle)"
    assert result.stdout.splitlines()[-1] == "2 file(s): 1 applied, 0 unchanged, 1 refused"
    again = run_cli(db, "import", "decisions", str(inbox / "a.json"), "--user", "rev1")
    assert again.returncode == 0 and "unchanged" in again.stdout
    missing = run_cli(db, "import", "decisions", str(tmp_path / "nothing"), "--user", "rev1")
    assert missing.stderr.strip() == f"authdesk: {tmp_path / 'nothing'} does not exist."
    no_user = subprocess.run([sys.executable, "-m", "tui", "--db", str(db), "import", "decisions", str(inbox)],
                             capture_output=True, text=True, timeout=120)
    assert no_user.stderr.strip() == "authdesk: import decisions needs --user NAME (a reviewer)"
    from store.store import open_store

    store = open_store(f"sqlite:///{db}")
    with store.session() as s:
        from store.services.fhir_export import find_case_by_number

        case = get_case(s, office.reviewer, find_case_by_number(s, office.reviewer, first))
    store.dispose()
    assert case.status is RequestStatus.ACCEPTED
