"""`cumthidua-site serve` as an editor uses it: the site from memory, a rebuild on every save,
the open tabs told to reload or shown the problems, a clean stop, nothing written to build/.

Each server runs in a subprocess of its own session (so every process it forks can be found
and killed); the tests talk to it over HTTP like a browser, never through its internals.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional

import pytest

from conftest import DATA, TEMPLATES, cli, edit, position, soup, text_of

pytestmark = pytest.mark.timeout(120)

WAIT = 20  # seconds to wait for anything the server should do: generous, the machine is shared
ENV = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8"}  # as conftest.cli: no PYTHONPATH
READY = re.compile(r"Đang xem trước tại http://(?P<host>\S+):(?P<port>\d+)/")
STOPPED = "Đã dừng xem trước."
NOTE = "chưa có base_url"
GOOD, BAD = "score: {value: 938.21,", 'score: {value: "938,21",'
# Eight nested loops over the twelve members: about 4·10⁸ steps, so the article's renderer
# (a forked child) runs until its 10-second budget: a build that is surely under way.
RUNAWAY = "\n" + "".join(f"{{% for x{i} in members %}}" for i in range(8)) + "{% endfor %}" * 8 + "\n"


# --- the server as a user runs it -----------------------------------------------------


class Serving:
    """`cumthidua-site serve` in a subprocess: its terminal (stderr), HTTP, its processes."""

    def __init__(self, project: Path, *extra: str, wait_ready: bool = True) -> None:
        args = [sys.executable, "-m", "cumthidua_site", "serve", "--data", str(project / "data"),
                "--templates", str(project / "templates"), "--port", "0", *extra]
        self.lines: list[str] = []
        self.said = threading.Condition()
        self.proc = _spawn(args, project)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.host, self.port = "", 0
        if wait_ready:
            try:
                found = READY.search(self.wait_for(lambda text: READY.search(text) is not None))
            except BaseException:
                self.stop()
                raise
            self.host, self.port = found["host"], int(found["port"])

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self.said:
                self.lines.append(line)
                self.said.notify_all()
        with self.said:
            self.lines.append("")  # end of the terminal: the process has closed it
            self.said.notify_all()

    @property
    def stderr(self) -> str:
        with self.said:
            return "".join(self.lines)

    def wait_for(self, seen: Callable[[str], bool], timeout: float = WAIT) -> str:
        """The terminal's text once `seen` holds for it; fails with the text if it never does."""
        deadline = time.monotonic() + timeout
        with self.said:
            while True:
                text = "".join(self.lines)
                if seen(text):
                    return text
                if (self.lines and self.lines[-1] == "") or time.monotonic() > deadline:
                    pytest.fail(f"the server never printed what was awaited; its terminal:\n{text}")
                self.said.wait(0.2)

    def request(self, path: str, method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request with the raw path, exactly as given: nothing normalises it."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def events(self) -> "Events":
        return Events(self.port)

    def children(self) -> list[int]:
        return [pid for pid, (ppid, _session, state) in _processes().items() if ppid == self.proc.pid and state != "Z"]

    def signal_when_building(self, signum: int, group: bool, touch: Optional[Callable[[], None]] = None) -> None:
        """Send `signum` once the server has forked a child (a build under way), `touch`ing a file
        every few seconds meanwhile in case the watcher missed a save."""
        deadline, next_touch = time.monotonic() + 3 * WAIT, time.monotonic() + 3
        while not self.children():
            assert self.proc.poll() is None, f"the server ended while building:\n{self.stderr}"
            assert time.monotonic() < deadline, f"no build ever started; terminal:\n{self.stderr}"
            if touch is not None and time.monotonic() > next_touch:
                touch()
                next_touch = time.monotonic() + 3
            time.sleep(0.005)
        (os.killpg if group else os.kill)(self.proc.pid, signum)

    def wait_stopped(self, timeout: float = 15) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the server did not stop within {timeout} s; its terminal:\n{self.stderr}")
        self.reader.join(WAIT)
        return code

    def left_behind(self) -> list[int]:
        """Processes still alive in the server's session: what it forked and did not reap."""
        return [pid for pid, (_ppid, session, state) in _processes().items()
                if session == self.proc.pid and state != "Z"]

    def stop(self) -> None:
        """Teardown: the server and everything in its session, whatever state it is in."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # also any child left running
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait(timeout=WAIT)
        self.reader.join(WAIT)
        self.proc.stderr.close()


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen:
    """Popen in a session of its own, with Ctrl-C as in a terminal: if this test run ignores
    SIGINT (started in the background), the server would inherit that; a handled signal is
    reset to the default by exec, an ignored one is not."""
    main = threading.current_thread() is threading.main_thread()
    ignored = main and signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(args, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8", start_new_session=True)
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, session id, state) of every process on the machine."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry)] = (int(fields[1]), int(fields[3]), fields[0])
    return found


class Events:
    """A tab's event stream (/__cumthidua/events), read in the background into a queue."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.conn.connect()
        self.sock = self.conn.sock
        self.conn.request("GET", "/__cumthidua/events")
        self.response = self.conn.getresponse()
        self.status, self.type = self.response.status, self.response.getheader("Content-Type", "")
        self.sock.settimeout(3 * WAIT)  # the server pings every 15 s
        self.queue: queue.Queue = queue.Queue()
        self.pings = 0
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        event, data = "message", []
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                line = line.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        self.queue.put((event, json.loads("\n".join(data))))
                    event, data = "message", []
                elif line.startswith(":"):
                    self.pings += 1
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))
        except (OSError, ValueError):
            pass
        self.queue.put((None, None))  # the stream ended

    def next(self, timeout: float = WAIT) -> tuple[Optional[str], object]:
        """The next event as (name, data); (None, None) once the stream has ended."""
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no event within {timeout} s")

    def until(self, wanted: Callable[[str, object], bool], timeout: float = 2 * WAIT) -> tuple[str, object]:
        """The first event for which `wanted` holds, skipping others (a rebuild of an unchanged
        save, a half-written file seen mid-save); fails if the stream ends first."""
        deadline = time.monotonic() + timeout
        skipped = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"the awaited event never came; skipped: {skipped}")
            event, data = self.next(left)
            if event is None:
                pytest.fail(f"the event stream ended; skipped: {skipped}")
            if wanted(event, data):
                return event, data
            skipped.append((event, data))

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(WAIT)
        self.response.close()
        self.conn.close()


