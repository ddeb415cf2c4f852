"""Files on disk: crash-safe writes (temp file, fsync, rename, fsync the folder) and readable OS errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import BinaryIO

__all__ = ["PRIVATE_FILE", "create_private", "describe_os_error", "fsync_directory", "write_atomic"]

PRIVATE_FILE = 0o600

_ERRNO_TEXT = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "操作不被允许",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENOSPC: "磁盘空间已满",
    errno.EROFS: "文件系统只读",
    errno.EEXIST: "文件已存在",
}


def describe_os_error(exc: OSError) -> str:
    """A Chinese phrase for the common causes of a failed file operation."""
    return _ERRNO_TEXT.get(exc.errno or 0, exc.strerror or str(exc))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new content, never a mix."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with create_private(temp) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        fsync_directory(path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc  # name the file asked for, not the temp
    finally:
        temp.unlink(missing_ok=True)


def create_private(path: Path) -> BinaryIO:
    """Open a new file readable by its owner only (parents made private too), replacing a stale one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "wb")


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink inside ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
