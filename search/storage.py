"""An encrypted whoosh ``Storage``: every index file on disk is ciphertext, read chunk by chunk.

Why this exists: a search index holds the words of every record it covers, so it must
be as closed at rest as the records (DESIGN.md, security model).  Decrypting an index
whole at open is not an option either: at 100,000 records that costs 0.8–1.4 s and the
index's full size in RAM (DESIGN.md, measurement note).  So each index file is sealed
in authenticated 256 KiB chunks, and a reader decrypts and checks only the chunks
whoosh actually touches, keeping a few in a small LRU cache.

One index file, byte by byte (FORMAT.md gives the full description)::

    0    8   magic  b"XFIDX\\x00\\x01\\x00" (name, format version 1, reserved)
    8    4   chunk size, u32 big-endian (262144)
    12   4   reserved, zero
    16   68  key box: nonce(12) ‖ AES-256-GCM(file key(32) ‖ plaintext length u64 BE) ‖ tag(16)
             under HKDF(index key, "search index file key"); associated data: bytes 0–15 ‖ file name
    84   …   chunk i: nonce(12) ‖ AES-256-GCM(plaintext[i·256 KiB : (i+1)·256 KiB]) ‖ tag(16)
             under the file key; associated data: bytes 0–15 ‖ i u64 BE ‖ last-chunk flag u8 ‖ file name

Choices and the reasons for them:

- Each file has its own random key, wrapped by the level's index key with the file name
  bound in: a file renamed, copied over another, or opened with the wrong key fails at
  open.  The plaintext length sits in the key box, so ``file_length`` is authenticated,
  and a file whose size does not match it (truncated, extended) fails at open too.
- Chunk nonces are random (:func:`archive.crypto.seal`), not counters: whoosh's compound
  writer seeks back to patch the first bytes of a segment, so a chunk may be sealed twice.
- A file is written to a hidden temporary name, fsynced and renamed into place on close:
  a crash leaves no half file under its real name.  Hidden names (leading dot: temporary
  files and lock files) are never listed to whoosh.
- Readers have no ``fileno`` and the storage says ``supports_mmap = False``, so whoosh
  can neither map a file nor read around the decryption.
- ``temp_storage`` seals whoosh's temporary files (sorted posting runs, a segment's
  column streams before they are assembled) into unnamed files in the index folder,
  under a key that exists only in the writing process.  whoosh's stock storages write
  them in the clear, into the index folder or ``$TMPDIR``; keeping them in memory
  instead made a rebuild's memory grow with the archive (1.4 GiB at 20,000 records).
  Unnamed (``O_TMPFILE``), they vanish with the process, however it ends.
- ``rename_file`` re-encrypts the file under its new name (the name is bound in); whoosh
  renames only its small table-of-contents files.
- Locks are whoosh's own file locks (``fcntl.flock``), valid between processes.
"""

from __future__ import annotations

import io
import os
import secrets
import struct
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import Storage
from whoosh.filedb.structfile import StructFile
from whoosh.util.filelock import FileLock

from archive import crypto
from archive.errors import IntegrityError
from archive.files import PRIVATE_FILE, fsync_directory

from .errors import IndexCorrupted

__all__ = ["CHUNK_SIZE", "HEADER_SIZE", "MAGIC", "EncryptedStorage"]

MAGIC = b"XFIDX\x00\x01\x00"
CHUNK_SIZE = 256 * 1024
_FIXED = struct.Struct(">8sII")  # magic, chunk size, reserved (zero)
_FIXED_HEADER = _FIXED.pack(MAGIC, CHUNK_SIZE, 0)
_LENGTH = struct.Struct(">Q")
_CHUNK_TAIL = struct.Struct(">QB")  # chunk number, last-chunk flag
_OVERHEAD = crypto.NONCE_SIZE + crypto.TAG_SIZE
HEADER_SIZE = _FIXED.size + _OVERHEAD + crypto.KEY_SIZE + _LENGTH.size
_SLOT = CHUNK_SIZE + _OVERHEAD
_WRAP_PURPOSE = "search index file key"

ChunkCallback = Callable[[str, int], None]


