"""Accounts, logging in, and the account lifecycle the system administrator runs.

An account is a name, a set of roles, two public keys in the catalogue and a
keyslot file holding the private halves.  :func:`login` is the only way to get
a :class:`Session`: it opens the slot with the passphrase and unwraps the level
keys the account holds.  The administrator creates and disables accounts and
records each one's unit (所在单位, which 回避 compares with the units of the
people a case reports on) but never receives a level key; clearance is the
security officer's business (:mod:`archive.clearance`).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from . import crypto
from .audit import Act, append_unsigned, now_utc
from .catalogue import write_transaction
from .errors import CredentialsError, IntegrityError, InvalidInput, NotFound, Refused
from .folder import Archive
from .keyring import LevelKey, unwrap_level_keys
from .keyslots import AccountKeys, KdfParams, create_keyslot, read_keyslot
from .levels import Level
from .roles import SECURITY_ROLES, Role, check_role_combination, require_role
from .text import check_text, is_encodable

__all__ = [
    "Account",
    "AccountSummary",
    "Session",
    "account_digests",
    "add_account",
    "change_passphrase",
    "check_may_add_account",
    "check_new_account",
    "check_passphrase_strength",
    "disable_account",
    "find_account",
    "insert_account",
    "list_accounts",
    "log_account_added",
    "login",
    "mark_rotation_due",
    "set_unit",
]

_NAME = re.compile(r"^[^\s/\\:*?\"<>|\x00-\x1f\ud800-\udfff]{1,32}$")
MIN_PASSPHRASE = 8
MAX_UNIT = 100
_BAD_LOGIN = "用户名或口令错误，或账户已停用"  # one answer, so a guesser learns nothing


@dataclass(frozen=True)
class Account:
    """An account as the catalogue holds it."""

    account_id: int
    name: str
    roles: frozenset[Role]
    status: str
    box_public: bytes
    sign_public: bytes
    slot_sha256: str | None
    unit: str | None = None


@dataclass(frozen=True)
class Session:
    """A logged-in account with the level keys its clearance unlocks (in memory only)."""

    account: Account
    keys: AccountKeys
    level_keys: Mapping[Level, LevelKey]
    as_of: datetime | None = None
    """The moment time-limited permissions (grants) are judged at; None is now. Set only by tests."""

    @property
    def now(self) -> datetime:
        """The moment this session's grants are judged at (UTC)."""
        return self.as_of or datetime.now(UTC)

    @property
    def roles(self) -> frozenset[Role]:
        """The roles of the acting account."""
        return self.account.roles

    @property
    def clearance(self) -> Level | None:
        """The highest level whose key this session holds, or None."""
        return max(self.level_keys, default=None)

    def __repr__(self) -> str:
        return f"Session({self.account.name})"


@dataclass(frozen=True)
class AccountSummary:
    """One line of the account list: what an administrator may see."""

    name: str
    roles: tuple[str, ...]
    status: str
    clearance: str | None
    created_at: str
    created_by: str | None
    unit: str | None = None


def _row_to_account(row: sqlite3.Row | tuple) -> Account:
    account_id, name, roles, status, box_public, sign_public, slot_sha256, unit = row
    return Account(
        account_id, name, frozenset(Role(r) for r in roles.split(",")), status, box_public, sign_public, slot_sha256,
        unit,
    )


def find_account(conn: sqlite3.Connection, name: str) -> Account | None:
    """The account called ``name``, active or not."""
    row = conn.execute(
        "SELECT account_id, name, roles, status, box_public, sign_public, slot_sha256, unit FROM accounts "
        "WHERE name = ?",
        (name,),
    ).fetchone()
    return _row_to_account(row) if row else None


def check_passphrase_strength(passphrase: str) -> None:
    """Refuse passphrases too short to survive a stolen keyslot."""
    if not is_encodable(passphrase):
        raise InvalidInput("口令含有无法识别的字符（终端或口令文件的编码可能不是 UTF-8）")
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"口令至少需要 {MIN_PASSPHRASE} 个字符")


def check_new_account(archive: Archive, name: str, roles: Iterable[Role]) -> frozenset[Role]:
    """Everything about a new account that can be refused before anyone types its passphrase."""
    if not _NAME.match(name):
        raise InvalidInput(f"用户名“{name}”不合规：1–32 个字符，不含空白和 / \\ : * ? \" < > |")
    chosen = check_role_combination(roles)
    if find_account(archive.conn, name) is not None:
        raise Refused(f"用户“{name}”已存在")
    return chosen


def _check_unit(unit: str | None) -> str | None:
    """A unit as typed, stripped; None stays None (unknown)."""
    return check_text(unit, "所在单位", max_length=MAX_UNIT) if unit is not None else None


