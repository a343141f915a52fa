"""Wizard timings: kind key → wizard painted, key → code results painted, ctrl+s round trip.

    python benchmarks/wizard.py [--cases 100000] [--db PATH] [--runs 7]

Seeds the demo into a temporary SQLite file (or reuses ``--db`` when it holds
the demo), builds the code index, then drives the real app headless, signed in
as the clerk ``amy``. "Painted" is the first screen update (the compositor's
frame) drawn once the screen shows the key's result: the awaited state is
checked as each frame is drawn (and, for code keys, the frame must draw the
first result); the headless
driver writes it nowhere, so the figures are the app's own work plus Textual's
frame pacing, not a terminal's.

1. kind key: ``n`` on the dashboard, then the timed ``s`` (posted like a
   terminal's key) until the wizard's member field has focus and is painted.
   Target ≤ 150 ms.
1b. F3, first visit: in a wizard just opened, F3 (posted like a terminal's
   key) until the Services step, built on this first visit, has its first
   field focused and is painted.
2. code and provider keys: on the Providers step, provider searches (names, an
   NPI), and on the Services step, diagnosis and procedure searches, typed one
   key at a time; each key until the results list for the text so far is
   painted. Target: median ≤ 25 ms, p95 ≤ 50 ms.
3. ctrl+s: from the key until the title says the draft was saved and is painted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DIAGNOSIS_QUERIES = ["E11.9", "diabetes with ckd", "knee osteoarthritis", "M17.11", "chest pain", "copd"]
PROCEDURE_QUERIES = ["27447", "knee", "J1745", "mri brain", "97110"]
PROVIDER_QUERIES = ["ortho", "2259637140", "bayview", "collins pt", "feld"]


def seed(path: Path, cases: int) -> None:
    """Seed the demo into ``path`` unless it is seeded already."""
    from store.demo import is_seeded, seed_demo
    from store.store import open_store

    store = open_store(f"sqlite:///{path}")
    if not is_seeded(store):
        started = time.perf_counter()
        seed_demo(store, cases=cases)
        print(f"Seeded {cases:,} cases in {time.perf_counter() - started:.1f} s")
    store.dispose()


def figures(name: str, values: list[float]) -> str:
    """One line: median, p95, max in milliseconds."""
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return (f"{name:<34} n={len(ms):<4} median {statistics.median(ms):7.1f} ms   "
            f"p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms")


class Paints:
    """The app's screen updates (wraps ``App._display``): when, the CPU time then, what was
    drawn, and whether the awaited state (``probe``) already held when the frame was drawn."""

    def __init__(self, app) -> None:
        self.times: list[float] = []
        self.cpu: list[float] = []
        self.held: list[bool] = []
        self.updates: list[object] = []
        self.probe = None
        original = app._display

        def display(screen, renderable):
            if renderable is not None:
                self.times.append(time.perf_counter())
                self.cpu.append(time.process_time())
                self.held.append(bool(self.probe is not None and self.probe()))
                self.updates.append(renderable)
            return original(screen, renderable)

        app._display = display

    def text(self, index: int) -> str:
        """The characters drawn by paint ``index`` (all its changed lines, joined)."""
        update = self.updates[index]
        if hasattr(update, "chops"):
            return "\n".join(strip.text for line in update.chops for strip in line.values() if strip is not None)
        return "\n".join(strip.text for strips in getattr(update, "strips", []) for strip in strips)

    def first_held(self, since: float, shows: str | None = None) -> int | None:
        """The first paint after ``since`` drawn once the awaited state held (and drawing ``shows``)."""
        for index in range(len(self.times)):
            if self.times[index] >= since and self.held[index] and (shows is None or shows in self.text(index)):
                return index
        return None


async def until(condition, timeout: float = 10.0) -> float:
    """Wait (polling the loop) until ``condition()``; returns when it first held."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.0005)
    return time.perf_counter()


CPU: dict[str, list[float]] = {}


async def painted_when(paints: Paints, condition, started: float, cpu_started: float, what: str,
                       shows=None) -> float:
    """Wall time from ``started`` to the first paint drawn once ``condition()`` held (waits for it).

    The condition is checked as each frame is drawn, so the paint counted is the
    one that shows the state, however soon after the state it came (not the
    first paint after this coroutine noticed the state, which may be a later
    one). ``shows`` (a callable giving text) must moreover appear in what that
    paint drew. Also records the process CPU time spent meanwhile under
    ``what`` (CPU time does not count waiting for a core, so it is the figure
    to compare on a shared machine)."""
    paints.probe = condition

    def found():
        return paints.first_held(started, shows() if shows is not None and condition() else None)

    await until(lambda: found() is not None)
    index = found()
    paints.probe = None
    CPU.setdefault(what, []).append(paints.cpu[index] - cpu_started)
    return paints.times[index] - started


