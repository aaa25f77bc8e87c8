"""Command line: build | check | serve | publish | diff | new-edition. Exit 0 ok, 1 bad data, 2 bad usage, 75 output busy, 70 a bug of ours."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn, Optional, Sequence

from . import __version__
from .errors import SiteError
from .report import format_json, format_text, shown_path, summary, use_colour

# argparse prints its own messages through gettext; no Vietnamese catalogue
# ships with Python, so the few that a user can meet are translated here.
_ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "đối số",
    "options": "tùy chọn",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "show program's version number and exit": "in số phiên bản rồi thoát",
    "the following arguments are required: %s": "thiếu đối số bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu đối số: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "argument %(argument_name)s: %(message)s": "đối số %(argument_name)s: %(message)s",
    "expected one argument": "cần một giá trị",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn mơ hồ: %(option)s có thể là %(matches)s",
}
argparse._ = lambda text: _ARGPARSE_VI.get(text, text)  # type: ignore[attr-defined]

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_BUG, EXIT_BUSY = 0, 1, 2, 70, 75
EXIT_PIPE = 128 + 13  # SIGPIPE's number on Linux and macOS, as a shell reports a command it ended
BUILD_COLLECTION = 20_000  # new objects between two runs of the cyclic collector during a build (Python: 700)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own messages, in Vietnamese, exit 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {message}\n"
                              f"  gợi ý: chạy `{self.prog} --help` để xem cách dùng\n")


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"cổng phải là một số từ 0 đến 65535, đang là “{text}”")
    return int(text)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="cumthidua-site",
                  description="Dựng trang dữ liệu Cụm thi đua các tỉnh miền Tây Nam Bộ từ tệp YAML.")
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                     help="in số phiên bản rồi thoát")
    commands = top.add_subparsers(dest="command", metavar="LỆNH", parser_class=_Parser)
    commands.required = True

    build = commands.add_parser("build", help="kiểm tra số liệu rồi dựng trang vào thư mục đầu ra",
                                description="Kiểm tra số liệu, rồi dựng toàn bộ trang vào thư mục đầu ra. "
                                            "Nếu có lỗi, thư mục đầu ra cũ được giữ nguyên.")
    check = commands.add_parser("check", help="chỉ kiểm tra số liệu, không ghi gì",
                                description="Kiểm tra số liệu và bài viết mà không ghi tệp nào.")
    for sub in (build, check):
        sub.add_argument("--strict", action="store_true",
                         help="coi cảnh báo như lỗi (thoát với mã 1)")
    serve = commands.add_parser("serve", help="xem trước: dựng trang, mở máy chủ, tự dựng lại khi sửa tệp",
                                description="Dựng trang rồi mở một máy chủ xem trước. Mỗi lần lưu một tệp số liệu "
                                            "hay mẫu trang, trang được dựng lại và trình duyệt tự tải lại; nếu số "
                                            "liệu có lỗi, lỗi hiện ngay trên trang. Không ghi vào build/.")
    serve.add_argument("--host", default="127.0.0.1", metavar="ĐỊA_CHỈ",
                       help="địa chỉ lắng nghe (mặc định: 127.0.0.1, chỉ máy này)")
    serve.add_argument("--port", type=_port, default=8000, metavar="CỔNG", help="cổng (mặc định: 8000)")
    publish = commands.add_parser("publish", help="ghi số liệu hiện tại của một năm là bản đã đăng",
                                  description="Ghi các con số, sự kiện và nguồn hiện tại của năm (mặc định: mọi "
                                              "năm) vào data/NĂM/published.yaml, làm bản đã đăng. Từ đó, mỗi "
                                              "thay đổi cần một đính chính trong corrections.yaml.")
    publish.add_argument("years", metavar="NĂM", nargs="*", type=int, help="các năm, ví dụ 2023 (mặc định: mọi năm)")
    differ = commands.add_parser("diff", help="xem số liệu nào khác bản đã đăng, và các trang sẽ đổi",
                                 description="In mọi khác biệt giữa số liệu hiện tại và bản đã đăng của năm (mặc "
                                             "định: mọi năm), dạng cũ → mới, cùng các trang sẽ đổi. Không ghi gì.")
    differ.add_argument("years", metavar="NĂM", nargs="*", type=int, help="các năm (mặc định: mọi năm)")
    new = commands.add_parser("new-edition", help="tạo thư mục số liệu cho một năm mới",
                              description="Tạo data/NĂM/ với danh sách tỉnh của năm trước (bỏ các tỉnh đã sáp nhập), "
                                          "mọi con số chưa biết, chưa có nguồn, và khung bài viết. "
                                          "Không bao giờ ghi đè một thư mục đã có.")
    new.add_argument("year", metavar="NĂM", help="năm tổng kết, ví dụ 2024")
    for sub in (build, check, serve, publish, differ, new):
        sub.add_argument("--data", type=Path, default=Path("data"), metavar="THƯ_MỤC",
                         help="thư mục số liệu (mặc định: data)")
    for sub in (build, check, serve):
        sub.add_argument("--templates", type=Path, default=None, metavar="THƯ_MỤC",
                         help="thư mục mẫu trang (mặc định: templates của dự án)")
    build.add_argument("--out", type=Path, default=Path("build"), metavar="THƯ_MỤC",
                       help="thư mục đầu ra (mặc định: build)")
    build.add_argument("--draft", action="store_true",
                       help="bản nháp: vẫn dựng khi số liệu đã đăng bị đổi mà chưa có đính chính, "
                            "kèm dải “Bản nháp” trên các trang có số liệu đó và không cho máy tìm kiếm ghi nhận; "
                            "đừng đăng bản này")
    build.add_argument("--no-wait", dest="wait", action="store_false",
                       help="nếu một bản dựng khác đang ghi vào cùng thư mục đầu ra thì dừng ngay "
                            f"(mã thoát {EXIT_BUSY}) thay vì chờ")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="cách in kết quả: text (mặc định) hoặc json cho máy đọc")
    return top


def _print_problems(result_problems, fmt: str) -> None:
    if fmt == "json":
        print(format_json(result_problems))
    elif result_problems:
        print(format_text(result_problems, colour=use_colour(sys.stderr)), file=sys.stderr)


def _say_waiting(out: Path, holder: str) -> None:
    print(f"Một bản dựng khác (tiến trình {holder}) đang ghi vào {shown_path(out)}/; "
          f"đang chờ bản đó xong rồi mới ghi…", file=sys.stderr, flush=True)


def _new_edition(args) -> int:
    from .newedition import create
    from .build import today
    folder, problems = create(args.data, args.year, today().isoformat())
    if problems:
        print(format_text(problems, colour=use_colour(sys.stderr)), file=sys.stderr)
    if folder is None:
        print("Chưa tạo được năm mới.", file=sys.stderr)
        return EXIT_DATA
    print(f"Đã tạo {shown_path(folder)}/: cluster.yaml, provinces.yaml và article.md. Việc tiếp theo: khai báo nguồn, "
          f"ghi số liệu và viết bài (xem README, mục “Năm mới”); chạy `make check` để xem còn thiếu gì.",
          file=sys.stderr)
    return EXIT_OK


def _diff(args) -> int:
    from . import urls
    from .build import diff
    found, problems = diff(args.data, args.years)
    errors = [p for p in problems if p.level.name == "ERROR"]
    if errors:
        print(format_text(errors, colour=use_colour(sys.stderr)), file=sys.stderr)
        return EXIT_DATA
    for edition in found:
        if not edition.published:
            print(f"Năm {edition.year}: chưa đăng (chưa có published.yaml), không có gì để so.")
            continue
        if not edition.differences:
            print(f"Năm {edition.year}: không khác bản đã đăng ngày {edition.published}.")
            continue
        print(f"Năm {edition.year}: {len(edition.differences)} khác biệt so với bản đã đăng ngày {edition.published}:")
        for d in edition.differences:
            where = f"{shown_path(d.where.path)}:{d.where.line}" if d.where.line else shown_path(d.where.path)
            print(f"  {d.label}: {d.old} → {d.new}  ({where})")
        pages = [urls.folder(page) or page for page in edition.pages]  # 2023/ for 2023/index.html; index.html
        print(f"  Các trang sẽ đổi ({len(pages)}): " + ", ".join(pages))
    return EXIT_OK


def _publish(args) -> int:
    from .build import publish
    written, problems = publish(args.data, args.years)
    if problems:
        print(format_text(problems, colour=use_colour(sys.stderr)), file=sys.stderr)
    if not written:
        print("Chưa ghi được bản đã đăng: sửa các lỗi ở trên trước.", file=sys.stderr)
        return EXIT_DATA
    for path in written:
        print(f"Đã ghi {shown_path(path)}: số liệu năm {path.parent.name} nay là bản đã đăng.", file=sys.stderr)
    return EXIT_OK


def _serve(args) -> int:
    from .serve import PortBusy, serve
    try:
        return serve(args.data, args.templates, args.host, args.port, sys.stderr)
    except PortBusy as busy:
        print(f"cumthidua-site: lỗi: cổng {busy.port} đang có chương trình khác dùng.\n"
              f"  gợi ý: dùng cổng khác, ví dụ cổng đang trống {busy.free}: "
              f"cumthidua-site serve --port {busy.free} (hoặc make serve PORT={busy.free})", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"cumthidua-site: lỗi: không mở được máy chủ xem trước tại {args.host}:{args.port} ({exc.strerror}).\n"
              f"  gợi ý: kiểm tra --host (mặc định 127.0.0.1) và --port", file=sys.stderr)
        return EXIT_USAGE


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse, call one function, map errors to exit codes."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command == "new-edition":
        return _new_edition(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "publish":
        return _publish(args)
    if args.command == "diff":
        return _diff(args)
    collector = gc.get_threshold(), gc.isenabled()
    try:
        # The cyclic collector finds nothing among what imports make, yet ran about 100 times
        # while they did (25-45 ms of a large build): off meanwhile.
        gc.disable()
        from .build import run  # here, not at the top: `--help` and usage errors start in a few ms
        # What the imports made lives as long as the process: out of the collector's way, a full
        # collection no longer walks it (about 10% of the real site's build), and the forked
        # children leave those pages shared. A build whose caches are warm makes no cycles (none
        # in a build of the 1x archive); a cold one makes a few (the standard library's indented
        # JSON). So the collector runs after 20,000 new objects, not 700 (mypy does likewise): 17
        # instead of 65 ms of collecting in each process of that build, and still a bound on what
        # waits for it.
        gc.freeze()
        gc.set_threshold(BUILD_COLLECTION, *collector[0][1:])
        gc.enable()
        out = args.out if args.command == "build" else None
        result = run(args.data, out=out, templates=args.templates, strict=args.strict,
                     wait=getattr(args, "wait", True), on_wait=lambda holder: _say_waiting(out, holder),
                     draft=getattr(args, "draft", False), keep=args.command == "build")
    except SiteError as exc:
        print(format_text(exc.problems, colour=use_colour(sys.stderr)), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("đã dừng.", file=sys.stderr)
        return 130
    except Exception:  # a bug of ours, not the editor's mistake: say so plainly
        print("cumthidua-site: lỗi bên trong chương trình, không phải do số liệu.\n"
              "  gợi ý: báo cho nhóm phát triển kèm lệnh vừa chạy; đặt CUMTHIDUA_DEBUG=1 để xem chi tiết.",
              file=sys.stderr)
        if os.environ.get("CUMTHIDUA_DEBUG"):
            traceback.print_exc()
        return EXIT_BUG
    finally:  # a process that goes on (tests, tools) gets its collector back as it was
        gc.set_threshold(*collector[0])
        if not collector[1]:
            gc.disable()
    fmt = getattr(args, "format", "text")
    _print_problems(result.problems, fmt)
    failed = result.failed(args.strict)
    if fmt == "text":
        said = summary(result.problems)
        if failed and args.command == "build":
            print(f"Chưa dựng được trang: {said}. Thư mục đầu ra cũ được giữ nguyên.", file=sys.stderr)
        elif failed:
            print(f"Số liệu chưa đạt: {said}.", file=sys.stderr)
        elif args.command == "build" and not result.changed:
            print(f"Không có gì thay đổi: {shown_path(result.written)}/ đã đúng là bản dựng này "
                  f"({result.count} tệp), không ghi lại ({said}).", file=sys.stderr)
        elif args.command == "build":
            print(f"Đã dựng {result.count} tệp ({result.size / 1024:.0f} KB) vào "
                  f"{shown_path(result.written)}/ ({said}).", file=sys.stderr)
        else:
            print(f"Số liệu hợp lệ ({said}).", file=sys.stderr)
    return EXIT_DATA if failed else EXIT_OK


def entry() -> NoReturn:
    """The `cumthidua-site` command and `python -m cumthidua_site`: `main()`, then the process ends
    at once. Python's own shutdown frees, one by one, every object a build made, which nobody
    waits for: 130-200 ms of a 1.5 s build of the 1x archive, 10 ms with this. What we printed is
    flushed first; by then every file we write is closed (the writer and the caches close theirs),
    serve's deferred cache files are written (`caches.defer(False)`), and only daemon threads are left.
    A reader of the output that went away (`| head`) ends it as it ends a command of the system:
    status 141, the pipe's signal, and no traceback."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        code = EXIT_PIPE
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
