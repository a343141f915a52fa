"""Start-up, paging and tab-switch timings of the dashboard with 100,000 cases.

    python benchmarks/startup.py [--cases 100000] [--runs 7] [--db PATH] [--launch-only | --paging-only]

1. Seeds the demo (``store.demo.seed_demo``) into a temporary SQLite file
   (or reuses ``--db`` when it already holds the demo) and prints how long
   seeding took.
2. Launch: ``authdesk`` (the database opened in a worker) to the painted
   sign-in screen, against a bare Textual app with the sign-in's widgets,
   alternating fresh processes. Prints both medians and the ratio.
   Target: ratio <= 1.15.
3. Start-up: runs ``benchmarks/_startup_child.py`` in fresh processes,
   alternating the real app (signed in as a clerk, until the dashboard's first
   page of cases has painted) with a bare Textual app showing the same widgets
   with no data (until its first paint). Prints both medians and the ratio.
   Target: ratio <= 1.25.
4. In one process, headless: next page (``]``) and tab switch (digits) at
   100,000 cases, from the key press to the page painted, for a clerk (whose
   organization sees about 60% of the cases) and for the reviewer (sees all).
   As a clerk meets them (the dashboard fetches the next page and the other
   tabs' pages ahead), and "cold": the page fetched from the database after
   the key press. Keys are posted as a terminal sends them (Pilot's press would
   wait for the app to go idle). Target: <= 20 ms median.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


def seed(path: Path, cases: int) -> None:
    """Seed the demo into ``path`` unless it is seeded already."""
    from store.demo import is_seeded, seed_demo
    from store.store import open_store

    store = open_store(f"sqlite:///{path}")
    if is_seeded(store):
        print(f"Using the seeded database {path}")
        store.dispose()
        return
    started = time.perf_counter()

    def progress(done: int, what: str) -> None:
        print(f"\rSeeding: {what} {done:,}/{cases:,}", end="", file=sys.stderr, flush=True)

    seed_demo(store, cases=cases, progress=progress)
    print(file=sys.stderr)
    print(f"Seeded {cases:,} cases in {time.perf_counter() - started:.1f} s")
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()


def child(*args: str) -> float:
    """Seconds from spawning a child to its first paint (as the child reports it)."""
    env = dict(os.environ, AUTHDESK_BENCH_T0=repr(time.time()), PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, str(HERE / "_startup_child.py"), *args],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )
    return float(out.stdout.strip().splitlines()[-1])


def launch(url: str, runs: int) -> tuple[float, float]:
    """Median seconds to the painted sign-in screen: the app and the bare app, alternating runs."""
    child("bare-sign-in")
    child("sign-in", url)
    app_times, bare_times = [], []
    for _ in range(runs):
        bare_times.append(child("bare-sign-in"))
        app_times.append(child("sign-in", url))
    return statistics.median(app_times), statistics.median(bare_times)


def startup(url: str, runs: int, username: str) -> tuple[float, float]:
    """Median start-up seconds of the app and of the bare app, alternating runs."""
    child("bare")  # warm the file cache for both
    child("app", url, username)
    app_times, bare_times = [], []
    for _ in range(runs):
        bare_times.append(child("bare"))
        app_times.append(child("app", url, username))
    return statistics.median(app_times), statistics.median(bare_times)


async def interaction(url: str, username: str, presses: int) -> dict[str, float]:
    """Median milliseconds for next page and tab switches, key press to painted page."""
    from sqlalchemy import select
    from textual.screen import Screen

    import tui
    from store.models import User
    from store.services.auth import to_user_record
    from store.store import open_store
    from tui.app import AuthDeskApp
    from tui.messages import SignedIn

    store = open_store(url)
    with store.session() as session:
        user = to_user_record(session, session.execute(select(User).where(User.username == username)).scalar_one())
    painted: list[float] = []

    class BenchApp(AuthDeskApp):
        CSS_PATH = os.path.join(os.path.dirname(tui.__file__), "app.tcss")

        def on_mount(self, event) -> None:
            event.prevent_default()
            self.idle_lock_minutes = 0
            self.push_screen(Screen())
            self.post_message(SignedIn(user))

        def on_dashboard_screen_page_shown(self, _message) -> None:
            self.call_after_refresh(lambda: painted.append(time.perf_counter()))

    async def timed(pilot, key: str) -> float:
        from textual import events

        before = len(painted)
        started = time.perf_counter()
        # Posted as a terminal sends it: pilot.press would wait for the app to go idle (a page
        # worker keeps it busy), and the page would be painted during Pilot's own waiting.
        pilot.app.post_message(events.Key(key, "]" if key == "right_square_bracket" else key))
        while len(painted) == before:
            await asyncio.sleep(0.0005)
        return (painted[before] - started) * 1000

    results: dict[str, list[float]] = {
        "next page": [], "next page (cold)": [], "tab switch": [], "tab switch (cold)": [],
    }
    app = BenchApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        while not painted:
            await pilot.pause(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
        screen = app.screen
        await pilot.press("4")  # Accepted: the biggest list
        while screen.tab_by_key["accepted"].page is None:
            await pilot.pause(0.005)
        accepted = screen.tab_by_key["accepted"]
        for _ in range(presses):
            await app.workers.wait_for_complete()  # the next page has been fetched ahead
            results["next page"].append(await timed(pilot, "right_square_bracket"))
        for _ in range(presses):
            await app.workers.wait_for_complete()
            accepted.prefetched.clear()  # from the database this time
            results["next page (cold)"].append(await timed(pilot, "right_square_bracket"))
        for round_ in range(max(1, presses // 5)):
            for digit, tab in zip("12345", screen.tabs, strict=True):
                if screen.current is tab:
                    continue
                await app.workers.wait_for_complete()
                tab.stale = True  # from the database this time
                tab.prefetched.clear()
                results["tab switch (cold)"].append(await timed(pilot, digit))
            for digit, tab in zip("12345", screen.tabs, strict=True):
                if screen.current is tab:
                    continue
                await app.workers.wait_for_complete()
                results["tab switch"].append(await timed(pilot, digit))
    store.dispose()
    return {name: statistics.median(values) for name, values in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="start-up runs of each app")
    parser.add_argument("--presses", type=int, default=25, help="page turns timed per user")
    parser.add_argument("--db", type=Path, help="SQLite file to seed or reuse (default: a temporary one)")
    parser.add_argument("--launch-only", action="store_true",
                        help="only the launch-to-sign-in figures (after seeding)")
    parser.add_argument("--paging-only", action="store_true",
                        help="only the page and tab figures (after seeding)")
    args = parser.parse_args()

    folder = None
    if args.db:
        path = args.db
    else:
        folder = tempfile.TemporaryDirectory(prefix="authdesk-bench-")
        path = Path(folder.name) / "bench.sqlite"
    seed(path, args.cases)
    url = f"sqlite:///{path}"

    if not args.paging_only:
        app_s, bare_s = launch(url, args.runs)
        print(f"\nLaunch to painted sign-in screen ({args.runs} runs each, medians):")
        print(f"  AuthDesk (database opened after the paint): {app_s * 1000:7.0f} ms")
        print(f"  bare Textual app, same widgets:             {bare_s * 1000:7.0f} ms")
        print(f"  ratio to the bare Textual app: {app_s / bare_s:.2f}  (target <= 1.15)")
        if args.launch_only:
            return 0

        app_s, bare_s = startup(url, args.runs, "amy")
        print(f"\nStart-up to painted dashboard ({args.runs} runs each, medians):")
        print(f"  AuthDesk (clerk amy, first page of Drafts): {app_s * 1000:7.0f} ms")
        print(f"  bare Textual app, same widgets, no data:   {bare_s * 1000:7.0f} ms")
        print(f"  ratio: {app_s / bare_s:.2f}  (target <= 1.25)")

    for username, who in (("amy", "clerk, ~60% of cases visible"), ("rita", "reviewer, all cases")):
        figures = asyncio.run(interaction(url, username, args.presses))
        print(f"\nAt {args.cases:,} cases, {username} ({who}), key press to painted page, medians:")
        for name, ms in figures.items():
            print(f"  {name:18s} {ms:6.1f} ms  (target <= 20 ms)")
    print("\n(\"cold\": fetched from the database after the key press, no page fetched ahead.)")
    if folder is not None:
        folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