def insert_account(
    archive: Archive,
    name: str,
    roles: Iterable[Role],
    passphrase: str,
    kdf: KdfParams,
    created_by: str | None,
    unit: str | None = None,
) -> tuple[Account, AccountKeys]:
    """Create the catalogue row and keyslot inside the caller's transaction."""
    chosen = check_new_account(archive, name, roles)
    unit = _check_unit(unit)
    check_passphrase_strength(passphrase)
    keys = AccountKeys.generate()
    cursor = archive.conn.execute(
        "INSERT INTO accounts (name, roles, box_public, sign_public, status, created_at, created_by, unit) "
        "VALUES (?, ?, ?, ?, 'active', ?, ?, ?)",
        (name, ",".join(sorted(r.value for r in chosen)), keys.box_public, keys.sign_public, now_utc(), created_by,
         unit),
    )
    account_id = int(cursor.lastrowid or 0)
    slot = create_keyslot(archive.slot_path(account_id), name, keys, passphrase, kdf)
    digest = crypto.sha256_hex(slot.to_bytes())
    archive.conn.execute("UPDATE accounts SET slot_sha256 = ? WHERE account_id = ?", (digest, account_id))
    account = Account(account_id, name, chosen, "active", keys.box_public, keys.sign_public, digest, unit)
    return account, keys


def check_may_add_account(
    archive: Archive, session: Session, name: str, roles: Iterable[Role], unit: str | None = None
) -> None:
    """Refuse early — before a passphrase is asked for — what :func:`add_account` would refuse."""
    require_role(session.roles, {Role.ADMIN}, "创建账户")
    check_new_account(archive, name, roles)
    _check_unit(unit)


def add_account(
    archive: Archive,
    session: Session,
    name: str,
    roles: Iterable[Role],
    passphrase: str,
    kdf: KdfParams,
    unit: str | None = None,
) -> Account:
    """The administrator creates an account with no clearance; ``unit`` is where the person works, if known."""
    check_may_add_account(archive, session, name, roles, unit)
    with archive.act(session) as act:
        account, _ = insert_account(archive, name, roles, passphrase, kdf, session.account.name, unit)
        log_account_added(act, account)
    return account


def set_unit(archive: Archive, session: Session, name: str, unit: str | None) -> Account:
    """The administrator records where ``name`` works (None: unknown); the change is logged with the digests.

    The unit decides 回避 — a case reporting on someone of that unit is hidden
    from the account — so it belongs to the audited profile like the roles do.
    """
    require_role(session.roles, {Role.ADMIN}, "设置账户的所在单位")
    unit = _check_unit(unit)
    account = find_account(archive.conn, name)
    if account is None:
        raise NotFound(f"用户“{name}”不存在")
    with archive.act(session) as act:
        archive.conn.execute("UPDATE accounts SET unit = ? WHERE account_id = ?", (unit, account.account_id))
        act.log(
            "account.unit",
            [f"account:{account.account_id}"],
            digests=account_digests(archive.conn, account.account_id),
            info={"name": name, "from": account.unit, "to": unit},
        )
    return replace(account, unit=unit)


def account_digests(conn: sqlite3.Connection, account_id: int) -> dict[str, dict[str, str]]:
    """What the audit log keeps of an account row: its keyslot's digest and a digest of its profile.

    The profile — name, roles, status, both public keys and the unit — is what
    decides who may do what and see which case; logging its digest at every
    change means a role added, a key swapped or a unit edited in the catalogue
    by hand no longer matches the log.  The unit joins the profile only when it
    is set, so the digests logged before units existed stay valid.
    """
    name, roles, status, box_public, sign_public, slot_sha256, unit = conn.execute(
        "SELECT name, roles, status, box_public, sign_public, slot_sha256, unit FROM accounts WHERE account_id = ?",
        (account_id,),
    ).fetchone()
    fields = [name, roles, status, box_public.hex(), sign_public.hex()]
    if unit is not None:
        fields.append(unit)
    profile = json.dumps(fields, ensure_ascii=False)
    return {f"account:{account_id}": {"slot": slot_sha256 or "", "profile": crypto.sha256_hex(profile.encode())}}


def log_account_added(act: Act, account: Account) -> None:
    """The audit entry for a new account."""
    act.log(
        "account.add",
        [f"account:{account.account_id}"],
        digests=account_digests(act.conn, account.account_id),
        info={"name": account.name, "roles": sorted(r.value for r in account.roles)},
    )


def login(archive: Archive, name: str, passphrase: str) -> Session:
    """Open the account's keyslot and unwrap its level keys; failures are logged and answer alike."""
    account = find_account(archive.conn, name) if _NAME.match(name) else None
    try:
        if account is None or account.status != "active" or not is_encodable(passphrase):
            raise CredentialsError(_BAD_LOGIN)
        slot_path = archive.slot_path(account.account_id)
        slot = read_keyslot(slot_path)
        if slot.account != name or slot.box_public != account.box_public or slot.sign_public != account.sign_public:
            raise IntegrityError(f"用户“{name}”的口令槽与目录记录不符（被替换或篡改）")
        if not _slot_is_current(archive, account, slot_path):
            raise IntegrityError(f"用户“{name}”的口令槽与目录记录的摘要不符（被篡改、替换或回滚到旧口令）")
        keys = slot.unlock(passphrase)
    except CredentialsError as exc:
        with write_transaction(archive.conn):
            append_unsigned(archive.conn, account.name if account else None, "login.failed", {})
        raise CredentialsError(_BAD_LOGIN) from exc
    level_keys = unwrap_level_keys(archive.conn, archive.config.archive_id, account.account_id, keys.box_private)
    return Session(account, keys, level_keys)


