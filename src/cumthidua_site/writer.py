"""Write a rendered site atomically: a staging folder, then a swap into place.

A failed build never touches the previous output, and a folder the generator
did not create (no marker file) is never replaced, so `--out .` cannot wipe a
project. A symlinked output is written at its target, so a web root that links
to it keeps being updated. One build at a time writes an output folder: a lock
file beside it (`.build.lock`) is held from cleaning the last crashed build's
leftovers to the swap, so no build removes a staging folder whose owner lives,
and the live folder is always one complete build.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator, Optional

from .errors import Location, Problem, SiteError, UsageError, error, note
from .files import path_problem

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, builds must not overlap
    fcntl = None  # type: ignore[assignment]

MARKER = ".cumthidua-site"
MARKER_TEXT = ("Thư mục này do cumthidua-site tạo ra. Mỗi lần dựng trang, toàn bộ nội dung "
               "ở đây được thay mới; đừng để tệp của bạn vào đây.\n")
DERIVED = len(".") + len(".tmp-") + 8  # a staging name is ".<out>.tmp-xxxxxxxx"


class Busy(SiteError):
    """Another build is writing the same output folder and we were told not to wait."""

    exit_code = 75  # EX_TEMPFAIL: try again later


def _refuse(out: Path, message: str, hint: str = "chọn một thư mục trống hoặc chưa có, ví dụ build"):
    return UsageError([error(Location(out), message, hint)])


def ensure_replaceable(out: Path) -> None:
    """Refuse an output path we cannot or must not replace, before any work is done."""
    too_long = path_problem(out, "thư mục đầu ra (--out)", extra=DERIVED)
    if too_long is not None:
        raise UsageError([too_long])
    try:
        out = out.resolve()
    except (OSError, RuntimeError) as exc:  # Python 3.11 raises RuntimeError for a symlink loop
        raise _refuse(out, "đường dẫn đầu ra (--out) là một vòng liên kết (symlink) hoặc không đọc được",
                      "chọn một thư mục thật, ví dụ build") from exc
    if out.exists() and not out.is_dir():
        raise _refuse(out, "đường dẫn đầu ra (--out) là một tệp, không phải thư mục")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise _refuse(out, "thư mục đầu ra (--out) đã có nội dung không phải do cumthidua-site tạo; "
                           "chương trình không ghi đè để tránh mất dữ liệu")
    parent = next((p for p in out.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise _refuse(out, f"không tạo được thư mục đầu ra vì {parent} là một tệp")
    for folder, what in ((out, "thư mục đầu ra"), (parent, "thư mục chứa thư mục đầu ra")):
        if folder is not None and folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            raise _refuse(out, f"{what} {folder} chỉ cho đọc, không ghi được; trang cũ được giữ nguyên",
                          f"cấp quyền ghi (chmod u+w {folder}) hoặc chọn thư mục đầu ra khác bằng --out")


def write_site(files: dict[str, bytes], out: Path, wait: bool = True,
               on_wait: Optional[Callable[[str], None]] = None,
               copies: Optional[dict[str, "Path | bytes"]] = None) -> tuple[list[Problem], bool]:
    """Write every file into a staging folder beside `out`, then swap it into place; write
    nothing when `out` already holds exactly these files.

    `copies`: more files, each a file to copy (the drawn pictures, never read into memory) or
    its bytes. Returns notes about leftovers it could not remove, and whether it wrote. With `wait`
    False, a build already writing `out` makes this raise Busy; otherwise `on_wait(holder)`
    is called once and the write waits for its turn.
    """
    ensure_replaceable(out)
    out = out.resolve()  # through a symlink, to the folder it names (ensure_replaceable resolved it once)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _refuse(out, f"không tạo được thư mục đầu ra ({exc.strerror})",
                      "kiểm tra quyền ghi và dung lượng đĩa") from exc
    with _output_lock(out, wait, on_wait):
        ensure_replaceable(out)  # again: the folder may have changed while we waited
        notes = _remove_leftovers(out)
        copies = copies or {}
        if _holds(out, files, copies):
            return notes, False
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        except OSError as exc:
            raise _refuse(out, f"không tạo được thư mục đầu ra ({exc.strerror})",
                          "kiểm tra quyền ghi và dung lượng đĩa") from exc
        try:
            _fill(staging, files, copies)
            _swap(staging, out)
        except OSError as exc:
            raise _refuse(out, f"không ghi được thư mục đầu ra ({exc.strerror}); trang cũ được giữ nguyên",
                          "kiểm tra quyền ghi và dung lượng đĩa") from exc
        finally:
            if not _remove(staging):
                notes.append(_leftover_note(staging))
    return notes, True


def _holds(out: Path, files: dict[str, bytes], copies: dict[str, "Path | bytes"]) -> bool:
    """Whether `out` is one of our builds holding exactly `files`, byte for byte, and nothing else
    (reading them is far cheaper than writing them again, and leaves every date unchanged)."""
    if not (out / MARKER).is_file():
        return False
    found = set()
    for folder, folders, names in os.walk(out):
        if any(os.path.islink(os.path.join(folder, name)) for name in folders + names):
            return False
        for name in names:
            found.add(os.path.relpath(os.path.join(folder, name), out).replace(os.sep, "/"))
    if found != files.keys() | copies.keys() | {MARKER}:
        return False
    try:
        return all((out / relative).read_bytes() == content for relative, content in files.items()) and \
            all(_same(out / relative, source) for relative, source in copies.items())
    except OSError:
        return False


def _same(target: Path, source: "Path | bytes") -> bool:
    if isinstance(source, bytes):
        return target.read_bytes() == source
    if os.path.samefile(target, source):  # the built file is a link to the cached picture
        return True
    return os.path.getsize(target) == os.path.getsize(source) and target.read_bytes() == source.read_bytes()


def _fill(staging: Path, files: dict[str, bytes], copies: dict[str, "Path | bytes"]) -> None:
    """Write the files; the staging folder must still be the one we made when we are done."""
    made = os.stat(staging).st_ino
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must read it
    for relative, content in sorted({**files, **copies}.items()):
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
            continue
        try:  # a drawn picture: a second name for the cache's read-only file, no bytes moved
            os.link(content, target)
        except OSError:  # another file system (or no hard links): the kernel copies it
            shutil.copyfile(content, target)
            os.chmod(target, 0o644)
    (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    if os.stat(staging).st_ino != made:  # removed and recreated under us: never publish a partial tree
        raise OSError(errno.ESTALE, "thư mục tạm bị xóa trong lúc ghi")


@contextlib.contextmanager
def _output_lock(out: Path, wait: bool, on_wait: Optional[Callable[[str], None]]) -> Iterator[None]:
    """Hold `.<out>.lock` beside the output while writing; removed when done.

    The kernel releases the lock of a build that dies. The file is unlinked while
    still locked, so a waiting build that then gets a lock on the unlinked file
    sees that the path no longer names it, and starts again on the new one.
    """
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = out.parent / f".{out.name}.lock"
    said = False
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise _refuse(out, f"không tạo được tệp khóa {path.name} ({exc.strerror})",
                          "kiểm tra quyền ghi vào thư mục chứa thư mục đầu ra") from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                if not wait:
                    raise Busy([error(Location(out), f"một bản dựng khác (tiến trình {holder}) đang ghi vào "
                                                     f"thư mục đầu ra này; không chờ vì có --no-wait",
                                      "chạy lại sau khi bản dựng kia xong, hoặc bỏ --no-wait để tự chờ")]) from None
                if on_wait is not None and not said:
                    on_wait(holder)
                    said = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            if not _names(path, fd):
                continue  # the holder removed it before we got it: take the new one
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            try:
                yield
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(path)
            return
        finally:
            os.close(fd)


def _names(path: Path, fd: int) -> bool:
    """`path` still names the open file `fd`."""
    try:
        here, there = os.stat(path, follow_symlinks=False), os.fstat(fd)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _remove_leftovers(out: Path) -> list[Problem]:
    """Staging and old folders a killed build left beside `out` (only ours, by name; under the lock)."""
    notes = []
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for stale in sorted(out.parent.glob(pattern)):
            if not _remove(stale):
                notes.append(_leftover_note(stale))
    return notes


def _leftover_note(path: Path) -> Problem:
    return note(Location(path), "không xóa được thư mục tạm này của một lần dựng trước",
                f"xóa tay thư mục {path} (có thể cần quyền của người tạo ra nó)")


def _remove(path: Path) -> bool:
    """Remove a tree of ours even where a folder was made read-only; True when it is gone."""
    def retry(func, name, *_):
        parent = os.path.dirname(name)
        with contextlib.suppress(OSError):
            os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, os.stat(name).st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)
            func(name)

    if not os.path.lexists(path):
        return True
    if os.path.islink(path):  # never follow a link planted under one of our names
        with contextlib.suppress(OSError):
            os.unlink(path)
        return not os.path.lexists(path)
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=retry)
    else:
        shutil.rmtree(path, onerror=retry)
    return not os.path.lexists(path)


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
