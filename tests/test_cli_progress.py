"""Progress bars of the long command-line jobs: CSV imports and the CSV case export."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEMBER_HEADER = "member_id,first_name,last_name,birth_date,sex,plan_name,coverage_order,coverage_start\n"


def run_cli(*words: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *words], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"})


def members_file(path: Path, rows: int) -> Path:
    path.write_text(MEMBER_HEADER + "".join(
        f"M{n:06d},Ann,Lee{n},1990-01-02,F,Plan,primary,2025-01-01\n" for n in range(rows)), encoding="utf-8")
    return path


def test_an_import_reports_rows_read_as_it_goes(sqlite_store, tmp_path):
    from store.services.directory import import_members

    calls: list[tuple[int, int, str]] = []
    with sqlite_store.session() as session:
        report = import_members(session, members_file(tmp_path / "m.csv", 12000),
                                progress=lambda *call: calls.append(call))
    assert [c for c in calls if c[2] == "checked"] == [(5000, 12000, "checked"), (10000, 12000, "checked"),
                                                     (12000, 12000, "checked")]
    assert calls[-1][0] == calls[-1][1]  # every stage is drawn to its end
    assert report.rows == 12000


def test_import_members_shows_a_progress_bar_to_the_end(tmp_path):
    result = run_cli("--db", str(tmp_path / "i.sqlite"), "import", "members",
                     str(members_file(tmp_path / "members.csv", 2500)))
    assert result.returncode == 0, result.stderr
    assert "Importing members" in result.stderr and "2500/2500" in result.stderr
    assert "2,500 rows read: 2,500 added, 0 updated" in result.stdout


def test_a_bad_import_stops_the_bar_and_says_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("member_id,first_name\nM1,Ann\n", encoding="utf-8")
    result = run_cli("--db", str(tmp_path / "i.sqlite"), "import", "members", str(bad))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("authdesk: bad.csv: missing columns")
    assert "Traceback" not in result.stderr


def test_export_csv_writes_what_the_clerk_may_see_with_a_progress_bar(tmp_path):
    from store.demo import seed_demo
    from store.store import open_store

    database = tmp_path / "demo.sqlite"
    store = open_store(f"sqlite:///{database}", demo=True)
    seed_demo(store, cases=60)
    store.dispose()
    out = tmp_path / "out" / "cases.csv"
    result = run_cli("--db", str(database), "export", "csv", "-o", str(out), "--user", "amy", "--password-stdin",
                     stdin="demo-clerk-1\n")
    assert result.returncode == 0, result.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    assert 0 < len(rows) < 60  # amy's clinic only, not the other clinic's cases
    assert "Exporting cases" in result.stderr and f"{len(rows)}/{len(rows)}" in result.stderr
    assert result.stdout.strip() == f"Wrote {len(rows):,} cases to {out}"

    drafts = run_cli("--db", str(database), "export", "csv", "-o", str(tmp_path / "d.csv"), "--status", "draft",
                     "--user", "amy", "--password-stdin", stdin="demo-clerk-1\n")
    assert drafts.returncode == 0, drafts.stderr
    with (tmp_path / "d.csv").open(newline="", encoding="utf-8") as handle:
        statuses = {row["status"] for row in csv.DictReader(handle)}
    assert statuses == {"Draft"}


def test_export_csv_with_a_wrong_password_is_one_line(tmp_path):
    from store.demo import seed_demo
    from store.store import open_store

    database = tmp_path / "demo.sqlite"
    store = open_store(f"sqlite:///{database}", demo=True)
    seed_demo(store, cases=5)
    store.dispose()
    result = run_cli("--db", str(database), "export", "csv", "-o", str(tmp_path / "x.csv"), "--user", "amy",
                     "--password-stdin", stdin="nope\n")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()
