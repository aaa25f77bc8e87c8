"""`serve`: build, serve the site from memory, rebuild on every change, reload the open tabs.

The site is served from the last good build held in memory: `build/` is never written
(publishing stays `make build`). Rebuilds run on the main thread, where the article's
runaway-loop timer works; the HTTP server answers from its own threads. Open tabs hold a
Server-Sent Events connection through a small script injected into HTML responses only
while serving: after a rebuild they reload if their page's bytes changed; while the data
is invalid they show the problem list over the last good page.
"""

from __future__ import annotations

import errno
import http.server
import json
import mimetypes
import queue
import signal
import socket
import threading
import time
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, TextIO
from urllib.parse import unquote, urlsplit

from . import caches, images
from .build import Result, find_templates, run, settle
from .errors import Level
from .report import format_text

EVENTS = "/__cumthidua/events"
LOOPBACK = ("127.0.0.1", "::1", "localhost")
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".csv": "text/csv; charset=utf-8",
         ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
         ".svg": "image/svg+xml", ".png": "image/png"}

# Injected before </body> while serving, never written to build/. It reloads the page when
# its own bytes changed, and shows the problems over the page while the data is invalid.
CLIENT = """<script>
(function () {
  var path = decodeURIComponent(location.pathname).replace(/^\\//, "");
  if (path === "" || path.slice(-1) === "/") path += "index.html";
  var box = null;
  function hide() { if (box) { box.remove(); box = null; } }
  function show(text) {
    if (!box) {
      box = document.createElement("div");
      box.id = "cumthidua-loi";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;" +
        "background:rgba(25,25,25,.96);color:#fff;font:15px/1.5 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "Số liệu đang có lỗi: trang bên dưới là bản dựng tốt gần nhất.\\n" +
      "Sửa tệp rồi lưu, trang tự cập nhật.\\n\\n" + text;
  }
  var events = new EventSource("/__cumthidua/events");
  events.addEventListener("problems", function (e) { show(JSON.parse(e.data).text); });
  events.addEventListener("ok", hide);
  events.addEventListener("reload", function (e) {
    var data = JSON.parse(e.data);
    hide();
    if (data.changed.indexOf(path) >= 0) location.reload();
  });
})();
</script>
"""


NO_SITE = ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Chưa dựng được trang</title>"
           "</head><body><h1>Chưa dựng được trang</h1><p>Số liệu đang có lỗi: xem danh sách lỗi trong cửa sổ "
           "dòng lệnh. Sửa tệp rồi lưu, trang tự cập nhật.</p></body></html>").encode("utf-8")


@dataclass
class Live:
    """What the HTTP threads read: the last good files, the current problems, the open tabs."""

    files: dict[str, bytes] = field(default_factory=dict)
    pictures: dict[str, images.Picture] = field(default_factory=dict)  # PNG files, drawn when first asked for
    problems: Optional[str] = None  # the problem list while the data is invalid
    lock: threading.Lock = field(default_factory=threading.Lock)
    tabs: list[queue.Queue] = field(default_factory=list)

    def publish(self, files: dict[str, bytes], pictures: Optional[dict[str, images.Picture]] = None) -> list[str]:
        """New files: the paths whose bytes changed (added and removed included), told to every tab.
        A picture is not drawn here: only if a browser asks for it (a preview stays fast)."""
        pictures = pictures or {}
        with self.lock:
            old, self.files, self.problems = self.files, files, None
            old_pictures, self.pictures = self.pictures, pictures
            changed = sorted([p for p in old.keys() | files.keys() if old.get(p) != files.get(p)] +
                             [p for p in old_pictures.keys() | pictures.keys()
                              if old_pictures.get(p) != pictures.get(p)])
            self._tell("reload", {"changed": changed})
        return changed

    def fail(self, text: str) -> None:
        with self.lock:
            self.problems = text
            self._tell("problems", {"text": text})

    def subscribe(self) -> queue.Queue:
        tab: queue.Queue = queue.Queue()
        with self.lock:
            self.tabs.append(tab)
            tab.put(("problems", {"text": self.problems}) if self.problems else ("ok", {}))
        return tab

    def unsubscribe(self, tab: queue.Queue) -> None:
        with self.lock:
            if tab in self.tabs:
                self.tabs.remove(tab)

    def close(self) -> None:
        with self.lock:
            self._tell("", None)

    def _tell(self, event: str, data) -> None:
        for tab in self.tabs:
            tab.put((event, data))


def resolve(raw: str, files: dict[str, bytes]) -> tuple[int, str]:
    """(status, key or redirect target) for a request path: 200 and the file's key, 301 and where
    to go (a folder asked without its slash), or 404. Anything that tries to leave the site,
    encoded or not, is 404."""
    path = urlsplit(raw).path
    if "%2f" in path.lower() or "%5c" in path.lower():
        return 404, ""
    decoded = unquote(path)
    parts = decoded.split("/")
    if any(part in (".", "..") for part in parts) or "\\" in decoded or "\x00" in decoded:
        return 404, ""
    key = "/".join(part for part in parts if part)
    if key == "":
        return (200, "index.html") if "index.html" in files else (404, "")
    if key in files:
        return 200, key
    if f"{key}/index.html" in files:
        return (200, f"{key}/index.html") if decoded.endswith("/") else (301, path + "/")
    return 404, ""