def is_change(event: str, data) -> bool:
    """A rebuild that changed some files (not one of an unchanged save)."""
    return event == "reload" and bool(data["changed"])


def settle(project: Path, events: Events) -> None:
    """Save a data file unchanged until a rebuild is announced: the watcher is then surely
    watching (it starts just after the ready line), so the test's own save cannot be missed."""
    site = project / "data/site.yaml"
    content = site.read_bytes()
    deadline = time.monotonic() + 3 * WAIT
    while True:
        site.write_bytes(content)
        try:
            event, data = events.queue.get(timeout=3)
        except queue.Empty:
            assert time.monotonic() < deadline, "no rebuild after saving a data file"
            continue
        # nothing changed: the same site, or the same problems
        assert (event == "reload" and data == {"changed": []}) or event == "problems", (event, data)
        return


def save_atomically(path: Path, text: str) -> None:
    """Save as vim and many editors do: a new file beside the old one, renamed over it."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)


def without_client(served: bytes) -> bytes:
    """A served HTML page with the injected reload script cut out."""
    at = served.index(b"/__cumthidua/events")
    start = served.rindex(b"<script", 0, at)
    end = served.index(b"</script>", at) + len(b"</script>")
    if served[end:end + 1] == b"\n":
        end += 1
    return served[:start] + served[end:]


def listeners(port: int) -> set[str]:
    """The local addresses (hex, as the kernel lists them) listening on TCP `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """A project only read, never edited: one server and one build for the serving checks."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(DATA, root / "data")
    shutil.copytree(TEMPLATES, root / "templates")
    return root


@pytest.fixture(scope="module")
def built(shared: Path) -> Path:
    """What `cumthidua-site build` writes for the shared project."""
    out = shared / "build"
    result = cli("build", "--data", str(shared / "data"), "--templates", str(shared / "templates"),
                 "--out", str(out), cwd=shared)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def site_paths(built: Path) -> list[str]:
    """Every file of the site, as paths under the site root."""
    paths = sorted(p.relative_to(built).as_posix() for p in built.rglob("*")
                   if p.is_file() and not p.name.startswith("."))
    assert "index.html" in paths and "2023/tinh/soc-trang/index.html" in paths
    return paths


@pytest.fixture(scope="module")
def server(shared: Path, built: Path):
    running = Serving(shared)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def serving():
    """Start servers in a test; each is stopped (and its processes killed) at teardown."""
    started: list[Serving] = []

    def start(project: Path, *extra: str, wait_ready: bool = True) -> Serving:
        running = Serving(project, *extra, wait_ready=wait_ready)
        started.append(running)
        return running
    yield start
    for running in started:
        running.stop()


@pytest.fixture
def tabs():
    """Open event streams; each is closed at teardown."""
    opened: list[Events] = []

    def open_tab(running: Serving) -> Events:
        stream = running.events()
        opened.append(stream)
        return stream
    yield open_tab
    for stream in opened:
        stream.close()


# --- 1. serving ---------------------------------------------------------------------------


def test_front_page_is_the_article(server, built):
    status, headers, body = server.request("/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    heading = soup(body).h1.get_text(" ", strip=True)
    assert heading == soup((built / "index.html").read_bytes()).h1.get_text(" ", strip=True)
    assert heading.startswith("Cà Mau dẫn đầu")


@pytest.mark.parametrize("path, heading", [("/2023/", "Cà Mau dẫn đầu"), ("/2023/tinh/soc-trang/", "Sóc Trăng")])
def test_folders_are_served_with_their_index(server, path, heading):
    status, headers, body = server.request(path)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert soup(body).h1.get_text(" ", strip=True).startswith(heading)


@pytest.mark.parametrize("path", ["/2023", "/2023/tinh/soc-trang"])
def test_folder_without_slash_redirects(server, path):
    status, headers, body = server.request(path)
    assert status == 301
    assert headers["Location"] == path + "/"
    assert body == b""


def test_every_file_is_the_built_file(server, built, site_paths):
    """Served = built, byte for byte, but for the reload script in HTML pages."""
    for path in site_paths:
        status, headers, body = server.request("/" + path)
        assert status == 200, path
        expected = (built / path).read_bytes()
        if path.endswith(".html"):
            assert b"/__cumthidua/events" in body, path
            assert without_client(body) == expected, path
        else:
            assert body == expected, path


def test_csv_download(server, built):
    status, headers, body = server.request("/du-lieu/so-lieu-2023.csv")
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert body == (built / "du-lieu/so-lieu-2023.csv").read_bytes()
    assert body.decode("utf-8-sig").startswith("scope,province,field")


def test_missing_page_is_the_sites_own_404(server):
    status, headers, body = server.request("/2023/tinh/khong-co-tinh-nay/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert soup(body).h1.get_text(" ", strip=True) == "Không tìm thấy trang"
    assert b"/__cumthidua/events" in body  # a tab on a missing page still follows the rebuilds


@pytest.mark.parametrize("path", ["/", "/2023/tinh/soc-trang/", "/du-lieu/so-lieu-2023.csv", "/khong-co/"])
def test_head_gives_the_headers_only(server, path):
    status, headers, body = server.request(path, method="HEAD")
    got_status, got_headers, got_body = server.request(path)
    assert (status, headers["Content-Type"]) == (got_status, got_headers["Content-Type"])
    assert int(headers["Content-Length"]) == len(got_body) > 0
    assert body == b""


def test_build_output_has_no_client_script(server, built, site_paths):
    """The reload script is only in what serve answers, never in what build writes."""
    status, _, body = server.request("/")
    assert status == 200 and b"/__cumthidua/events" in body
    assert len(site_paths) > 30
    written = [p for p in built.rglob("*") if p.is_file()]
    assert [p for p in written if b"__cumthidua" in p.read_bytes()] == []


def test_event_stream_starts_with_ok(server, tabs):
    tab = tabs(server)
    assert tab.status == 200 and tab.type.startswith("text/event-stream")
    assert tab.next() == ("ok", {})


# --- 5. safety ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/2023%2findex.html",
                                  "/..%2f..%2fetc%2fpasswd", "/2023/..\\..\\x", "/2023/%2e%2e/%2e%2e/index.html",
                                  "/2023/tinh/..%5c..%5cindex.html", "/%00index.html"])
def test_paths_leaving_the_site_are_404(server, path):
    status, _, body = server.request(path)
    assert status == 404
    assert soup(body).h1.get_text(" ", strip=True) == "Không tìm thấy trang"
    assert b"root:" not in body


def test_listens_on_this_machine_only_by_default(server):
    assert server.host == "127.0.0.1"
    assert "Cảnh báo" not in server.stderr
    assert listeners(server.port) == {"0100007F"}  # 127.0.0.1, and no IPv6 socket


def test_listening_on_all_addresses_warns(project, serving):
    running = serving(project, "--host", "0.0.0.0")
    warning = [line for line in running.stderr.splitlines() if line.startswith("Cảnh báo:")]
    assert len(warning) == 1
    assert warning[0].startswith("Cảnh báo: trang xem trước đang mở cho mọi máy trong mạng")
    assert running.host == "0.0.0.0"
    assert running.request("/")[0] == 200


# --- 6. busy port ---------------------------------------------------------------------------


def test_busy_port_names_a_free_one(project):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        result = cli("serve", "--data", str(project / "data"), "--templates", str(project / "templates"),
                     "--port", str(busy), cwd=project)
    assert result.returncode == 2, result.stderr
    assert f"cổng {busy} đang có chương trình khác dùng" in result.stderr
    assert "Traceback" not in result.stderr and "Đang xem trước tại" not in result.stderr
    suggested = [int(port) for port in re.findall(r"--port (\d+)", result.stderr)]
    assert len(suggested) == 1 and suggested[0] != busy
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as free:
        free.bind(("127.0.0.1", suggested[0]))  # really free


# --- 2, 3. reload -----------------------------------------------------------------------------


def test_edit_reloads_the_pages_that_show_it(project, serving, tabs, site_paths):
    running = serving(project)
    assert "938,21" in text_of(running.request("/2023/tinh/soc-trang/")[2])
    assert "938,21" not in text_of(running.request("/2023/tinh/an-giang/")[2])  # An Giang's page does not show it
    before = {path: running.request("/" + path)[2] for path in site_paths}
    tab = tabs(running)
    assert tab.next() == ("ok", {})
    settle(project, tab)

    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")

    _, data = tab.until(is_change)
    changed = data["changed"]
    assert "2023/tinh/soc-trang/index.html" in changed and "index.html" in changed
    assert "2023/tinh/an-giang/index.html" not in changed
    after = {path: running.request("/" + path)[2] for path in site_paths}
    pages = [path for path in changed if not path.startswith("anh/")]
    assert sorted(pages) == sorted(path for path in site_paths if before[path] != after[path]
                                   and not path.startswith("anh/"))
    # a share picture is named by its content: the old one is gone, the new one is drawn when asked for
    pictures = {path for path in changed if path.startswith("anh/")}
    shown = {"anh/" + soup(after["2023/tinh/soc-trang/index.html"]).find("meta", property="og:image")["content"]
             .rsplit("anh/", 1)[1]}
    assert shown <= pictures and shown.isdisjoint(site_paths)
    status, headers, body = running.request("/" + shown.pop())
    assert status == 200 and headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG")
    page = text_of(after["2023/tinh/soc-trang/index.html"])
    assert "938,25" in page and "938,21" not in page
    assert "938,25" in text_of(running.request("/")[2])
    assert sorted(p.name for p in project.iterdir()) == ["data", "templates"]  # nothing written: no build/


def test_atomic_save_still_reloads(project, serving, tabs):
    running = serving(project)
    tab = tabs(running)
    assert tab.next() == ("ok", {})
    settle(project, tab)
    provinces = project / "data/2023/provinces.yaml"
    text = provinces.read_text(encoding="utf-8")
    assert text.count(GOOD) == 1

    save_atomically(provinces, text.replace(GOOD, "score: {value: 938.25,"))

    _, data = tab.until(is_change)
    assert "2023/tinh/soc-trang/index.html" in data["changed"]
    assert "938,25" in text_of(running.request("/2023/tinh/soc-trang/")[2])
    assert not [p.name for p in provinces.parent.iterdir() if p.name.endswith(".tmp")]


def test_saving_a_template_reloads(project, serving, tabs):
    running = serving(project)
    tab = tabs(running)
    assert tab.next() == ("ok", {})
    settle(project, tab)
    template = project / "templates/404.html"
    assert "Không tìm thấy trang" in template.read_text(encoding="utf-8")

    edit(template, "Không tìm thấy trang", "Trang này không có")

    _, data = tab.until(is_change)
    assert data["changed"] == ["404.html"]
    status, _, body = running.request("/khong-co/")
    assert status == 404 and soup(body).h1.get_text(" ", strip=True) == "Trang này không có"


# --- 4. errors in the page ----------------------------------------------------------------------


def test_invalid_data_shows_problems_and_keeps_the_last_good_page(project, serving, tabs):
    provinces = project / "data/2023/provinces.yaml"
    running = serving(project)
    tab = tabs(running)
    assert tab.next() == ("ok", {})
    settle(project, tab)

    edit(provinces, GOOD, BAD)

    where = position(provinces, '"938,21"')
    _, data = tab.until(lambda event, data: event == "problems" and f"provinces.yaml:{where}: lỗi:" in data["text"])
    text = data["text"]
    assert "lỗi: điểm thi đua của Sóc Trăng (score) phải là số" in text
    assert "\n  gợi ý: " in text
    assert NOTE not in text  # a note is no problem
    # the terminal says the same
    running.wait_for(lambda said: text in said and "Chưa dựng lại được" in said)
    # the last good page is still served
    status, _, body = running.request("/")
    assert status == 200 and "938,21" in text_of(body)
    # a tab opened now is shown the problems at once
    late = tabs(running)
    assert late.next() == ("problems", {"text": text})

    edit(provinces, BAD, GOOD)

    # the site is the last good one again: told, with nothing to reload
    assert tab.until(lambda event, data: event == "reload") == ("reload", {"changed": []})
    assert late.until(lambda event, data: event == "reload") == ("reload", {"changed": []})
    assert tabs(running).next() == ("ok", {})
    assert running.request("/")[0] == 200


def test_fixing_the_data_reloads_with_the_new_figures(project, serving, tabs):
    provinces = project / "data/2023/provinces.yaml"
    running = serving(project)
    tab = tabs(running)
    assert tab.next() == ("ok", {})
    settle(project, tab)
    edit(provinces, GOOD, BAD)
    tab.until(lambda event, data: event == "problems")

    edit(provinces, BAD, "score: {value: 938.25,")

    _, data = tab.until(lambda event, data: event == "reload")
    assert "2023/tinh/soc-trang/index.html" in data["changed"] and "index.html" in data["changed"]
    assert "938,25" in text_of(running.request("/")[2])
    assert tabs(running).next() == ("ok", {})


def test_started_with_invalid_data_then_fixed(project, serving, tabs):
    provinces = project / "data/2023/provinces.yaml"
    edit(provinces, GOOD, BAD)
    where = position(provinces, '"938,21"')
    running = serving(project)
    assert f"provinces.yaml:{where}: lỗi:" in running.stderr
    tab = tabs(running)
    event, data = tab.next()
    assert event == "problems" and f"provinces.yaml:{where}: lỗi:" in data["text"]
    settle(project, tab)

    edit(provinces, BAD, GOOD)

    _, data = tab.until(lambda event, data: event == "reload")
    assert "index.html" in data["changed"] and "2023/tinh/soc-trang/index.html" in data["changed"]
    status, _, body = running.request("/")
    assert status == 200 and "938,21" in text_of(body)


def test_started_with_invalid_data_the_page_still_follows_the_rebuilds(project, serving):
    edit(project / "data/2023/provinces.yaml", GOOD, BAD)
    running = serving(project)
    status, headers, body = running.request("/")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"/__cumthidua/events" in body


# --- 8. the base_url note ---------------------------------------------------------------------


def test_base_url_note_is_said_once(project, serving, tabs):
    running = serving(project)
    assert running.stderr.count(NOTE) == 1
    tab = tabs(running)
    assert tab.next() == ("ok", {})
    settle(project, tab)
    edit(project / "data/2023/provinces.yaml", GOOD, "score: {value: 938.25,")
    tab.until(is_change)
    # every rebuild announced so far has finished printing (it prints after telling the tabs)
    said = running.wait_for(lambda text: text.count("Đã dựng lại trong") >= 2)
    assert re.search(r"Đã dựng lại trong \d+ ms; \d+ tệp đổi\.", said)
    assert said.count(NOTE) == 1


# --- 7. clean stop ------------------------------------------------------------------------------

# Ctrl-C in a terminal reaches the whole foreground group (the article's renderer too);
# SIGTERM, from a process manager, reaches the server only.
STOPS = [pytest.param(signal.SIGINT, True, id="ctrl-c"), pytest.param(signal.SIGTERM, False, id="sigterm")]


@pytest.mark.parametrize("signum, group", STOPS)
def test_stops_cleanly_when_idle(project, serving, tabs, signum, group):
    running = serving(project)
    tab = tabs(running)
    assert tab.next() == ("ok", {})  # an open tab must not hold the server
    (os.killpg if group else os.kill)(running.proc.pid, signum)
    assert running.wait_stopped() == 0, running.stderr
    assert running.stderr.rstrip("\n").endswith(STOPPED), running.stderr
    assert "Traceback" not in running.stderr
    assert running.left_behind() == []
    assert tab.next() == (None, None)  # the tab's stream was closed, not left hanging


@pytest.mark.parametrize("signum, group", STOPS)
def test_stops_cleanly_during_a_rebuild(project, serving, signum, group):
    running = serving(project)
    article = project / "data/2023/article.md"
    text = article.read_text(encoding="utf-8") + RUNAWAY
    article.write_text(text, encoding="utf-8")

    running.signal_when_building(signum, group, touch=lambda: article.write_text(text, encoding="utf-8"))

    assert running.wait_stopped() == 0, running.stderr
    assert running.stderr.rstrip("\n").endswith(STOPPED), running.stderr
    assert "Traceback" not in running.stderr
    assert running.left_behind() == []


@pytest.mark.parametrize("signum, group", STOPS)
def test_stops_cleanly_during_the_first_build(project, serving, signum, group):
    article = project / "data/2023/article.md"
    article.write_text(article.read_text(encoding="utf-8") + RUNAWAY, encoding="utf-8")
    running = serving(project, wait_ready=False)

    running.signal_when_building(signum, group)

    code = running.wait_stopped()
    assert "Traceback" not in running.stderr
    assert running.left_behind() == []
    assert code == 0, running.stderr
    assert running.stderr.rstrip("\n").endswith(STOPPED), running.stderr


# --- a folder that is not there -------------------------------------------------------------------


@pytest.mark.parametrize("option, missing, said", [
    ("--data", "khong-co-du-lieu", "không tìm thấy thư mục số liệu"),
    ("--templates", "khong-co-mau", "không tìm thấy thư mục mẫu trang")])
def test_missing_folder_is_not_blamed_on_the_port(project, option, missing, said):
    args = {"--data": project / "data", "--templates": project / "templates"}
    args[option] = project / missing
    proc = _spawn([sys.executable, "-m", "cumthidua_site", "serve", "--data", str(args["--data"]),
                   "--templates", str(args["--templates"]), "--port", "0"], project)
    try:
        try:
            proc.wait(timeout=WAIT)  # it may stop, or keep serving the problem until the folder appears
        except subprocess.TimeoutExpired:
            pass
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        stderr = proc.communicate(timeout=WAIT)[1]
    assert said in stderr
    assert "không mở được máy chủ" not in stderr and "(None)" not in stderr
    assert "Traceback" not in stderr


def test_a_published_figure_changed_without_a_correction_previews_as_a_draft(project, serving, tabs):
    """serve keeps previewing an uncorrected change (a plain build refuses it), under a band."""
    assert cli("publish", "--data", str(project / "data"), cwd=project).returncode == 0
    running = serving(project)
    tab = tabs(running)
    assert tab.next() == ("ok", {})
    settle(project, tab)
    edit(project / "data/2023/provinces.yaml", "score: {value: 938.21,", "score: {value: 938.25,")
    _, data = tab.until(is_change)
    assert "2023/tinh/soc-trang/index.html" in data["changed"]
    page = running.request("/2023/tinh/soc-trang/")[2].decode("utf-8")
    assert "938,25" in text_of(page) and 'class="draft-band"' in page
    assert 'class="draft-band"' not in running.request("/2023/tinh/an-giang/")[2].decode("utf-8")
