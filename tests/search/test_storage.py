"""The encrypted whoosh storage: real indexes round-trip, nothing reaches disk in the clear,
files are read chunk by chunk, and every kind of damage raises IndexCorrupted.

One index of a few thousand documents is built once per module (with ``TMPDIR`` and
``tempfile.tempdir`` pointed at an empty folder); tests that damage or extend it work on
a copy.
"""

from __future__ import annotations

import marshal
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from whoosh import analysis, fields
from whoosh.index import LockError
from whoosh.query import And, Term

from archive import crypto
from search import storage as storage_module
from search.errors import IndexCorrupted
from search.storage import CHUNK_SIZE, HEADER_SIZE, EncryptedStorage

SLOT = CHUNK_SIZE + crypto.NONCE_SIZE + crypto.TAG_SIZE
WORDS = ["张秀兰", "挪用扶贫款", "违规发放补贴", "李家湾村委会"]
COMMON = (
    "的一是在不了有和人这中大为上个我以要他时来们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
    "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好开它"
)
FILLER = "".join(c for c in dict.fromkeys(COMMON) if c not in "".join(WORDS))[:80]
DOCUMENTS = 2000
SCHEMA = fields.Schema(
    id=fields.ID(stored=True, unique=True),
    body=fields.TEXT(analyzer=analysis.NgramAnalyzer(2), stored=True),
)


def _body(rng: random.Random, number: int) -> str:
    text = "".join(rng.choice(FILLER) for _ in range(60))
    planted = [word for k, word in enumerate(WORDS) if number % 400 == 13 * k + 1]
    return text[:30] + "".join(planted) + text[30:]


def _expected(word: str, count: int = DOCUMENTS) -> list[str]:
    k = WORDS.index(word)
    return [str(n) for n in range(count) if n % 400 == 13 * k + 1]


def _query(word: str) -> And:
    return And([Term("body", word[i : i + 2]) for i in range(len(word) - 1)])


def _search(storage: EncryptedStorage, word: str) -> list[str]:
    with storage.open_index().searcher() as searcher:
        return sorted((hit["id"] for hit in searcher.search(_query(word), limit=None)), key=int)


def _add_documents(storage: EncryptedStorage, numbers: range, **commit: bool) -> None:
    rng = random.Random(numbers.start)
    writer = storage.open_index().writer()
    for number in numbers:
        writer.add_document(id=str(number), body=_body(rng, number))
    writer.commit(**commit)


def _scan_for_words(folder: Path) -> list[str]:
    """Every indexed word, or filler run, found in any file under ``folder``, in UTF-8 or UTF-16."""
    rng = random.Random(7)
    needles = WORDS + ["".join(rng.choice(FILLER) for _ in range(4)) for _ in range(50)]
    found = []
    for path in (p for p in folder.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        for word in needles:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if word.encode(encoding) in raw:
                    found.append(f"{word} ({encoding}) in {path.name}")
    return found


@dataclass(frozen=True)
class Built:
    folder: Path
    key: bytes
    tmpdir: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    base = tmp_path_factory.mktemp("built")
    tmpdir = base / "tmpdir"
    tmpdir.mkdir()
    key = crypto.random_key()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(tmpdir))
        patch.setattr(tempfile, "tempdir", str(tmpdir))
        storage = EncryptedStorage(base / "index", key).create()
        storage.create_index(SCHEMA)
        _add_documents(storage, range(DOCUMENTS))
    yield Built(base / "index", key, tmpdir)


@pytest.fixture
def copy(built: Built, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built.folder, tmp_path / "index"))


def _segment(folder: Path) -> Path:
    return max(folder.iterdir(), key=lambda p: p.stat().st_size)


