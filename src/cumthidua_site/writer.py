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
    with staged(out, wait, on_wait) as staging:
        for relative, content in sorted({**files, **(copies or {})}.items()):
            staging.put(relative, content)
        changed = staging.commit()
    return staging.notes, changed


@contextlib.contextmanager
def staged(out: Path, wait: bool = True, on_wait: Optional[Callable[[str], None]] = None) -> Iterator["Staging"]:
    """A staging folder beside `out` to fill file by file while the site is rendered (never the
    whole site in memory), held under the output's lock; `commit()` swaps it into place. Whatever
    is not committed (an error, an exception) leaves `out` as it was."""
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
        try:
            root = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        except OSError as exc:
            raise _refuse(out, f"không tạo được thư mục đầu ra ({exc.strerror})",
                          "kiểm tra quyền ghi và dung lượng đĩa") from exc
        staging = Staging(out, root, notes)
        try:
            yield staging
        finally:
            if not _remove(root):  # after a swap it holds the old site
                notes.append(_leftover_note(root))


class Staging:
    """The next build, written file by file into a folder beside `out`.

    A file `out` already holds byte for byte is not written again: the staging folder gets a
    second name for the published file, so its date stays what it was (rsync and HTTP caches
    see nothing new). Until some file differs, even that waits: when none does and `out` holds
    nothing else, `commit()` leaves `out` as it is and nothing was written anywhere.
    """

    def __init__(self, out: Path, root: Path, notes: list[Problem]) -> None:
        self.out, self.root, self.notes = out, root, notes
        self.inode = os.stat(root).st_ino
        os.chmod(root, 0o755)  # mkdtemp makes it private; a web server must read it
        self.names: set[str] = set()
        self.sizes: dict[str, int] = {}
        self.differs = False  # some file is new, or not what `out` holds
        self.replacing = False  # files may be put again (a worker's, after it failed)
        self.waiting: dict[str, None] = {}  # files as `out` holds them, not yet linked into the staging folder
        self._folders: set[str] = {""}

    def put(self, relative: str, content: "Path | bytes") -> tuple[bool, int]:
        """One file: its bytes, or a file to link (a drawn picture in the cache, read-only).
        Returns whether `out` already held it, and its size."""
        with self._writing():
            return self._put(relative, content)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A failure to write the staging folder, said as such (the rendering's own are not)."""
        try:
            yield
        except OSError as exc:
            raise _refuse(self.out, f"không ghi được thư mục đầu ra ({exc.strerror}); trang cũ được giữ nguyên",
                          "kiểm tra quyền ghi và dung lượng đĩa") from exc

    def _put(self, relative: str, content: "Path | bytes") -> tuple[bool, int]:
        size = len(content) if isinstance(content, bytes) else os.path.getsize(content)
        published = self.out / relative
        same = _same(published, content)
        if self.replacing or relative in self.names:  # made again: the last one counts
            self.waiting.pop(relative, None)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.root / relative)
        if same and not self.differs:
            self.waiting[relative] = None
        elif not (same and self._link(published, relative)):
            target = self._target(relative)
            if isinstance(content, bytes):
                _write(target, content)
            elif not _link(content, target) and not _same_file(content, target):
                # another file system (or no hard links): the kernel copies it. (The same file is
                # there already when both processes of a build placed one picture.)
                shutil.copyfile(content, target)
                os.chmod(target, 0o644)
        self.record(relative, same, size)
        return same, size

    def record(self, relative: str, same: bool, size: int, waiting: bool = False) -> None:
        """A file put here, by this process or (`waiting`: not yet linked) by a worker of its build."""
        self.names.add(relative)
        self.sizes[relative] = size
        if waiting:
            self.waiting[relative] = None
        if not same and not self.differs:
            self.differs = True
            with self._writing():
                self.place_waiting()

    @property
    def size(self) -> int:
        return sum(self.sizes.values())

    def place_waiting(self) -> None:
        """Link the files found unchanged so far into the staging folder: the build is a new one."""
        for relative in self.waiting:
            if not self._link(self.out / relative, relative):
                _write(self._target(relative), (self.out / relative).read_bytes())
        self.waiting = {}

    def commit(self) -> bool:
        """Swap the staging folder into place; False (and nothing written) when `out` already
        holds exactly these files."""
        if not self.differs and _holds_only(self.out, self.names):
            return False
        with self._writing():
            self.place_waiting()
            (self.root / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            if os.stat(self.root).st_ino != self.inode:  # removed and recreated under us: never publish a partial tree
                raise OSError(errno.ESTALE, "thư mục tạm bị xóa trong lúc ghi")
            _swap(self.root, self.out)
        return True

    def _target(self, relative: str) -> Path:
        target = self.root / relative
        folder = relative.rpartition("/")[0]
        if folder not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return target

    def _link(self, published: Path, relative: str) -> bool:
        return _link(published, self._target(relative))


class Discard:
    """Where `check` renders: every file is made, then dropped. It renders like a build that
    writes (a large site on two cores, never held in memory whole) and keeps nothing."""

    def __init__(self) -> None:
        self.waiting: dict[str, None] = {}
        self.replacing = False

    def put(self, relative: str, content: "Path | bytes") -> tuple[bool, int]:
        return False, len(content) if isinstance(content, bytes) else 0

    def record(self, relative: str, same: bool, size: int, waiting: bool = False) -> None:
        """A worker's file: nothing to account for."""


def _write(target: Path, content: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target, follow_symlinks=False)
        return True
    except OSError:
        return False


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _same(published: Path, content: "Path | bytes") -> bool:
    """Whether `out` holds this file already, as a plain file with exactly these bytes."""
    try:
        found = os.lstat(published)
        if not stat.S_ISREG(found.st_mode):
            return False
        if isinstance(content, bytes):
            return found.st_size == len(content) and published.read_bytes() == content
        if os.path.samefile(published, content):  # the built file is a link to the cached picture
            return True
        return found.st_size == os.path.getsize(content) and published.read_bytes() == content.read_bytes()
    except OSError:
        return False


def _holds_only(out: Path, names: set[str]) -> bool:
    """Whether `out` is one of our builds holding these files (checked one by one already) and
    nothing else, with no link planted in it."""
    if not (out / MARKER).is_file():
        return False
    found = set()
    for folder, folders, files in os.walk(out):
        if any(os.path.islink(os.path.join(folder, name)) for name in folders + files):
            return False
        for name in files:
            found.add(os.path.relpath(os.path.join(folder, name), out).replace(os.sep, "/"))
    return found == names | {MARKER}


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
