"""Shared fixtures: a small office built through the library, and a CLI runner.

Keyslots are made with the test-only Argon2id parameters (explicitly, through
``XINFANG_INSECURE_TEST_KDF``) so that the suite stays fast; `archive verify`
warns about such slots, and a test checks that it does.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

os.environ["XINFANG_INSECURE_TEST_KDF"] = "1"

# CI replays the same examples every run, so a red build is a reproducible one; on a developer's
# machine the property tests keep exploring new examples (and remember failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

from archive import (  # noqa: E402  (the environment above must be set first)
    Archive,
    Founder,
    KdfParams,
    Level,
    Role,
    add_account,
    add_records,
    create_archive,
    login,
    parse_kind,
    set_clearance,
)
from archive.cases import CaseRegistration, register_case  # noqa: E402
from xinfang.cli import main  # noqa: E402

PASSPHRASE = "正确的口令 correct horse"
FAULT_SCALE = max(1, int(os.environ.get("XINFANG_FAULT_SCALE", "1")))
"""How many times over the crash and concurrency suites run: 1 in `make test` (the 10-minute budget),
4 in `make faults` (fifty kills in all, a minute of concurrent work)."""
KDF = KdfParams.insecure_for_tests()
ADMIN, OFFICER = "李管理", "赵保密"
STAFF: dict[str, tuple[Role, Level | None]] = {
    "王文秘": (Role.SECRETARY, Level.CONFIDENTIAL),
    "孙档案": (Role.ARCHIVIST, Level.CONFIDENTIAL),
    "吴领导": (Role.LEADER, Level.TOP_SECRET),
    "周调查": (Role.INVESTIGATOR, Level.SECRET),
    "钱审计": (Role.AUDITOR, None),
    "郑秘书": (Role.SECRETARY, Level.SECRET),
}
# Distinctive plaintexts a leak scan looks for.
SECRET_TITLE = "举报镇长挪用扶贫款的来信"
SECRET_TEXT = "实名举报人张秀兰，身份证号码152701198003151234，反映镇长挪用扶贫专项资金。"


@dataclass
class Office:
    """An archive folder with one account per role and, when filed, a record per level."""

    path: Path
    records: dict[Level, str] = field(default_factory=dict)

    def open(self) -> Archive:
        return Archive.open(self.path)

    def session(self, archive: Archive, name: str):
        return login(archive, name, PASSPHRASE)

    @contextmanager
    def raw_catalogue(self) -> Iterator[sqlite3.Connection]:
        """The catalogue opened behind the library's back (for tampering), committed and closed on exit."""
        with closing(sqlite3.connect(self.path / "catalogue.sqlite")) as conn:
            with conn:
                yield conn


def build_office(path: Path) -> Office:
    archive = create_archive(
        path,
        organisation="伊金霍洛旗纪委监委",
        org_code="伊纪",
        fonds="J001",
        admin=Founder(ADMIN, PASSPHRASE),
        security_officer=Founder(OFFICER, PASSPHRASE),
        kdf=KDF,
    )
    with archive:
        admin = login(archive, ADMIN, PASSPHRASE)
        officer = login(archive, OFFICER, PASSPHRASE)
        for name, (role, level) in STAFF.items():
            add_account(archive, admin, name, [role], PASSPHRASE, KDF)
            if level is not None:
                set_clearance(archive, officer, name, level)
    return Office(path)


@contextmanager
def sqlite_steps(conn: sqlite3.Connection) -> Iterator[list[int]]:
    """Counts SQLite virtual-machine steps run on ``conn`` within the block, in ``[0]`` of what it yields.

    A deterministic measure of a query's work: a test can say that something does not
    grow with the archive without timing anything.
    """
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(step, 1)
    try:
        yield steps
    finally:
        conn.set_progress_handler(None, 1)


CASES = ("XF-2026-0001", "XF-2026-0002", "XF-2026-0003")


def register_cases(office: Office, count: int = len(CASES)) -> list[str]:
    """Anonymous 内部 cases registered by the secretary, so records have a case to belong to."""
    ids = []
    with office.open() as archive:
        session = office.session(archive, "王文秘")
        for n in range(count):
            registration = CaseRegistration(
                channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
                classification=Level.INTERNAL, summary=f"第{n + 1}件：反映某单位违规发放津贴", real_name=False,
            )
            ids.append(register_case(archive, session, registration, today=date(2026, 11, 28)).case_id)
    return ids


def file_one_per_level(office: Office, scratch: Path) -> Office:
    """File one record at each of 内部, 秘密, 机密 (by the secretary) and 绝密 (by the leader)."""
    with office.open() as archive:
        for level, filer in (
            (Level.INTERNAL, "王文秘"),
            (Level.SECRET, "王文秘"),
            (Level.CONFIDENTIAL, "王文秘"),
            (Level.TOP_SECRET, "吴领导"),
        ):
            source = scratch / f"{level.name}.txt"
            source.write_text(f"{SECRET_TEXT}（{level.label}）", encoding="utf-8")
            (info,) = add_records(
                archive,
                office.session(archive, filer),
                [source],
                case_id="XF-2026-0001",
                title=f"{SECRET_TITLE}（{level.label}）",
                kind=parse_kind("letter"),
                classification=level,
            )
            office.records[level] = info.record_id
            source.unlink()
    return office


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Office]:
    """The three standard offices, built once per run; each test gets its own copy of one."""
    root = tmp_path_factory.mktemp("templates")
    bare = build_office(root / "bare")
    shutil.copytree(bare.path, root / "cases")
    cases = Office(root / "cases")
    assert register_cases(cases) == list(CASES)
    shutil.copytree(cases.path, root / "filed")
    scratch = root / "scratch"
    scratch.mkdir()
    filed = file_one_per_level(Office(root / "filed"), scratch)
    return {"bare": bare, "cases": cases, "filed": filed}


def _copy_of(template: Office, path: Path) -> Office:
    shutil.copytree(template.path, path)
    return Office(path, dict(template.records))


@pytest.fixture
def bare_office(_templates: dict[str, Office], tmp_path: Path) -> Office:
    """A fresh office with accounts and clearances, no cases and no records."""
    return _copy_of(_templates["bare"], tmp_path / "archive")


@pytest.fixture
def office(_templates: dict[str, Office], tmp_path: Path) -> Office:
    """The office with three registered cases (XF-2026-0001 to 0003) and no records."""
    return _copy_of(_templates["cases"], tmp_path / "archive")


@pytest.fixture
def filed_office(_templates: dict[str, Office], tmp_path: Path) -> Office:
    """The office with one record per level from 内部 to 绝密."""
    return _copy_of(_templates["filed"], tmp_path / "archive")


@pytest.fixture
def soffice() -> str:
    """LibreOffice for PDF tests: skipped on a developer machine without it, never on CI."""
    from generators import ConverterMissing, find_soffice

    try:
        return find_soffice()
    except ConverterMissing:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice is missing: make sysdeps should have installed it")
        pytest.skip("LibreOffice (soffice) is not installed")


CliRun = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path) -> CliRun:
    """Run ``xinfang`` in-process: ``cli("archive", "list", user="王文秘")``."""

    def run(*args: str, user: str | None = None, passphrase: str | None = PASSPHRASE,
            archive: Path | None = None, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        environment = {"XINFANG_ARCHIVE": str(archive or tmp_path / "archive"), "XINFANG_USER": user,
                       "XINFANG_PASSPHRASE": passphrase}
        environment.update(env or {})
        runner = CliRunner()
        return runner.invoke(main, list(args), env=environment, input=input, catch_exceptions=False)

    return run
