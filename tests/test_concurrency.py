"""Two builds at once: one writes the output folder at a time, and readers always see a whole site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cumthidua_site.cli import main

from conftest import edit

# Runs a build that stops itself (SIGSTOP) or dies (SIGKILL) after putting a few files into
# its staging folder.
PAUSING_BUILD = """
import os, signal, sys
from cumthidua_site import writer
from cumthidua_site.cli import main
written, original = [0], writer.Staging.put
def put(self, relative, content):
    result = original(self, relative, content)
    written[0] += 1
    if written[0] == 5:
        os.kill(os.getpid(), getattr(signal, sys.argv[1]))
    return result
writer.Staging.put = put
sys.exit(main(sys.argv[2:]))
"""


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def _wait_until(predicate, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _start(signal_name: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PAUSING_BUILD, signal_name, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _build(*args: str, wait: bool = True) -> subprocess.CompletedProcess:
    flags = [] if wait else ["--no-wait"]
    return subprocess.run([sys.executable, "-m", "cumthidua_site", "build", *flags, *args],
                          capture_output=True, text=True, timeout=120)


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


class LiveWatcher(threading.Thread):
    """Reads the live folder over and over, as a web server would, and notes every gap."""

    def __init__(self, out: Path):
        super().__init__(daemon=True)
        self.out, self.gaps, self.reads, self.running = out, [], 0, True

    def run(self) -> None:
        while self.running:
            for page in ("index.html", "404.html", "2023/du-lieu/index.html"):
                try:
                    if not (self.out / page).read_bytes():
                        self.gaps.append(page)
                except OSError:
                    self.gaps.append(page)
            self.reads += 1

    def stop(self) -> None:
        self.running = False
        self.join()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see a stopped process")
def test_a_build_paused_mid_write_blocks_the_second_and_the_live_site_stays_whole(project):
    data, out = project / "data", project / "build"
    assert main(["build", "--data", str(data), "--out", str(out)]) == 0
    complete = _files(out)
    watcher = LiveWatcher(out)
    watcher.start()

    # each build writes something new: a build whose output is already there writes nothing
    edit(data / "2023/article.md", "byline: \"Nhóm Dữ liệu Miền Tây\"", "byline: \"Nhóm Dữ liệu Miền Tây (bản giữa)\"")
    first = _start("SIGSTOP", "build", "--data", str(data), "--out", str(out))
    _wait_until(lambda: _state(first.pid) == "T")
    staging = [p for p in project.iterdir() if p.name.startswith(".build.tmp-")]
    assert len(staging) == 1  # the first build is mid-write

    refused = _build("--data", str(data), "--out", str(out), wait=False)
    assert refused.returncode == 75, refused.stderr
    assert f"một bản dựng khác (tiến trình {first.pid}) đang ghi vào thư mục đầu ra này" in refused.stderr
    assert "Traceback" not in refused.stderr

    edit(data / "2023/article.md", "(bản giữa)", "(bản sau)")
    second = subprocess.Popen([sys.executable, "-m", "cumthidua_site", "build", "--data", str(data),
                               "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    waiting = second.stderr.readline()
    assert f"Một bản dựng khác (tiến trình {first.pid}) đang ghi vào" in waiting and "đang chờ" in waiting
    time.sleep(0.5)
    assert second.poll() is None  # still waiting for its turn
    assert staging[0].is_dir()  # nobody removed the first build's staging folder while it lives
    assert _files(out) == complete

    os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=60) == 0, first.stderr.read()
    assert second.wait(timeout=60) == 0, second.stderr.read()
    watcher.stop()

    assert watcher.reads > 10 and watcher.gaps == []
    assert _files(out) == complete
    assert "(bản sau)" in (out / "index.html").read_text(encoding="utf-8")  # the second build wrote last
    assert [p.name for p in project.iterdir() if p.name.startswith(".build")] == []


def test_a_killed_build_leaves_leftovers_the_next_build_cleans(project):
    data, out = project / "data", project / "build"
    assert main(["build", "--data", str(data), "--out", str(out)]) == 0
    complete = _files(out)
    before = (out / "index.html").read_bytes()
    edit(data / "2023/article.md", "byline: \"Nhóm Dữ liệu Miền Tây\"", "byline: \"Nhóm Dữ liệu Miền Tây (bản sau)\"")
    killed = _start("SIGKILL", "build", "--data", str(data), "--out", str(out))
    assert killed.wait(timeout=60) == -signal.SIGKILL
    leftovers = sorted(p.name for p in project.iterdir() if p.name.startswith(".build."))
    assert any(name.startswith(".build.tmp-") for name in leftovers) and ".build.lock" in leftovers
    assert _files(out) == complete and (out / "index.html").read_bytes() == before  # never touched

    again = _build("--data", str(data), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert [p.name for p in project.iterdir() if p.name.startswith(".build")] == []
    assert _files(out) == complete and "(bản sau)" in (out / "index.html").read_text(encoding="utf-8")


def test_builds_racing_many_times_always_leave_one_whole_site(project):
    data, out = project / "data", project / "build"
    assert main(["build", "--data", str(data), "--out", str(out)]) == 0
    complete = _files(out)
    watcher = LiveWatcher(out)
    watcher.start()
    edit(data / "2023/article.md", "byline: \"Nhóm Dữ liệu Miền Tây\"", "byline: \"Nhóm Dữ liệu Miền Tây (mới)\"")
    runs = [subprocess.Popen([sys.executable, "-m", "cumthidua_site", "build", "--data", str(data),
                              "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(4)]
    codes = [run.wait(timeout=120) for run in runs]
    watcher.stop()
    assert codes == [0, 0, 0, 0]
    assert watcher.gaps == []
    assert _files(out) == complete and "(mới)" in (out / "index.html").read_text(encoding="utf-8")
    assert [p.name for p in project.iterdir() if p.name.startswith(".build")] == []
