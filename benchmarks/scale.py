"""Whole-process figures for `make bench`: what a user waits for, start-up and imports included.

For a project (the real site, the synthetic archive at 1× and 10×): a cold `build` as a new
process each time, paired run by run with the import floor (a process that only imports
every module a build loads), pages per second, peak memory, `check`, an unchanged build,
and the weight of every kind of page. Medians of paired runs: these machines are shared.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

# Which kind of page a path is, for the weights: the first pattern that matches.
KINDS = [("front", r"index\.html"), ("article", r"\d{4}/index\.html"), ("rankings", r"\d{4}/bang-xep-hang/index\.html"),
         ("members", r"\d{4}/tinh/index\.html"), ("member", r"\d{4}/tinh/[^/]+/index\.html"),
         ("data", r"\d{4}/du-lieu/index\.html"), ("embed", r"\d{4}/nhung/[^/]+/index\.html"),
         ("years", r"cac-nam/index\.html"), ("provinces", r"tinh/index\.html"), ("province", r"tinh/[^/]+/index\.html"),
         ("corrections", r"dinh-chinh/index\.html"), ("redirect", r"(bang-xep-hang|du-lieu)/index\.html"),
         ("404", r"404\.html")]


@dataclass
class Figures:
    """What was measured for one project."""

    name: str
    pages: int = 0
    files: int = 0
    runs: int = 0
    build_s: float = 0.0          # cold build, new process, median
    floor_s: float = 0.0          # the import floor, paired with it
    ratio: float = 0.0            # build / floor, median of the pairs
    pages_per_s: float = 0.0
    peak_rss_mb: float = 0.0      # the largest of the builds
    check_s: float = 0.0
    unchanged_s: float = 0.0      # a build into the output it already wrote: writes nothing
    unchanged_wrote: bool = True
    first_build_s: float = 0.0    # the first build, drawing every picture not in the cache
    stand_ins: int = 0            # pictures placed in the cache as stand-ins before it (`stand_in_pictures`)
    write_floor_s: float = 0.0    # writing the same folders and files alone (links for pictures), on two threads
    ram_build_s: float = 0.0      # the cold build into a RAM disk (/dev/shm), where there is one
    edit_ms: float = float("nan")  # in one process: built, one figure changed, built again (what serve does)
    weights: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (pages, largest gzipped bytes)


# Starts the measured command from a small process: the peak RSS the kernel reports for a child
# counts the moment between fork and exec, when the child is a copy of its parent (the bench
# process, hundreds of MB after its other measures). Times the command from fork to exit.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
took = time.perf_counter() - start
sys.stderr.write(f"\\nLAUNCHER {took} {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _timed(command: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, peak RSS (MB) and the outcome of one process."""
    done = subprocess.run([PYTHON, "-c", LAUNCHER, *command], capture_output=True, env=env, cwd=ROOT)
    err, _, said = done.stderr.rpartition(b"\nLAUNCHER ")
    took, peak = said.split()
    return float(took), int(peak) / 1024, subprocess.CompletedProcess(command, done.returncode, done.stdout, err)


def floor_script(data: Path, out: Path, env: dict) -> Path:
    """A script that imports every module a build of `data` into `out` loads, and nothing else."""
    probe = ("import sys, io, contextlib\nbefore = set(sys.modules)\nfrom cumthidua_site.cli import main\n"
             "with contextlib.redirect_stderr(io.StringIO()):\n"
             f"    main(['build', '--data', {str(data)!r}, '--out', {str(out)!r}])\n"
             "print(','.join(sorted(m for m in set(sys.modules) - before if not m.startswith('_') "
             "and '.__' not in m)))\n")
    found = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    modules = found.stdout.strip().splitlines()[-1].split(",")
    script = out.parent / "floor.py"  # beside the probe's build, deleted with it
    script.write_text("import importlib\nfor name in %r:\n    try:\n        importlib.import_module(name)\n"
                      "    except Exception:\n        pass\n" % sorted(set(modules)), encoding="utf-8")
    return script