async def run(db: Path, runs: int, parts: str) -> None:
    from sqlalchemy import select
    from textual import events

    from store.models import User
    from store.services.auth import to_user_record
    from store.store import open_store
    from tui.app import AuthDeskApp
    from tui.messages import SignedIn

    store = open_store(f"sqlite:///{db}")
    with store.session() as session:
        user = to_user_record(session, session.execute(select(User).where(User.username == "amy")).scalar_one())

    class BenchApp(AuthDeskApp):
        def on_mount(self, event) -> None:
            event.prevent_default()
            self.idle_lock_minutes = 0
            self.post_message(SignedIn(user))

    app = BenchApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        paints = Paints(app)

        async def settle() -> None:
            for _ in range(4):
                await pilot.pause()
                await app.workers.wait_for_complete()

        await settle()
        from tui.screens.wizard import WizardScreen

        def services_focused() -> bool:
            screen = app.screen
            if not isinstance(screen, WizardScreen) or screen.step != 2 or app.focused is None:
                return False
            step = screen.query("#step-2")
            return bool(step) and step.first() in app.focused.ancestors

        # 1. kind key → wizard painted; 1b. F3 → the Services step built and painted
        kind_times, step_times = [], []
        for _ in range(runs if "kind" in parts else 0):
            await pilot.press("n")
            await settle()
            started, cpu = time.perf_counter(), time.process_time()
            app.post_message(events.Key("s", "s"))  # like a terminal's key (pilot.press adds waits)
            kind_times.append(await painted_when(
                paints, lambda: isinstance(app.screen, WizardScreen) and getattr(app.focused, "id", "") == "member-id",
                started, cpu, "kind"))
            await settle()
            started, cpu = time.perf_counter(), time.process_time()
            app.post_message(events.Key("f3", None))
            step_times.append(await painted_when(paints, services_focused, started, cpu, "step"))
            await settle()
            await pilot.press("escape")
            await settle()

        # 2. code keys on the Services step
        await pilot.press("n")
        await settle()
        await pilot.press("s")
        await settle()
        screen = app.screen
        key_times: dict[str, list[float]] = {"requesting-provider": [], "diagnosis-search": [], "line-code": []}
        for field, queries in (("requesting-provider", PROVIDER_QUERIES), ("diagnosis-search", DIAGNOSIS_QUERIES),
                               ("line-code", PROCEDURE_QUERIES)):
            step = 1 if field == "requesting-provider" else 2
            if screen.step != step:
                screen.action_go_step(step)
                await settle()
            picker = screen.query_one(f"#{field}-picker")
            for query in queries:
                screen.query_one(f"#{field}").focus()
                picker.set_text("")
                await settle()
                for count in range(1, len(query) + 1):
                    text = query[:count]
                    key = text[-1]
                    started, cpu = time.perf_counter(), time.process_time()
                    # Posted like a terminal's key (pilot.press would add its own waiting to the time).
                    app.post_message(events.Key("space" if key == " " else key, key))
                    if len(text.strip()) >= picker.min_chars:
                        # painted: a frame drawn once the results for the text were in, showing the first
                        # (its code) or "no match"
                        key_times[field].append(await painted_when(
                            paints, lambda t=text.strip(): picker._searched_text == t, started, cpu, field,
                            shows=lambda: picker.results[0].label[:20] if picker.results else "no match"))
                    await settle()

        # 3. ctrl+s round trip
        save_times = []
        member = screen.query_one("#member-id")
        for index in range(runs if "save" in parts else 0):
            member.value = f"M{index:07d}"
            await settle()
            started, cpu = time.perf_counter(), time.process_time()
            app.post_message(events.Key("ctrl+s", None))  # as a terminal sends it (pilot.press adds its own waits)
            save_times.append(await painted_when(
                paints, lambda: "saved " in screen._status and not screen._saving, started, cpu, "save"))
            await settle()

    store.dispose()
    print(figures("kind key → wizard painted", kind_times or [0.0]))
    print(figures("F3 → Services built, painted", step_times or [0.0]))
    print(figures("diagnosis key → results painted", key_times["diagnosis-search"]))
    print(figures("procedure key → results painted", key_times["line-code"]))
    print(figures("all code keys", key_times["diagnosis-search"] + key_times["line-code"]))
    print(figures("provider key → results painted", key_times["requesting-provider"]))
    print(figures("ctrl+s → saved painted", save_times or [0.0]))
    print("CPU time (process, all threads) for the same:")
    print(figures("  kind key", CPU.get("kind", [0.0])))
    print(figures("  F3 first visit", CPU.get("step", [0.0])))
    print(figures("  code keys", CPU["diagnosis-search"] + CPU["line-code"]))
    print(figures("  provider keys", CPU["requesting-provider"]))
    print(figures("  ctrl+s", CPU.get("save", [0.0])))
    print(f"load average during the run: {os.getloadavg()[0]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--parts", default="kind,keys,save", help="which timings: kind,keys,save")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("AUTHDESK_CODE_INDEX", str(Path(tmp) / "codes.sqlite"))
        os.environ["AUTHDESK_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["AUTHDESK_IDLE_LOCK_MINUTES"] = "0"
        os.environ["AUTHDESK_HOUSEKEEPING_MINUTES"] = "0"
        from store.codes.icd10 import ensure_code_index

        ensure_code_index()
        db = args.db or Path(tmp) / "wizard.sqlite"
        seed(db, args.cases)
        asyncio.run(run(db, args.runs, args.parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