def _chunk_count(length: int) -> int:
    return max(1, -(-length // CHUNK_SIZE))


def _sealed_size(length: int) -> int:
    """The size on disk of a file holding ``length`` plaintext bytes."""
    count = _chunk_count(length)
    return HEADER_SIZE + (count - 1) * _SLOT + _OVERHEAD + length - (count - 1) * CHUNK_SIZE


def _chunk_associated(index: int, last: bool, name: bytes) -> bytes:
    return _FIXED_HEADER + _CHUNK_TAIL.pack(index, 1 if last else 0) + name


def _check_name(name: str) -> None:
    if not name or name.startswith(".") or any(c in name for c in "/\\\x00"):
        raise ValueError(f"索引文件名不合法：{name!r}")


class EncryptedStorage(Storage):  # type: ignore[misc]  # whoosh is untyped
    """A folder of index files, each encrypted under its own key wrapped by ``key``.

    ``on_decrypt(name, chunk_number)`` is called after each chunk a reader decrypts (for
    measurements and tests); ``cache_chunks`` is how many decrypted chunks each open file keeps.
    """

    supports_mmap = False
    readonly = False

    def __init__(
        self, folder: Path, key: bytes, *, cache_chunks: int = 8, on_decrypt: ChunkCallback | None = None
    ) -> None:
        if len(key) != crypto.KEY_SIZE:
            raise ValueError("索引密钥必须是 32 字节")
        self.folder = Path(folder)
        self._wrap_key = crypto.derive_subkey(key, _WRAP_PURPOSE)
        self._cache_chunks = max(1, cache_chunks)
        self._on_decrypt = on_decrypt
        self._headers: dict[str, tuple[tuple[int, int, int], bytes, int]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.folder)!r})"

    def _path(self, name: str) -> Path:
        _check_name(name)
        return self.folder / name

    # -- the folder --------------------------------------------------------------------

    def create(self) -> EncryptedStorage:
        self.folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # index/ too: private, as every folder
        self.folder.mkdir(mode=0o700, exist_ok=True)
        return self

    def destroy(self, *args: Any, **kwargs: Any) -> None:
        """Remove every file of this storage (temporary and lock files too), then the folder."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.is_file():
                entry.unlink(missing_ok=True)
        self._headers.clear()
        self.folder.rmdir()

    def list(self) -> list[str]:
        try:
            with os.scandir(self.folder) as entries:
                return [e.name for e in entries if not e.name.startswith(".") and e.is_file()]
        except FileNotFoundError:
            return []

    def file_exists(self, name: str) -> bool:
        try:
            return self._path(name).is_file()
        except ValueError:
            return False

    def file_modified(self, name: str) -> float:
        return os.path.getmtime(self._path(name))

    def file_length(self, name: str) -> int:
        """The plaintext length, read from the authenticated header."""
        with open(self._path(name), "rb") as handle:
            return self._read_header(name, handle)[1]

    def delete_file(self, name: str) -> None:
        os.remove(self._path(name))
        self._headers.pop(name, None)

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        """Re-encrypt ``oldname`` under ``newname`` (the name is bound in), then delete the old file."""
        if safe and self.file_exists(newname):
            raise NameError(f"File {newname!r} exists")
        source = self._open_reader(oldname)
        target = _ChunkWriter(self, newname)
        try:
            while block := source.read(CHUNK_SIZE):
                target.write(block)
        except BaseException:
            target.abort()
            raise
        finally:
            source.close()
        target.close()
        self.delete_file(oldname)

    def lock(self, name: str) -> FileLock:
        """A lock between processes: ``fcntl.flock`` on a hidden empty file, as whoosh's FileStorage does."""
        _check_name(name)
        return FileLock(str(self.folder / f".{name}.lock"))

    def temp_storage(self, name: str | None = None) -> Storage:
        """Sealed, unnamed files beside the index: whoosh's temporary files hold plaintext postings."""
        return _SpillStorage(self.folder)

    # -- files -------------------------------------------------------------------------

    def create_file(self, name: str, **kwargs: Any) -> StructFile:
        """A new file, written encrypted chunk by chunk; it appears under ``name`` only when closed."""
        return StructFile(_ChunkWriter(self, name), name=name)

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        """An existing file for random access; raises IndexCorrupted if its header fails a check."""
        return _SealedFile(self._open_reader(name), name=name)

    def _open_reader(self, name: str) -> _ChunkReader:
        handle = open(self._path(name), "rb")
        try:
            file_key, length = self._read_header(name, handle)
        except BaseException:
            handle.close()
            raise
        return _ChunkReader(handle, name, file_key, length, self._cache_chunks, self._on_decrypt)

    def _read_header(self, name: str, handle: io.BufferedReader) -> tuple[bytes, int]:
        status = os.fstat(handle.fileno())
        signature = (status.st_ino, status.st_size, status.st_mtime_ns)
        cached = self._headers.get(name)
        if cached is not None and cached[0] == signature:
            return cached[1], cached[2]
        handle.seek(0)
        header = handle.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE:
            raise IndexCorrupted(f"索引文件 {name} 的文件头不完整（文件被截断）")
        magic, chunk_size, reserved = _FIXED.unpack_from(header)
        if magic != MAGIC:
            if magic[:6] == MAGIC[:6]:
                raise IndexCorrupted(f"索引文件 {name} 的格式版本 {magic[6]} 未知（本程序只认版本 1）")
            raise IndexCorrupted(f"索引文件 {name} 不是 xinfang 的加密索引文件")
        if chunk_size != CHUNK_SIZE or reserved != 0:
            raise IndexCorrupted(f"索引文件 {name} 的文件头被篡改")
        try:
            opened = crypto.open_sealed(
                self._wrap_key, header[_FIXED.size :], _FIXED_HEADER + name.encode(), f"索引文件 {name} 的密钥"
            )
        except IntegrityError as exc:
            raise IndexCorrupted(
                f"索引文件 {name} 未通过认证：被篡改、损坏、改名或被别的文件替换，或者所用的索引密钥不对"
            ) from exc
        file_key, length = opened[: crypto.KEY_SIZE], _LENGTH.unpack(opened[crypto.KEY_SIZE :])[0]
        if status.st_size != _sealed_size(length):
            raise IndexCorrupted(f"索引文件 {name} 的长度与文件头不符：被截断或被加长")
        self._headers[name] = (signature, file_key, length)
        return file_key, length

    def _forget(self, name: str) -> None:
        self._headers.pop(name, None)


