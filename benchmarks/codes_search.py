"""ICD-10-CM search per keystroke: the prebuilt FTS5 index against a scan of the package.

Run: python benchmarks/codes_search.py
Target: ≤ 10 ms per keystroke (median and 95th percentile printed), and no
package import at start-up (the import's cost is printed for comparison).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUERIES = ["M17.11", "knee osteoarthritis", "heart failure", "Z38.00", "type 2 diabetes", "S72.001A",
           "major depressive", "C50.911", "chest pain", "pregnancy"]


def keystrokes(query: str) -> list[str]:
    """What the search box holds after each key (searches start at two characters)."""
    return [query[:n] for n in range(2, len(query) + 1)]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AUTHDESK_CODE_INDEX"] = str(Path(tmp) / "codes.sqlite")
        from store.codes.icd10 import ensure_code_index, get_code_index

        started = time.perf_counter()
        ensure_code_index()
        build = time.perf_counter() - started
        index = get_code_index()
        index.search_diagnoses("warm", 8)
        ours = []
        for query in QUERIES:
            for text in keystrokes(query):
                t0 = time.perf_counter()
                index.search_diagnoses(text, 8)
                ours.append((time.perf_counter() - t0) * 1000)

        import subprocess

        probe = "import time; t = time.perf_counter(); import simple_icd_10_cm; print(time.perf_counter() - t)"
        cold_import = float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                           check=True).stdout)
        t0 = time.perf_counter()
        import simple_icd_10_cm as icd

        codes = [c for c in icd.get_all_codes(True) if icd.is_leaf(c)]
        table = [(c, icd.get_description(c).lower()) for c in codes]
        import_cost = time.perf_counter() - t0
        peer = []
        for query in QUERIES:
            for text in keystrokes(query):
                needle = text.lower()
                t0 = time.perf_counter()
                [c for c, d in table if c.lower().startswith(needle) or needle in d][:8]
                peer.append((time.perf_counter() - t0) * 1000)

    def line(name, values):
        q = statistics.quantiles(values, n=20)
        return f"{name:<34} median {statistics.median(values):7.3f} ms   p95 {q[18]:7.3f} ms   max {max(values):7.3f} ms"

    print(f"keystrokes timed: {len(ours)} ({len(QUERIES)} queries typed one key at a time)")
    print(f"index build (once, first run):     {build:.2f} s")
    print(f"package import, fresh process:     {cold_import:.2f} s (never done at start-up or per key)")
    print(f"peer table from the package:       {import_cost:.2f} s")
    print(line("AuthDesk FTS5 index", ours))
    print(line("peer: scan of simple-icd-10-cm", peer))
    print(f"ratio peer/ours (median):          {statistics.median(peer) / statistics.median(ours):.1f}x")
    worst = statistics.quantiles(ours, n=20)[18]
    print(f"target p95 ≤ 10 ms: {'met' if worst <= 10 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
