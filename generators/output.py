"""Where plaintext documents go: atomically, and never under the archive folder."""

from __future__ import annotations

from pathlib import Path

from archive import Archive, InvalidInput
from archive.files import describe_os_error, write_atomic

__all__ = ["check_outside", "write_output"]


def check_outside(archive: Archive, out: Path) -> None:
    """Plaintext documents never go under the archive folder, where everything is encrypted."""
    if out.resolve().is_relative_to(archive.root.resolve()):
        raise InvalidInput(f"文书是明文文件，不能写入档案库文件夹 {archive.root}；请用 --out 指定其他文件夹")


def write_output(path: Path, data: bytes) -> None:
    """Write ``path`` atomically, creating its folder; a failure is a message naming the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        raise InvalidInput(f"无法写入 {path}：{describe_os_error(exc)}") from exc
