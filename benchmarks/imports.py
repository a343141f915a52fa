"""Member import timings: 100,000 members (one coverage period each), imported twice.

    python benchmarks/imports.py [--members 100000] [--url URL]

Writes a CSV of fake members to a temporary folder and imports it with
``store.services.directory.import_members`` into a fresh SQLite file (and,
with ``--url``, into a fresh PostgreSQL schema of that server): first into an
empty table, then the same file again (nothing changed), then a file where
every tenth member has a new last name. Prints seconds for each.
Target: the re-import of 100,000 members in 15 s or less on SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def write_members(path: Path, count: int, changed_every: int = 0) -> None:
    """A member CSV of ``count`` rows; every ``changed_every``-th last name altered."""
    rng = random.Random(9)
    first = ["Ann", "Bob", "Cara", "Dana", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo"]
    last = ["Lee", "Ortega", "Whitfield", "Nguyen", "Smith", "Kowalski", "Okafor", "Berg"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("member_id,medicaid_id,first_name,last_name,birth_date,sex,email,plan_name,group_number,"
                  "coverage_order,coverage_start,coverage_end\n")
        for i in range(count):
            name = last[i % len(last)] + ("-New" if changed_every and i % changed_every == 0 else "")
            out.write(f"M{i:08d},,{first[i % len(first)]},{name},19{rng.randint(30, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)},"
                      f"{'FMU'[i % 3]},,Lakeshore Health,G{i % 50},primary,2025-01-01,\n")


def run(url: str, label: str, files: list[tuple[str, Path]]) -> None:
    from store.services.directory import import_members
    from store.store import open_store

    store = open_store(url)
    try:
        for what, path in files:
            started = time.perf_counter()
            with store.session() as session:
                report = import_members(session, path)
            print(f"{label:<11} {what:<28} {time.perf_counter() - started:6.1f} s   {report}")
    finally:
        store.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--url", help="a PostgreSQL URL: also measure there (in a schema of its own)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        same, changed = folder / "members.csv", folder / "members-changed.csv"
        write_members(same, args.members)
        write_members(changed, args.members, changed_every=10)
        files = [("first import", same), ("same file again", same), ("every 10th name changed", changed)]
        run(f"sqlite:///{folder / 'bench.sqlite'}", "SQLite", files)
        if args.url:
            from sqlalchemy import create_engine, text

            schema = f"bench_imports_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            admin = create_engine(args.url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                sep = "&" if "?" in args.url else "?"
                run(f"{args.url}{sep}options=-csearch_path%3D{schema}", "PostgreSQL", files)
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