def _slot_is_current(archive: Archive, account: Account, path: Path) -> bool:
    """Whether the slot file is the one the catalogue's digest names: an older copy would let an old passphrase in.

    A passphrase change writes the new slot before its transaction commits the new
    digest; a login landing in between waits for that commit and looks again.
    """
    if crypto.sha256_file(path) == account.slot_sha256:
        return True
    with write_transaction(archive.conn):
        (recorded,) = archive.conn.execute(
            "SELECT slot_sha256 FROM accounts WHERE account_id = ?", (account.account_id,)
        ).fetchone()
    return crypto.sha256_file(path) == recorded


def list_accounts(archive: Archive, session: Session) -> list[AccountSummary]:
    """Every account with roles, status, clearance (the highest level it holds) and unit."""
    require_role(session.roles, {Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR, Role.LEADER}, "查看账户列表")
    rows = archive.conn.execute(
        "SELECT a.name, a.roles, a.status, a.created_at, a.created_by, "
        "(SELECT MAX(g.level) FROM level_key_grants g WHERE g.account_id = a.account_id), a.unit "
        "FROM accounts a ORDER BY a.account_id"
    ).fetchall()
    with archive.act(session) as act:
        act.log("account.list")
    return [
        AccountSummary(
            name=name,
            roles=tuple(Role(r).label for r in roles.split(",")),
            status=status,
            clearance=Level(level).label if level is not None else None,
            created_at=created_at,
            created_by=created_by,
            unit=unit,
        )
        for name, roles, status, created_at, created_by, level, unit in rows
    ]


def change_passphrase(archive: Archive, name: str, old: str, new: str, kdf: KdfParams) -> None:
    """Re-seal only this account's keyslot under a new passphrase; the old one stops working at once."""
    session = login(archive, name, old)
    check_passphrase_strength(new)
    if new == old:
        raise InvalidInput("新口令不能与旧口令相同")
    account = session.account
    with archive.act(session) as act:
        slot = create_keyslot(archive.slot_path(account.account_id), name, session.keys, new, kdf)
        digest = crypto.sha256_hex(slot.to_bytes())
        archive.conn.execute("UPDATE accounts SET slot_sha256 = ? WHERE account_id = ?", (digest, account.account_id))
        act.log("account.passwd", [f"account:{account.account_id}"], digests=account_digests(archive.conn, account.account_id))


def disable_account(archive: Archive, session: Session, name: str) -> list[Level]:
    """Disable an account and wipe its keyslot; returns the levels whose keys it held (rotation due)."""
    require_role(session.roles, {Role.ADMIN}, "停用账户")
    account = find_account(archive.conn, name)
    if account is None:
        raise NotFound(f"用户“{name}”不存在")
    if account.status != "active":
        raise Refused(f"用户“{name}”已停用")
    for role in account.roles & SECURITY_ROLES:
        (others,) = archive.conn.execute(
            "SELECT COUNT(*) FROM accounts WHERE status = 'active' AND account_id != ? "
            "AND (',' || roles || ',') LIKE ?",
            (account.account_id, f"%,{role.value},%"),
        ).fetchone()
        if not others:
            raise Refused(f"“{name}”是唯一的{role.label}，停用前请先创建另一个{role.label}账户")
    with archive.act(session) as act:
        held = [
            Level(level)
            for (level,) in archive.conn.execute(
                "SELECT DISTINCT level FROM level_key_grants WHERE account_id = ? ORDER BY level", (account.account_id,)
            )
        ]
        archive.conn.execute("DELETE FROM level_key_grants WHERE account_id = ?", (account.account_id,))
        archive.conn.execute(
            "UPDATE accounts SET status = 'disabled', disabled_at = ?, slot_sha256 = NULL WHERE account_id = ?",
            (now_utc(), account.account_id),
        )
        mark_rotation_due(archive.conn, held, f"停用账户 {name}")
        act.log(
            "account.disable",
            [f"account:{account.account_id}"],
            digests=account_digests(archive.conn, account.account_id),
            info={"name": name, "levels_held": [level.label for level in held]},
        )
    _wipe(archive.slot_path(account.account_id))
    return held


def mark_rotation_due(conn: sqlite3.Connection, levels: Iterable[Level], reason: str) -> None:
    """Note that someone who held these level keys no longer should: a rotation is due."""
    for level in levels:
        conn.execute(
            "UPDATE level_keys SET rotation_due = ? WHERE level = ? AND version = "
            "(SELECT MAX(version) FROM level_keys WHERE level = ?)",
            (f"{now_utc()} {reason}", level.value, level.value),
        )


def _wipe(path: Path) -> None:
    """Overwrite a keyslot before unlinking it (best effort: an SSD may keep old blocks)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            handle.write(os.urandom(size))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    except FileNotFoundError:
        pass