def _flip(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


# -- files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 8, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 7])
def test_files_round_trip_at_chunk_edges_with_a_patched_start(tmp_path: Path, size: int) -> None:
    storage = EncryptedStorage(tmp_path, crypto.random_key()).create()
    data = random.Random(size).randbytes(size)
    out = storage.create_file("MAIN_test.bin")
    out.write_long(0)
    for start in range(0, size, 100_003):
        out.write(data[start : start + 100_003])
    out.seek(0)
    out.write_long(-42)  # whoosh's compound writer patches the first bytes last
    out.close()
    assert storage.file_length("MAIN_test.bin") == size + 8
    assert os.path.getsize(tmp_path / "MAIN_test.bin") > size + HEADER_SIZE
    whole = b"\xff" * 7 + b"\xd6" + data
    with storage.open_file("MAIN_test.bin") as back:
        assert back.read_long() == -42
        assert back.read() == data
        for offset in random.Random(1).sample(range(size + 8), min(size + 8, 20)):
            assert back.get(offset, 50) == whole[offset : offset + 50]
        assert back.get(size + 8, 0) == back.get(size + 8, 10) == b""
        part = back.subset(5, size + 3)  # as a compound segment opens its parts
        assert part.read() == whole[5:]
        for offset in random.Random(2).sample(range(size + 3), min(size + 3, 20)):
            assert part.get(offset, 50) == whole[5 + offset : 5 + offset + 50]
            assert part.subset(offset, 9).read() == whole[5 + offset : 5 + offset + 9]
        assert not hasattr(back.raw_file(), "fileno")  # whoosh cannot mmap or read around us
    assert storage.supports_mmap is False


def test_readers_keep_recent_chunks_in_a_small_cache(tmp_path: Path) -> None:
    seen: list[int] = []
    storage = EncryptedStorage(tmp_path, crypto.random_key(), cache_chunks=2, on_decrypt=lambda _, n: seen.append(n))
    with storage.create().create_file("MAIN_cache.bin") as out:
        out.write(bytes(3 * CHUNK_SIZE))
    with storage.open_file("MAIN_cache.bin") as back:
        for chunk in (0, 1, 0, 0, 2, 0, 1):
            back.get(chunk * CHUNK_SIZE + 5, 1)
    assert seen == [0, 1, 2, 1]


def test_a_crash_while_writing_leaves_no_file_under_its_name(tmp_path: Path) -> None:
    storage = EncryptedStorage(tmp_path, crypto.random_key()).create()
    out = storage.create_file("MAIN_crash.seg")
    out.write(WORDS[0].encode() * 200_000)  # more than a chunk: some of it is on disk already
    assert not storage.file_exists("MAIN_crash.seg")
    assert storage.list() == []
    assert _scan_for_words(tmp_path) == []  # the hidden temporary file holds ciphertext only
    out.raw_file().abort()
    assert list(tmp_path.iterdir()) == []


def test_renaming_re_encrypts_under_the_new_name(tmp_path: Path) -> None:
    storage = EncryptedStorage(tmp_path, crypto.random_key()).create()
    with storage.create_file("_MAIN_1.toc.123") as out:
        out.write(b"table of contents")
    storage.rename_file("_MAIN_1.toc.123", "_MAIN_1.toc", safe=True)
    assert storage.list() == ["_MAIN_1.toc"]
    with storage.open_file("_MAIN_1.toc") as back:
        assert back.read() == b"table of contents"
    with storage.create_file("other") as out:
        out.write(b"x")
    with pytest.raises(NameError):
        storage.rename_file("other", "_MAIN_1.toc", safe=True)


@pytest.fixture
def spilled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder that keeps every temporary file whoosh spills, so the test can read what reached the disk."""
    kept = tmp_path / "spilled"
    kept.mkdir()
    monkeypatch.setattr(storage_module.tempfile, "TemporaryFile",
                        lambda **_: tempfile.NamedTemporaryFile(dir=kept, delete=False))
    return kept


def test_temporary_files_are_sealed_and_read_back(tmp_path: Path, spilled: Path) -> None:
    items = [("body", word.encode(), number, 1.0, None) for number, word in enumerate(WORDS * 30_000)]
    temp = EncryptedStorage(tmp_path / "index", crypto.random_key()).create().temp_storage("MAIN.tmp")
    for storage in (temp, temp.temp_storage("nested")):
        with storage.create_file("run").raw_file() as run:  # as whoosh's posting pool writes a sorted run
            for item in items:
                marshal.dump(item, run, 2)
        with storage.open_file("run").raw_file() as run:
            assert [marshal.load(run) for _ in items] == items
            with pytest.raises(EOFError):
                marshal.load(run)
        assert storage.file_length("run") > CHUNK_SIZE
    assert list((tmp_path / "index").iterdir()) == []
    assert _scan_for_words(spilled) == []
    assert sum(p.stat().st_size for p in spilled.iterdir()) > 2 * CHUNK_SIZE


def test_a_segment_too_large_for_the_posting_pool_spills_sealed_runs(tmp_path: Path, spilled: Path) -> None:
    storage = EncryptedStorage(tmp_path / "index", crypto.random_key()).create()
    index = storage.create_index(SCHEMA)
    writer = index.writer(limitmb=1)
    rng = random.Random(0)
    for number in range(DOCUMENTS):
        writer.add_document(id=str(number), body=_body(rng, number))
    writer.commit()
    assert len(list(spilled.iterdir())) > 3  # sorted runs and the segment's column streams
    assert _scan_for_words(spilled) == []
    for word in WORDS:
        assert _search(storage, word) == _expected(word)
    assert sorted(p.name for p in (tmp_path / "index").iterdir() if p.name.startswith(".")) == [".MAIN_WRITELOCK.lock"]


# -- a real index --------------------------------------------------------------------------


def test_a_reopened_index_finds_exactly_the_documents_with_each_word(built: Built) -> None:
    storage = EncryptedStorage(built.folder, built.key)
    for word in WORDS:
        assert _search(storage, word) == _expected(word)
    with storage.open_index().searcher() as searcher:
        assert searcher.doc_count() == DOCUMENTS


def test_no_indexed_word_reaches_the_folder_or_the_temporary_folder(built: Built) -> None:
    assert _scan_for_words(built.folder) == []
    assert list(built.tmpdir.iterdir()) == []
    assert sorted(p.name for p in built.folder.iterdir() if p.name.startswith(".")) == [".MAIN_WRITELOCK.lock"]


def test_opening_and_searching_decrypt_only_the_chunks_touched(built: Built) -> None:
    seen: list[tuple[str, int]] = []
    storage = EncryptedStorage(
        built.folder, built.key, cache_chunks=64, on_decrypt=lambda name, number: seen.append((name, number))
    )
    chunks = (_segment(built.folder).stat().st_size - HEADER_SIZE) // SLOT + 1
    assert chunks >= 10
    with storage.open_index().searcher() as searcher:
        opening = len(seen)
        hits = [hit["id"] for hit in searcher.search(_query(WORDS[1]), limit=None)]
    assert sorted(hits, key=int) == _expected(WORDS[1])
    assert opening <= chunks // 2  # the table of contents (read twice) and a few chunks: never the whole segment
    assert len(seen) < chunks + 2
    assert len(seen) == len(set(seen)) + 1  # the table of contents is opened twice; nothing else is decrypted twice


def test_an_incremental_commit_with_a_merge_works_and_leaves_no_plaintext(
    copy: Path, built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    storage = EncryptedStorage(copy, built.key)
    _add_documents(storage, range(DOCUMENTS, DOCUMENTS + 200), optimize=True)
    with storage.open_index().searcher() as searcher:
        assert searcher.doc_count() == DOCUMENTS + 200
    assert len(list(copy.glob("*.seg"))) == 1
    for word in WORDS:
        assert _search(storage, word) == _expected(word, DOCUMENTS + 200)
    assert _scan_for_words(copy) == []
    assert list(tmpdir.iterdir()) == []


# -- damage --------------------------------------------------------------------------------


def test_a_flipped_byte_in_the_header_fails_at_open(copy: Path, built: Built) -> None:
    segment = _segment(copy)
    _flip(segment, 40)
    with pytest.raises(IndexCorrupted, match=segment.name):
        EncryptedStorage(copy, built.key).open_index().searcher()


def test_a_flipped_byte_in_a_chunk_fails_when_the_search_reads_it(copy: Path, built: Built) -> None:
    seen: list[int] = []
    storage = EncryptedStorage(copy, built.key, on_decrypt=lambda name, number: seen.append(number))
    _search(storage, WORDS[2])
    segment = _segment(copy)
    middle = sorted(set(seen))[len(set(seen)) // 2]
    assert middle > 0
    _flip(segment, HEADER_SIZE + middle * SLOT + 100)
    with pytest.raises(IndexCorrupted, match=rf"{segment.name} 的第 {middle + 1} 块"):
        _search(EncryptedStorage(copy, built.key), WORDS[2])


@pytest.mark.parametrize("cut", [1, SLOT])
def test_a_truncated_file_fails_at_open(copy: Path, built: Built, cut: int) -> None:
    segment = _segment(copy)
    os.truncate(segment, segment.stat().st_size - cut)
    with pytest.raises(IndexCorrupted, match=f"{segment.name} 的长度"):
        EncryptedStorage(copy, built.key).open_index().searcher()


def test_a_file_put_in_place_of_another_fails_at_open(tmp_path: Path) -> None:
    key = crypto.random_key()
    storage = EncryptedStorage(tmp_path, key).create()
    storage.create_index(SCHEMA)
    _add_documents(storage, range(0, 20), merge=False)
    _add_documents(storage, range(20, 40), merge=False)
    first, second = sorted(tmp_path.glob("*.seg"), key=lambda p: p.stat().st_mtime_ns)
    shutil.copyfile(first, second)  # an older segment put in place of a newer one
    with pytest.raises(IndexCorrupted, match=second.name):
        storage.open_index().searcher()


def test_the_wrong_key_fails_at_open(built: Built) -> None:
    with pytest.raises(IndexCorrupted, match=r"_MAIN_1\.toc .*密钥不对"):
        EncryptedStorage(built.folder, crypto.random_key()).open_index()


# -- locks ---------------------------------------------------------------------------------


def test_a_second_writer_is_refused(copy: Path, built: Built) -> None:
    index = EncryptedStorage(copy, built.key).open_index()
    writer = index.writer()
    try:
        with pytest.raises(LockError):
            EncryptedStorage(copy, built.key).open_index().writer()
    finally:
        writer.cancel()


def test_locks_hold_between_processes(tmp_path: Path) -> None:
    key = crypto.random_key()
    lock = EncryptedStorage(tmp_path, key).create().lock("MAIN_WRITELOCK")
    probe = (
        "import sys; from pathlib import Path; from search.storage import EncryptedStorage; "
        "print(EncryptedStorage(Path(sys.argv[1]), bytes.fromhex(sys.argv[2])).lock('MAIN_WRITELOCK').acquire())"
    )

    def other_process_gets_it() -> bool:
        command = [sys.executable, "-c", probe, str(tmp_path), key.hex()]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
        return done.stdout.strip() == "True"

    assert lock.acquire()
    try:
        assert not other_process_gets_it()
    finally:
        lock.release()
    assert other_process_gets_it()