# A 1x1 white PNG. The timed builds only link a cached picture (and read its first 8 bytes), so what
# it shows costs them nothing; what drawing costs is measured apart (`bench.pictures`).
STAND_IN = (b"\x89PNG\r\n\x1a\n" + b"".join(
    len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
    for kind, body in ((b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])),
                       (b"IDAT", zlib.compress(b"\x00\xff")), (b"IEND", b""))))

STAND_IN_BUILD = """
import sys
from cumthidua_site import images
images.draw = lambda picture: %r  # the child that draws half of them is a fork: it draws these too
from cumthidua_site.cli import main
sys.exit(main(["build", "--data", sys.argv[1], "--out", sys.argv[2]]))
"""


def stand_in_pictures(data: Path, cache: Path, trash: list[Path], env: dict) -> int:
    """Fill `cache` (a picture cache of the bench's own, never the user's) with a stand-in for every
    picture a build of `data` links: one build with drawing replaced. The 10x archive's 15,000
    pictures take 7 to 9 minutes to draw on two cores, and draw at the rate the 1x archive and
    `bench.pictures` already measure. Returns how many were placed."""
    out = Path(tempfile.mkdtemp(prefix="cumthidua-stand-in-"))
    trash.append(out)
    done = subprocess.run([PYTHON, "-c", STAND_IN_BUILD % STAND_IN, str(data), str(out / "build")],
                          capture_output=True, env={**env, "CUMTHIDUA_CACHE": str(cache)}, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"stand-in pictures: build failed\n{done.stderr.decode()[-2000:]}")
    return sum(1 for _ in (cache / "images").glob("*.png"))


def weights(out: Path) -> dict[str, tuple[int, int]]:
    found: dict[str, list[int]] = {}
    for path in out.rglob("*.html"):
        relative = path.relative_to(out).as_posix()
        kind = next((k for k, pattern in KINDS if re.fullmatch(pattern, relative)), "other")
        found.setdefault(kind, []).append(len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)))
    return {kind: (len(sizes), max(sizes)) for kind, sizes in sorted(found.items())}


def measure(name: str, data: Path, trash: list[Path], runs: int = 5, env: dict | None = None) -> Figures:
    """Every whole-process figure for the project in `data`. What it writes stays until the caller
    deletes the folders it adds to `trash`, all at the end of the bench: on ext4 without a journal
    (these machines) an inode freed in the last one to five minutes is skipped, one by one, by the
    allocator's `recently_deleted` scan, so deleting a build's 5,000 files just before the next
    build made that build pay for the bench's own deletion (its system time doubled run by run)."""
    env = dict(env or os.environ)
    figures = Figures(name, runs=runs)
    work = Path(tempfile.mkdtemp(prefix="cumthidua-scale-"))
    trash.append(work)  # deleted by the caller, also when a measure fails
    first = work / "first"
    figures.first_build_s, _, done = _timed([PYTHON, "-m", "cumthidua_site", "build", "--data", str(data),
                                             "--out", str(first)], env)
    if done.returncode != 0:
        raise SystemExit(f"{name}: build failed\n{done.stderr.decode()[-2000:]}")
    figures.files = sum(1 for p in first.rglob("*") if p.is_file()) - 1  # the marker
    figures.pages = sum(1 for _ in first.rglob("*.html"))
    figures.weights = weights(first)
    floor = floor_script(data, work / "probe", env)
    builds, floors, ratios, peaks = [], [], [], []
    for index in range(runs):  # A B A B: the pair shares the machine's mood
        took_floor, _, _ = _timed([PYTHON, str(floor)], env)
        out = work / f"out-{index}"  # a new folder each run: every file written
        took, peak, done = _timed([PYTHON, "-m", "cumthidua_site", "build", "--data", str(data),
                                   "--out", str(out)], env)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        builds.append(took)
        floors.append(took_floor)
        ratios.append(took / took_floor)
        peaks.append(peak)
    again = 3 if figures.pages < 5000 else 1  # at 10x one of each: half a minute apiece
    figures.write_floor_s = write_floor(first, [work / f"floor-{index}" for index in range(again)])
    if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK):  # the same build, where writing costs nothing
        ram = []
        for index in range(again):
            out = Path(tempfile.mkdtemp(prefix="cumthidua-ram-", dir="/dev/shm")) / "out"
            ram.append(_timed([PYTHON, "-m", "cumthidua_site", "build", "--data", str(data), "--out", str(out)],
                              env)[0])
            shutil.rmtree(out.parent)
        figures.ram_build_s = statistics.median(ram)
    figures.build_s, figures.floor_s = statistics.median(builds), statistics.median(floors)
    figures.ratio = statistics.median(ratios)
    figures.pages_per_s = figures.pages / figures.build_s
    figures.peak_rss_mb = max(peaks)
    checks = [_timed([PYTHON, "-m", "cumthidua_site", "check", "--data", str(data)], env)[0] for _ in range(3)]
    figures.check_s = statistics.median(checks)
    stamp = (first / "index.html").stat().st_mtime_ns
    figures.unchanged_s, _, done = _timed([PYTHON, "-m", "cumthidua_site", "build", "--data", str(data),
                                           "--out", str(first)], env)
    said = "Không có gì thay đổi".encode("utf-8") in done.stderr
    figures.unchanged_wrote = (first / "index.html").stat().st_mtime_ns != stamp or not said
    return figures