def handler(live: Live) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "cumthidua-site"
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # the terminal is the editor's: problems only
            pass

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            if urlsplit(self.path).path == EVENTS:
                return self._events()
            self._answer(body=True)

        def _answer(self, body: bool) -> None:
            with live.lock:
                files, pictures = live.files, live.pictures
            status, key = resolve(self.path, ChainMap(files, pictures))
            if status == 301:
                self.send_response(301)
                self.send_header("Location", key)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if not files:  # no good build yet: a page the problems can be shown over
                status, content, kind = 503, NO_SITE, TYPES[".html"]
            elif status == 404:
                content = files.get("404.html", NO_SITE)
                kind = TYPES[".html"]
            else:
                content = files[key] if key in files else images.rasterise(pictures[key])
                suffix = Path(key).suffix
                kind = TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
            if kind.startswith("text/html"):  # before the page's own closing tag, the last one
                head, found, tail = content.rpartition(b"</body>")
                content = head + CLIENT.encode() + found + tail if found else content
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(content)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            tab = live.subscribe()
            try:
                while True:
                    try:
                        event, data = tab.get(timeout=15)
                    except queue.Empty:
                        self.wfile.write(b": ping\n\n")  # finds a closed tab
                        self.wfile.flush()
                        continue
                    if not event:
                        return
                    self.wfile.write(f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                pass
            finally:
                live.unsubscribe(tab)
    return Handler


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds the process


class PortBusy(Exception):
    def __init__(self, port: int, free: int) -> None:
        super().__init__(port)
        self.port, self.free = port, free


def bind(host: str, port: int, live: Live) -> Server:
    """The server on host:port, or PortBusy naming a free port to use instead."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    Server.address_family = family
    try:
        return Server((host, port), handler(live))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            free = probe.getsockname()[1]
        raise PortBusy(port, free) from None


def _problems_text(result: Result) -> str:
    return format_text([p for p in result.problems if p.level is not Level.NOTE], colour=False)


def serve(data: Path, templates: Optional[Path], host: str, port: int, say: TextIO,
          ready: Callable[[str], None] = lambda address: None) -> int:
    """Build, serve and rebuild until stopped (Ctrl-C or SIGTERM). Returns the exit status."""
    from watchfiles import watch

    def stop(*_args) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    live, server = Live(), None
    templates = find_templates(templates)
    try:
        if not data.is_dir() or not templates.is_dir():  # nothing to watch: say why, as build does
            say.write(format_text(run(data, templates=templates).problems, colour=False) + "\n")
            say.write("Chưa mở được xem trước.\n")
            return 1
        server = bind(host, port, live)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        caches.defer()  # the disk cache's new files are written once each build is shown (settle)
        built = False
        # The watcher is running before the first build, so no save is missed in between; it
        # yields an empty set every 100 ms without changes (the first one starts the build).
        # step: how long to wait for more changes after one (an editor's save is one burst).
        for changes in watch(data, templates, step=5, debounce=400, rust_timeout=100, yield_on_timeout=True,
                             raise_interrupt=True):
            if not built:
                _first_build(data, templates, live, say)
                _say_ready(host, server, data, say)
                ready(f"http://{host}:{server.server_address[1]}/")
                built = True
            elif changes:
                _rebuild(data, templates, live, say)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        caches.defer(False)
        live.close()
        if server is not None:
            server.shutdown()
            server.server_close()
    say.write("Đã dừng xem trước.\n")
    return 0


def _first_build(data: Path, templates: Path, live: Live, say: TextIO) -> None:
    result = run(data, templates=templates, draft=True)  # uncorrected changes shown as a draft
    if result.problems:
        say.write(format_text(result.problems, colour=False) + "\n")  # the base_url note: said once, here
    if result.failed():
        live.fail(_problems_text(result))
    else:
        live.publish(result.files, result.pictures)
    settle()


def _say_ready(host: str, server: Server, data: Path, say: TextIO) -> None:
    shown_host = f"[{host}]" if ":" in host else host
    if host not in LOOPBACK:
        say.write(f"Cảnh báo: trang xem trước đang mở cho mọi máy trong mạng ({host}), không chỉ máy này.\n")
    say.write(f"Đang xem trước tại http://{shown_host}:{server.server_address[1]}/  (mở địa chỉ này trong "
              f"trình duyệt; Ctrl-C để dừng)\n"
              f"Mỗi lần lưu một tệp trong {data}/ hay mẫu trang, trang được dựng lại và tự tải lại. "
              f"Lệnh này không ghi vào build/: để đăng, chạy make build.\n")
    say.flush()


def _rebuild(data: Path, templates: Path, live: Live, say: TextIO) -> None:
    start = time.perf_counter()
    result = run(data, templates=templates, draft=True)  # uncorrected changes shown as a draft
    took = (time.perf_counter() - start) * 1000
    if result.failed():
        text = _problems_text(result)
        live.fail(text)
        say.write(f"{text}\nChưa dựng lại được: trang đang xem vẫn là bản tốt gần nhất ({took:.0f} ms).\n")
    else:
        changed = live.publish(result.files, result.pictures)
        warnings = [p for p in result.problems if p.level is Level.WARNING]
        if warnings:
            say.write(format_text(warnings, colour=False) + "\n")
        say.write(f"Đã dựng lại trong {took:.0f} ms; {len(changed)} tệp đổi.\n")
    say.flush()
    settle()  # after the reload was announced: the editor is reading, not waiting