class _SpillStorage(Storage):  # type: ignore[misc]
    """whoosh's temporary files, each an unnamed file sealed chunk by chunk under a key of its own.

    The keys are random and never leave the process, so the files need no name, no
    header and no durability: they are read back by the writer that made them, or lost.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, _Spill] = {}

    def create_file(self, name: str, **kwargs: Any) -> StructFile:
        self.delete_file(name)
        spill = self._files[name] = _Spill(self.folder)
        return StructFile(io.BufferedRandom(_SpillHandle(spill, name), CHUNK_SIZE), name=name)

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        return StructFile(io.BufferedReader(_SpillHandle(self._files[name], name), CHUNK_SIZE), name=name)

    def file_exists(self, name: str) -> bool:
        return name in self._files

    def file_length(self, name: str) -> int:
        return self._files[name].length

    def list(self) -> list[str]:
        return list(self._files)

    def delete_file(self, name: str) -> None:
        spill = self._files.pop(name, None)
        if spill is not None:
            spill.discard()

    def temp_storage(self, name: str | None = None) -> Storage:
        return _SpillStorage(self.folder)

    def destroy(self, *args: Any, **kwargs: Any) -> None:
        for name in list(self._files):
            self.delete_file(name)


class _Spill:
    """One temporary file's bytes: written front to back, then read.

    Full chunks are sealed to the unnamed file as they fill; the last is held in memory
    until the first read seals it too, after which the file takes no more writes.
    """

    def __init__(self, folder: Path) -> None:
        self._file = tempfile.TemporaryFile(dir=folder, prefix=".spill-")
        self._key = crypto.random_key()
        self._tail = bytearray()
        self._sealed = 0  # chunks on disk
        self._finished = False
        self.length = 0

    def append(self, view: memoryview) -> None:
        if self._finished:
            raise io.UnsupportedOperation("建索引用的临时文件已开始读取，不能再写")
        while len(view):
            count = min(len(view), CHUNK_SIZE - len(self._tail))
            self._tail += view[:count]
            self.length += count
            view = view[count:]
            if len(self._tail) == CHUNK_SIZE:
                self._seal_tail()

    def _seal_tail(self) -> None:
        index = self._sealed
        sealed = crypto.seal(self._key, bytes(self._tail), index.to_bytes(8, "big"))
        os.pwrite(self._file.fileno(), sealed, index * _SLOT)
        self._sealed, self._tail = index + 1, bytearray()

    def finish(self) -> None:
        """Writing is over: seal what is left, so that reads come from the file alone."""
        if not self._finished:
            if self._tail:
                self._seal_tail()
            self._finished = True

    def chunk(self, index: int) -> bytes:
        self.finish()
        sealed = os.pread(self._file.fileno(), _SLOT, index * _SLOT)
        try:
            return crypto.open_sealed(self._key, sealed, index.to_bytes(8, "big"), "")
        except IntegrityError as exc:
            raise IndexCorrupted("建索引用的临时文件被改动或损坏") from exc

    def discard(self) -> None:
        self._file.close()


def _fill(buffer: Any, read: Callable[[int], bytes]) -> int:
    """``readinto`` over ``read``: pickle and marshal read through it."""
    target = memoryview(buffer).cast("B")
    data = read(len(target))
    target[: len(data)] = data
    return len(data)


class _Seekable:
    """The file position the sealed-file objects keep over their plaintext: ``seek``, ``tell``, and how far a read goes."""

    name: str
    _position: int
    _length: int

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._length}[whence]
        if base + offset < 0:
            raise ValueError(f"索引文件 {self.name}：定位到文件开头之前")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position

    def _span(self, size: int | None) -> int:
        """How many bytes a read of ``size`` takes from the position: all that is left for None or a negative size."""
        left = max(0, self._length - self._position)
        return left if size is None or size < 0 else min(size, left)


class _ChunkReader(_Seekable):
    """A read-only, seekable file over the sealed chunks; decrypts on demand, keeps a few in an LRU cache.

    Deliberately no ``fileno``: whoosh then neither memory-maps the file nor reads it raw.
    """

    def __init__(
        self,
        handle: io.BufferedReader,
        name: str,
        file_key: bytes,
        length: int,
        cache_chunks: int,
        on_decrypt: ChunkCallback | None,
    ) -> None:
        self.name = name
        self._handle = handle
        self._key = file_key
        self._name_bytes = name.encode()
        self._length = length
        self._last = _chunk_count(length) - 1
        self._position = 0
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._cache_chunks = cache_chunks
        self._on_decrypt = on_decrypt
        self._current_index = -1
        self._current = b""
        self.closed = False

    def _chunk(self, index: int) -> bytes:
        if index == self._current_index:
            return self._current
        chunk = self._cache.get(index)
        if chunk is None:
            chunk = self._decrypt(index)
            self._cache[index] = chunk
            if len(self._cache) > self._cache_chunks:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(index)
        self._current_index, self._current = index, chunk
        return chunk

    def _decrypt(self, index: int) -> bytes:
        if self.closed:
            raise ValueError(f"索引文件 {self.name} 已关闭")
        last = index == self._last
        size = _OVERHEAD + (self._length - index * CHUNK_SIZE if last else CHUNK_SIZE)
        self._handle.seek(HEADER_SIZE + index * _SLOT)
        sealed = self._handle.read(size)
        if len(sealed) != size:
            raise IndexCorrupted(f"索引文件 {self.name} 的第 {index + 1} 块不完整（文件被截断）")
        try:
            plain = crypto.open_sealed(self._key, sealed, _chunk_associated(index, last, self._name_bytes), "")
        except IntegrityError as exc:
            raise IndexCorrupted(f"索引文件 {self.name} 的第 {index + 1} 块未通过认证：被篡改或损坏") from exc
        if self._on_decrypt is not None:
            self._on_decrypt(self.name, index)
        return plain

    def get(self, position: int, size: int) -> bytes:
        """``size`` bytes from ``position`` (fewer at the end), leaving the position after them."""
        index, offset = divmod(position, CHUNK_SIZE)
        end = offset + size
        if 0 < size and position + size <= self._length and end <= CHUNK_SIZE:
            self._position = position + size
            return self._chunk(index)[offset:end]
        self.seek(position)
        return self.read(size)

    def read(self, size: int | None = -1) -> bytes:
        size = self._span(size)
        if size == 0:
            return b""
        index, offset = divmod(self._position, CHUNK_SIZE)
        chunk = self._chunk(index)
        if offset + size <= len(chunk):
            self._position += size
            return chunk[offset : offset + size]
        parts = []
        while size > 0:
            index, offset = divmod(self._position, CHUNK_SIZE)
            piece = self._chunk(index)[offset : offset + size]
            parts.append(piece)
            self._position += len(piece)
            size -= len(piece)
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        return _fill(buffer, self.read)

    def readline(self, size: int | None = -1) -> bytes:
        limit = self._span(size)
        parts = []
        while limit > 0:
            index, offset = divmod(self._position, CHUNK_SIZE)
            chunk = self._chunk(index)
            end = min(len(chunk), offset + limit)
            newline = chunk.find(b"\n", offset, end)
            if newline >= 0:
                end = newline + 1
            parts.append(chunk[offset:end])
            self._position += end - offset
            limit -= end - offset
            if newline >= 0:
                break
        return b"".join(parts)

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
            self._cache.clear()
            self._current_index, self._current = -1, b""
            self.closed = True


class _Window(_Seekable):
    """A file within a file (a compound segment's part), as whoosh's SubFile, with ``get`` passed straight through."""

    def __init__(self, parent: _ChunkReader | _Window, offset: int, length: int, name: str) -> None:
        self.name = name
        self._parent = parent
        self._offset = offset
        self._length = length
        self._position = 0
        self.closed = False

    def get(self, position: int, size: int) -> bytes:
        size = max(0, min(size, self._length - position))
        self._position = position + size
        return self._parent.get(self._offset + position, size)

    def read(self, size: int | None = -1) -> bytes:
        return self.get(self._position, self._span(size))

    def readinto(self, buffer: Any) -> int:
        return _fill(buffer, self.read)

    def readline(self, size: int | None = -1) -> bytes:
        self._parent.seek(self._offset + self._position)
        line = self._parent.readline(self._span(size))
        self._position += len(line)
        return line

    def close(self) -> None:
        self.closed = True  # the parent file is the compound storage's to close


class _SealedFile(StructFile):  # type: ignore[misc]
    """whoosh's StructFile, minus two layers on the path every index read takes.

    whoosh reads an index mostly as ``get(position, length)`` on a part of a compound
    segment; through its stock SubFile each such read is a seek and a read on the part,
    then on the whole file: six Python calls where one will do.
    """

    def get(self, position: int, length: int) -> bytes:
        return self.file.get(position, length)  # type: ignore[no-any-return]

    def subset(self, offset: int, length: int, name: str | None = None) -> _SealedFile:
        name = name or self._name
        return _SealedFile(_Window(self.file, offset, length, name), name=name)


class _ChunkWriter(_Seekable):
    """A seekable, write-only file: fills one chunk in memory, seals it when writing moves past it.

    Writing back into a chunk already sealed (whoosh patches a segment's first bytes)
    decrypts it from the temporary file and seals it again with a fresh nonce.
    """

    def __init__(self, storage: EncryptedStorage, name: str) -> None:
        self.name = name
        self._storage = storage
        self._path = storage._path(name)
        self._name_bytes = name.encode()
        self._temp = self._path.with_name(f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        fd = os.open(self._temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        self._handle = os.fdopen(fd, "r+b")
        self._key = crypto.random_key()
        self._sealed: dict[int, int] = {}  # chunk number -> plaintext length sealed in the temporary file
        self._index = 0
        self._buffer = bytearray()
        self._dirty = False
        self._position = 0
        self._length = 0
        self.closed = False

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if self._position > self._length:  # a seek past the end: the gap reads as zeros, as in a file
            target, self._position = self._position, self._length
            self._put(memoryview(bytes(target - self._length)))
        self._put(view)
        return len(view)

    def _put(self, view: memoryview) -> None:
        while len(view):
            index, offset = divmod(self._position, CHUNK_SIZE)
            if index != self._index:
                self._switch(index)
            count = min(len(view), CHUNK_SIZE - offset)
            self._buffer[offset : offset + count] = view[:count]
            self._dirty = True
            self._position += count
            self._length = max(self._length, self._position)
            view = view[count:]

    def _switch(self, index: int) -> None:
        if self._dirty:
            self._seal(last=False)
        self._index = index
        length = self._sealed.get(index)
        if length is None:
            self._buffer = bytearray()
            return
        self._handle.seek(HEADER_SIZE + index * _SLOT)
        sealed = self._handle.read(_OVERHEAD + length)
        try:
            plain = crypto.open_sealed(self._key, sealed, _chunk_associated(index, False, self._name_bytes), "")
        except IntegrityError as exc:
            raise IndexCorrupted(f"索引文件 {self.name} 写入时临时文件损坏") from exc
        self._buffer = bytearray(plain)

    def _seal(self, last: bool) -> None:
        sealed = crypto.seal(self._key, bytes(self._buffer), _chunk_associated(self._index, last, self._name_bytes))
        self._handle.seek(HEADER_SIZE + self._index * _SLOT)
        self._handle.write(sealed)
        self._sealed[self._index] = len(self._buffer)
        self._dirty = False

    def read(self, size: int = -1) -> bytes:
        raise io.UnsupportedOperation(f"索引文件 {self.name} 正在写入，不能读")

    def flush(self) -> None:
        """Nothing to do: data reaches the disk sealed, and durably on close."""

    def close(self) -> None:
        """Seal the last chunk and the header, fsync, and rename the file into place."""
        if self.closed:
            return
        try:
            final = _chunk_count(self._length) - 1
            if self._index != final:
                self._switch(final)
            self._seal(last=True)
            self._handle.truncate(_sealed_size(self._length))
            box = crypto.seal(
                self._storage._wrap_key, self._key + _LENGTH.pack(self._length), _FIXED_HEADER + self._name_bytes
            )
            self._handle.seek(0)
            self._handle.write(_FIXED_HEADER + box)
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            os.replace(self._temp, self._path)
        except BaseException:
            self.abort()
            raise
        self.closed = True
        self._buffer = bytearray()
        self._storage._forget(self.name)
        fsync_directory(self._path.parent)

    def abort(self) -> None:
        """Give up: the temporary file goes, nothing appears under the real name."""
        self.closed = True
        self._buffer = bytearray()
        self._handle.close()
        self._temp.unlink(missing_ok=True)


class _SpillHandle(io.RawIOBase):
    """A position in a spill file, under one of io's C buffers: whoosh's posting pool reads runs an item at a time."""

    def __init__(self, spill: _Spill, name: str) -> None:
        super().__init__()
        self.name = name
        self._spill = spill
        self._position = 0
        self._current_index, self._current = -1, b""

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._spill.length}[whence]
        if base + offset < 0:
            raise ValueError("建索引用的临时文件：定位到文件开头之前")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if self._position != self._spill.length:
            raise io.UnsupportedOperation("建索引用的临时文件只能从头到尾顺序写")
        self._spill.append(view)
        self._position = self._spill.length
        return len(view)

    def readinto(self, buffer: Any) -> int:
        if self._position >= self._spill.length:
            return 0
        index, offset = divmod(self._position, CHUNK_SIZE)
        if index != self._current_index:
            self._current_index, self._current = index, self._spill.chunk(index)
        target = memoryview(buffer).cast("B")
        count = min(len(target), len(self._current) - offset)
        target[:count] = self._current[offset : offset + count]
        self._position += count
        return count

    def close(self) -> None:
        self._spill.finish()
        self._current_index, self._current = -1, b""
        super().close()
