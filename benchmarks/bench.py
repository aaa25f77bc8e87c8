"""`make bench`: build time and the weight of every page, as figures to quote.

Run on a shared machine, so it reports medians over repeated runs, never a
pass/fail on time. Weight is what a reader downloads: each HTML page gzipped
(everything it loads is inlined), against the 14 KB first round trip.
"""

from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cumthidua_site.build import run

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 14 * 1024      # bytes: what fits in the first TCP round trip (10 segments)
SCRIPT_BUDGET = 2048    # bytes: the table-sorting script
RUNS = 7


def main() -> int:
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = run(ROOT / "data", templates=ROOT / "templates")
        timings.append(time.perf_counter() - start)
        assert not result.failed(), result.problems
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run(ROOT / "data", out=Path(folder) / "build", templates=ROOT / "templates")
        write_time = time.perf_counter() - start
    print(f"build in memory: median {statistics.median(timings) * 1000:.0f} ms over {RUNS} runs "
          f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}); with writing: {write_time * 1000:.0f} ms")
    print(f"{'page':34} {'bytes':>8} {'gzip':>8}  of 14 KB")
    over = 0
    for path, content in sorted(result.files.items()):
        packed = len(gzip.compress(content, compresslevel=9, mtime=0))
        flag = ""
        if path.endswith(".html"):
            flag = f"{packed / BUDGET:6.0%}" + ("  OVER BUDGET" if packed > BUDGET else "")
            over += packed > BUDGET
        print(f"{path:34} {len(content):8d} {packed:8d}  {flag}")
    script = len((ROOT / "templates" / "sort.js").read_bytes())
    print(f"sort.js: {script} bytes (budget {SCRIPT_BUDGET})" + ("  OVER BUDGET" if script > SCRIPT_BUDGET else ""))
    return 1 if over or script > SCRIPT_BUDGET else 0


if __name__ == "__main__":
    sys.exit(main())
