"""Write a rendered site atomically: a staging folder, then a swap into place.

A failed build never touches the previous output, and a folder the generator
did not create (no marker file) is never replaced, so `--out .` cannot wipe a
project.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import Location, UsageError, error

MARKER = ".cumthidua-site"
MARKER_TEXT = ("Thư mục này do cumthidua-site tạo ra. Mỗi lần dựng trang, toàn bộ nội dung "
               "ở đây được thay mới; đừng để tệp của bạn vào đây.\n")


def ensure_replaceable(out: Path) -> None:
    """Refuse an output path that is a file, or a non-empty folder we did not make."""
    if out.exists() and not out.is_dir():
        raise UsageError([error(Location(out), "đường dẫn đầu ra (--out) là một tệp, không phải thư mục",
                                "chọn một thư mục mới, ví dụ build")])
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError([error(
            Location(out), "thư mục đầu ra (--out) đã có nội dung không phải do cumthidua-site tạo; "
            "chương trình không ghi đè để tránh mất dữ liệu",
            "chọn một thư mục trống hoặc chưa có, ví dụ build")])


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Write every file into a staging folder beside `out`, then swap it into place."""
    ensure_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must read it
        for relative, content in sorted(files.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