def write_floor(built: Path, outs: list[Path]) -> float:
    """Seconds to write what `built` holds into a new folder (on the same disk) with nothing else
    to do, median over `outs`: its folders made, its files written, its pictures linked (as a build
    links them from the cache), on two threads as a build writes from two processes. What the disk
    alone costs. The files are read once, before any timing."""
    files = [p for p in built.rglob("*") if p.is_file()]
    contents = {p.relative_to(built): (p if p.suffix == ".png" else p.read_bytes()) for p in files}
    names = sorted(contents)
    halves = [names[0::2], names[1::2]]
    took = []
    for out in outs:
        def write(names: list[Path], out: Path = out) -> None:
            for name in names:
                target = out / name
                target.parent.mkdir(parents=True, exist_ok=True)
                content = contents[name]
                if isinstance(content, Path):
                    os.link(content, target)
                else:
                    target.write_bytes(content)
        out.mkdir()
        start = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(write, halves))
        took.append(time.perf_counter() - start)  # the folder stays: see `measure`
    return statistics.median(took)


def bytecode() -> str:
    """Whether our own modules run from bytecode: `make` compiles them (PYTHONDONTWRITEBYTECODE=1
    would otherwise have every process compile them anew); the dependencies' pip compiled."""
    import importlib.util
    sources = sorted((ROOT / "src" / "cumthidua_site").glob("*.py"))
    fresh = 0
    for source in sources:
        try:
            header = Path(importlib.util.cache_from_source(str(source))).read_bytes()[:16]
        except OSError:
            continue
        stat = source.stat()
        fresh += header[8:12] == (int(stat.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little") and \
            header[12:16] == (stat.st_size & 0xFFFFFFFF).to_bytes(4, "little")
    return (f"our {len(sources)} modules from bytecode (compiled by make; dependencies by pip)" if fresh == len(sources)
            else f"our modules compiled on every start ({fresh} of {len(sources)} have fresh bytecode; "
                 "`make bench` compiles them); dependencies from bytecode (pip)")


def help_time(runs: int = 7) -> tuple[float, float]:
    """`--help` and a bare `python -c pass`, medians of paired runs."""
    helps, bare = [], []
    for _ in range(runs):
        bare.append(_timed([PYTHON, "-c", "pass"], dict(os.environ))[0])
        helps.append(_timed([PYTHON, "-m", "cumthidua_site", "--help"], dict(os.environ))[0])
    return statistics.median(helps), statistics.median(bare)


def as_json(figures: list[Figures]) -> list[dict]:
    return [asdict(f) for f in figures]
