"""Reading inputs safely: only regular files inside the data folder, never more than a limit.

A data folder may come from anywhere. A FIFO would block a read forever, a device
such as /dev/zero never ends, a symlink could publish a file from elsewhere on the
machine, a loop of symlinks has no end. Each is a located Vietnamese problem instead.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Optional

from .errors import Location, Problem, error

NAME_MAX = 255  # bytes in one path component on Linux, macOS and Windows file systems
PATH_MAX = 4096


def path_problem(path: Path, what: str, extra: int = 0) -> Optional[Problem]:
    """A problem when `path` cannot exist on this system: a name or the whole path too long.

    `extra` is room to keep in the last name, for names derived from it (a staging folder).
    """
    names = path.parts
    too_long = next((name for name in names if len(os.fsencode(name)) > NAME_MAX), None)
    if too_long is None and names and len(os.fsencode(names[-1])) + extra > NAME_MAX:
        too_long = names[-1]
    if too_long is not None:
        return error(Location(path), f"tên “{_short(too_long)}” trong đường dẫn {what} dài "
                                     f"{len(os.fsencode(too_long))} byte, quá giới hạn {NAME_MAX - extra} byte "
                                     f"của hệ thống tệp (chữ có dấu chiếm 2–3 byte mỗi chữ)",
                     "đặt tên thư mục ngắn hơn")
    if len(os.fsencode(str(path.absolute()))) + extra > PATH_MAX:
        return error(Location(path), f"đường dẫn {what} quá dài (tối đa {PATH_MAX} byte)",
                     "dùng một thư mục nằm gần thư mục gốc hơn")
    return None


def _short(name: str) -> str:
    return name if len(name) <= 40 else name[:37] + "…"


def read_within(path: Path, root: Path, limit: int) -> tuple[Optional[bytes], list[Problem]]:
    """The bytes of `path`, a regular file inside `root`, at most `limit` of them; or why not."""
    where = Location(path)
    long = path_problem(path, "tệp số liệu")
    if long is not None:
        return None, [long]
    try:
        real = Path(os.path.realpath(path, strict=True))
        inside = real.is_relative_to(Path(os.path.realpath(root)))
    except FileNotFoundError:
        return None, [error(where, "không tìm thấy tệp", "kiểm tra tên tệp và thư mục số liệu (--data)")]
    except (OSError, RuntimeError) as exc:
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            return None, [error(where, "tệp là một vòng liên kết (symlink) trỏ vòng quanh, không dẫn tới tệp nào",
                                "thay liên kết bằng tệp thật")]
        return None, [error(where, f"không đọc được tệp ({exc.strerror})", "kiểm tra quyền đọc tệp")]
    if not inside:
        return None, [error(where, f"tệp là liên kết (symlink) trỏ ra ngoài thư mục số liệu, tới {real}",
                            "chép tệp thật vào thư mục số liệu thay cho liên kết")]
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the
        # resolved path must not have become a link since it was checked.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        return None, [error(where, "đây là một thư mục, không phải tệp", f"cần một tệp tên {path.name} ở chỗ này")]
    except OSError as exc:
        return None, [error(where, f"không đọc được tệp ({exc.strerror})", "kiểm tra quyền đọc tệp")]
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return None, [error(where, "đây là một thư mục, không phải tệp",
                                f"cần một tệp tên {path.name} ở chỗ này")]
        if not stat.S_ISREG(info.st_mode):
            return None, [error(where, "đây không phải tệp thường (có thể là FIFO, socket hay thiết bị)",
                                "thay bằng một tệp văn bản thường")]
        if info.st_size > limit:
            return None, [_too_large(path, info.st_size, limit)]
        data = _read_at_most(fd, limit + 1)
    except OSError as exc:
        return None, [error(where, f"không đọc được tệp ({exc.strerror})", "kiểm tra quyền đọc tệp")]
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        return None, [_too_large(path, len(data), limit)]
    return data, []


def _read_at_most(fd: int, count: int) -> bytes:
    chunks, left = [], count
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _too_large(path: Path, size: int, limit: int) -> Problem:
    return error(Location(path, 1, 1), f"tệp quá lớn ({size // 1024} KB, tối đa {limit // 1024} KB)",
                 "tệp số liệu chỉ cần vài KB; kiểm tra xem có chép nhầm tệp khác vào không")
