"""Dashboard, search, report and housekeeping timings at 100,000 and 1,000,000 cases.

Seeds (or reuses) one demo database per size — SQLite files in ``--dir``, or
with ``--url`` one PostgreSQL schema per size — then times, for the clerk amy
and the reviewer rita, every operation of issue 8's table, and prints each
with its growth factor from the smallest size to the largest, plus RSS.

    python benchmarks/scale.py                       # 100k and 1M on SQLite
    python benchmarks/scale.py --sizes 100000,1000000 --url postgresql+psycopg://postgres@127.0.0.1/test
    python benchmarks/scale.py --seed-only           # just build the databases
    python benchmarks/scale.py --only report,housekeeping   # a few operations only

Each figure is the median of ``--repeat`` runs after one warm-up run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _open(size: int, args):
    from sqlalchemy import create_engine, text

    from store.store import open_store

    if args.url:
        schema = f"authdesk_scale_{size}"
        admin = create_engine(args.url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        admin.dispose()
        sep = "&" if "?" in args.url else "?"
        return open_store(f"{args.url}{sep}options=-csearch_path%3D{schema}", demo=True)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    return open_store(f"sqlite:///{folder / f'scale-{size}.sqlite'}", demo=True,
                      attachments_dir=folder / "attachments")


def _seed(store, size: int) -> None:
    from store.demo import is_seeded, seed_demo

    if is_seeded(store):
        return
    started = time.perf_counter()
    seed_demo(store, cases=size, progress=lambda done, what: print(
        f"\r  seeding {size:,}: {what} {done:,}", end="", file=sys.stderr, flush=True))
    print(f"\r  seeded {size:,} cases in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _users(store):
    from sqlalchemy import select

    from store.models import User
    from store.services.auth import to_user_record

    with store.session() as session:
        return {
            name: to_user_record(session, session.execute(select(User).where(User.username == name)).scalar_one())
            for name in ("amy", "rita")
        }


def _samples(store, user):
    """A name, member ID, WebCert and authorization number the user can see."""
    from store.enums import RequestStatus
    from store.services.cases import list_requests

    with store.session() as session:
        row = list_requests(session, user, RequestStatus.ACCEPTED, limit=1, offset=1234).rows[0]
    return {"name": row.member_name.split(",")[0].lower(), "member_id": row.member_id,
            "webcert": row.webcert_number, "auth": row.auth_number}


def _time(fn, repeat: int) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs) * 1000


def _wanted(label: str, only: list[str]) -> bool:
    return not only or any(word.lower() in label.lower() for word in only)


def measure(store, repeat: int, only: list[str] | None = None) -> dict[str, float]:
    """Milliseconds per operation, for amy and rita (``only``: the labels containing one of these words)."""
    only = only or []
    from store.enums import RequestStatus
    from store.services.cases import count_by_status, list_requests
    from store.services.housekeeping import run_housekeeping
    from store.services.reports import decision_metrics
    from store.services.search import search_cases
    from store.types import utcnow

    users = _users(store)
    run_housekeeping(store, send_mail=False)  # whatever is due now is done before timing
    results: dict[str, float] = {}
    A = RequestStatus.ACCEPTED
    for name, user in users.items():
        sample = _samples(store, user)

        def with_session(fn):
            def run():
                with store.session() as session:
                    return fn(session)
            return run

        ops = {
            "tab counts": lambda s: count_by_status(s, user),
            "first page of Accepted with its count": lambda s: list_requests(s, user, A),
            "page 5,000 (next page, keyset)": lambda s: list_requests(s, user, A, offset=5000 * 50),
            "page 5,000 (jump, no neighbour seen)": lambda s: _jump(s, user, A),
            "sort by member name": lambda s: list_requests(s, user, A, sort="member", descending=False),
            "sort by decided": lambda s: list_requests(s, user, A, sort="decided", descending=True),
            "closed tab (2 statuses) sorted by updated": lambda s: list_requests(
                s, user, [RequestStatus.EXPIRED, RequestStatus.CANCELLED]),
        }
        for what in ("name", "member_id", "webcert", "auth"):
            text = sample[what]
            ops[f"filter by {what} (page + counts)"] = (
                lambda s, t=text: (list_requests(s, user, A, text=t), count_by_status(s, user, t)))
        for what in ("webcert", "auth"):
            ops[f"search_cases by {what}"] = lambda s, t=sample[what]: search_cases(s, user, t)
        ops["search_cases by name"] = lambda s, t=sample["name"]: search_cases(s, user, t)
        now = utcnow()
        ops["CMS-0057-F report (365 days)"] = lambda s: decision_metrics(s, user, (now - timedelta(days=365)).date(),
                                                                           now.date())
        with store.session() as session:  # prime the keyset position of page 4,999
            list_requests(session, user, A, offset=4999 * 50)
        for label, fn in ops.items():
            if not _wanted(label, only):
                continue
            results[f"{name}: {label}"] = _time(with_session(fn), repeat)
            print(f"  {name}: {label}: {results[f'{name}: {label}']:.1f} ms", file=sys.stderr, flush=True)
    if _wanted("housekeeping with nothing to do", only):
        results["housekeeping with nothing to do"] = _time(lambda: run_housekeeping(store, send_mail=False), repeat)
    return results


def _jump(session, user, status):
    from store.services import cases

    cases._POSITIONS.clear()
    return cases.list_requests(session, user, status, offset=5000 * 50)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--dir", default="/tmp/authdesk-scale")
    parser.add_argument("--url", default="", help="PostgreSQL URL (one schema per size)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated words: time only the operations "
                        "whose label contains one (e.g. --only report,housekeeping)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    table: dict[int, dict[str, float]] = {}
    for size in sizes:
        store = _open(size, args)
        _seed(store, size)
        if not args.seed_only:
            print(f"{size:,} cases:", file=sys.stderr, flush=True)
            table[size] = measure(store, args.repeat, [w for w in args.only.split(",") if w.strip()])
        store.dispose()
    if args.seed_only:
        return 0
    backend = "PostgreSQL" if args.url else "SQLite"
    first, last = sizes[0], sizes[-1]
    print(f"\n| {backend} | " + " | ".join(f"{s:,}" for s in sizes) + " | growth |")
    print("|---|" + "---|" * len(sizes) + "---|")
    for label in table[first]:
        cells = " | ".join(f"{table[s][label]:.1f} ms" for s in sizes)
        growth = table[last][label] / table[first][label] if table[first][label] else float("nan")
        print(f"| {label} | {cells} | ×{growth:.1f} |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmax RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
