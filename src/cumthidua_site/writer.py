"""Write a rendered site atomically: a staging folder, then a swap into place.

A failed build never touches the previous output, and a folder the generator
did not create (no marker file) is never replaced, so `--out .` cannot wipe a
project. A symlinked output is written at its target, so a web root that links
to it keeps being updated.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from pathlib import Path

from .errors import Location, UsageError, error

MARKER = ".cumthidua-site"
MARKER_TEXT = ("Thư mục này do cumthidua-site tạo ra. Mỗi lần dựng trang, toàn bộ nội dung "
               "ở đây được thay mới; đừng để tệp của bạn vào đây.\n")


def _refuse(out: Path, message: str, hint: str = "chọn một thư mục trống hoặc chưa có, ví dụ build"):
    return UsageError([error(Location(out), message, hint)])


def ensure_replaceable(out: Path) -> None:
    """Refuse an output path that is a file, or a non-empty folder we did not make."""
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise _refuse(out, "đường dẫn đầu ra (--out) là một tệp, không phải thư mục")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise _refuse(out, "thư mục đầu ra (--out) đã có nội dung không phải do cumthidua-site tạo; "
                           "chương trình không ghi đè để tránh mất dữ liệu")
    parent = next((p for p in out.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise _refuse(out, f"không tạo được thư mục đầu ra vì {parent} là một tệp")


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Write every file into a staging folder beside `out`, then swap it into place."""
    out = out.resolve()  # through a symlink, to the folder it names
    ensure_replaceable(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise _refuse(out, f"không tạo được thư mục đầu ra ({exc.strerror})",
                      "kiểm tra quyền ghi và dung lượng đĩa") from exc
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must read it
        for relative, content in sorted(files.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        _swap(staging, out)
    except OSError as exc:
        raise _refuse(out, f"không ghi được thư mục đầu ra ({exc.strerror}); trang cũ được giữ nguyên",
                      "kiểm tra quyền ghi và dung lượng đĩa") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_leftovers(out: Path) -> None:
    """Staging and old folders a killed build left beside `out` (only ours, by name)."""
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    """Put `staging` at `out`; afterwards `staging` holds what was there (or nothing)."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):  # one atomic step on Linux: never a moment without a site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)
    try:
        os.rename(out, old)
    except OSError as exc:
        if exc.errno not in (errno.EBUSY, errno.EXDEV, errno.EPERM):
            raise
        _replace_contents(staging, out)  # a mount point cannot be renamed: replace what is inside
        return
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    os.rename(old, staging)  # cleaned up with the staging folder


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2(RENAME_EXCHANGE); False where unsupported.

    Written by hand: Python's os module has no renameat2, and no library on PyPI is
    worth a dependency for one system call.
    """
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _replace_contents(staging: Path, out: Path) -> None:
    """Not atomic: empty `out`, then move the new files in. Only for folders that cannot be renamed."""
    for child in out.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in staging.iterdir():
        shutil.move(str(child), str(out / child.name))
