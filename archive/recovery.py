"""Recovery sheets: the level keys split by Shamir's scheme onto paper, and put back together.

Level keys exist only wrapped to accounts.  If the one security officer forgets
the passphrase, or leaves, the keys of the levels nobody else holds would be
lost with the keyslot — and with them every record of those levels.  So the
security officer prints the current level keys split into ``n`` numbered
sheets, any ``threshold`` of which give them back (:mod:`archive.shamir`); the
sheets are sealed separately (保密柜).  Fewer sheets than the threshold reveal
nothing, so no single custodian holds the keys.

Each set of sheets is numbered and recorded in the catalogue (``recovery_sets``)
with a digest of what it splits; only the latest set is accepted, so making a
new set retires the older ones.  Recovering needs no level key — it is what one
does when none is left: an administrator creates a new security-officer
account, and that officer, logged in with the new passphrase, recombines the
sheets and has the keys wrapped to an active security officer's account.  The
sheet format is in FORMAT.md.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import crypto
from .accounts import Account, Session, find_account
from .audit import Act, now_utc
from .catalogue import row_digests
from .errors import ArchiveError, IntegrityError, InvalidInput, NotFound, Refused
from .files import write_atomic
from .folder import Archive
from .keyring import LevelKey, grant_digest_name, grant_level_key
from .levels import Level
from .records import unwrap_record_key
from .recovery_sheets import RecoverySheet, code_lines, encode_payload, parse_sheet
from .roles import Role, require_role
from .shamir import MAX_SHARES, combine_shares, interpolate_at, split_secret

__all__ = [
    "Recovery",
    "RecoverySet",
    "RecoverySheet",
    "latest_set_outdated",
    "make_recovery_sheets",
    "parse_sheet",
    "recover_level_keys",
    "set_object",
]

_MAX_COMBINATIONS = 500  # subsets tried to name an inconsistent sheet


@dataclass(frozen=True)
class RecoverySet:
    """A set of sheets as made: its number, how it splits, which keys, and where the sheets went."""

    set_no: int
    shares: int
    threshold: int
    levels: tuple[tuple[Level, int], ...]
    fingerprint: str
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover_level_keys` did: the set and sheets used, the levels granted and those too old."""

    set_no: int
    sheets: tuple[int, ...]
    account: str
    granted: tuple[Level, ...]
    stale: tuple[Level, ...]


def set_object(set_no: int) -> str:
    """The object name under which the audit log records a set (and its ``recovery_sets`` key)."""
    return f"recovery:{set_no}"


# --- making a set ----------------------------------------------------------------------------


def make_recovery_sheets(
    archive: Archive, session: Session, *, shares: int, threshold: int, out: Path, today: date | None = None
) -> RecoverySet:
    """Split every current level key the officer holds onto ``shares`` sheets written into ``out``.

    The set is recorded and the sheets written in one transaction: if a sheet
    cannot be written nothing is recorded and the sheets written so far are
    removed, so a recorded set always has its sheets (and the older sets stay
    valid until a new one is complete).
    """
    require_role(session.roles, {Role.SECURITY_OFFICER}, "制作密钥恢复单")
    if not 2 <= shares <= MAX_SHARES:
        raise InvalidInput(f"恢复单张数应在 2 到 {MAX_SHARES} 之间")
    if not 2 <= threshold <= shares:
        raise InvalidInput(f"门限应在 2 到张数（{shares}）之间：门限为 1 时一张恢复单就含全部密钥")
    keys = sorted(session.level_keys.values(), key=lambda key: key.level)
    if not keys:
        raise Refused("您本人不持有任何密级密钥，无法制作恢复单")
    out = _output_folder(archive, out)
    levels = tuple((key.level, key.version) for key in keys)
    secret = b"".join(key.key for key in keys)
    archive_id = archive.config.archive_id
    written: list[Path] = []
    try:
        with archive.act(session) as act:
            (last,) = archive.conn.execute("SELECT COALESCE(MAX(set_no), 0) FROM recovery_sets").fetchone()
            set_no = last + 1
            if set_no > 0xFFFF:
                raise Refused("恢复单套次已用尽")
            paths = [out / f"恢复单-第{set_no}套-第{k}张-共{shares}张.txt" for k in range(1, shares + 1)]
            existing = [path.name for path in paths if path.exists()]
            if existing:
                raise Refused(f"{out} 中已有 {existing[0]}，请换一个文件夹")
            digest = _secret_digest(archive_id, set_no, levels, secret)
            archive.conn.execute(
                "INSERT INTO recovery_sets (set_id, set_no, shares, threshold, levels, secret_sha256, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (set_object(set_no), set_no, shares, threshold, _levels_json(levels), digest, session.account.name,
                 now_utc()),
            )
            act.log(
                "keys.recovery-sheets",
                [set_object(set_no)],
                digests={set_object(set_no): row_digests(archive.conn, "recovery_sets", "set_id", set_object(set_no))},
                info={"set": set_no, "shares": shares, "threshold": threshold,
                      "levels": [level.label for level, _ in levels]},
            )
            day = today or date.today()
            for share, path in zip(split_secret(secret, shares, threshold), paths, strict=True):
                payload = encode_payload(archive_id, set_no, threshold, levels, share)
                text = _render_sheet(archive, session, set_no, shares, threshold, levels, digest, day, payload, share.x)
                write_atomic(path, text.encode("utf-8"))
                written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return RecoverySet(set_no, shares, threshold, levels, _fingerprint(digest), tuple(paths))


def _output_folder(archive: Archive, out: Path) -> Path:
    """``out``, made if missing; never inside the archive folder, where nothing may lie in the clear."""
    out = Path(out)
    resolved = out.resolve()
    if resolved == archive.root.resolve() or archive.root.resolve() in resolved.parents:
        raise InvalidInput("恢复单不得写入档案库文件夹内：请指定档案库以外的文件夹")
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"{out} 不是文件夹")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    return out


def _levels_json(levels: Sequence[tuple[Level, int]]) -> str:
    return json.dumps([[level.value, version] for level, version in levels])


def _secret_digest(archive_id: str, set_no: int, levels: Sequence[tuple[Level, int]], secret: bytes) -> str:
    listed = ",".join(f"{level.value}:{version}" for level, version in levels)
    return crypto.sha256_hex(f"xinfang recovery set|{archive_id}|{set_no}|{listed}|".encode() + secret)


def _fingerprint(digest: str) -> str:
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def _render_sheet(
    archive: Archive, session: Session, set_no: int, shares: int, threshold: int,
    levels: Sequence[tuple[Level, int]], digest: str, day: date, payload: bytes, number: int,
) -> str:
    lines = [
        "xinfang 密钥恢复单（单独密封，存入保密柜）",
        f"机关：{archive.config.organisation}",
        f"档案库：{archive.config.archive_id}",
        f"套次：第 {set_no} 套（制作新的一套后，此前各套即作废）",
        f"本张：第 {number} 张，共 {shares} 张；任意 {threshold} 张合起来可恢复密钥，少于 {threshold} 张不泄露任何信息",
        f"所含密钥：{'、'.join(f'{level.label}（第 {version} 版）' for level, version in levels)}",
        f"制作人：{session.account.name}",
        f"制作日期：{day.year}年{day.month}月{day.day}日",
        f"密钥指纹：{_fingerprint(digest)}",
        "",
        "恢复码（每行：行号、6 组数据、4 位校验码。录入时不分大小写，O 可作 0，I、L 可作 1）：",
    ]
    lines += code_lines(payload)
    lines += [
        "",
        "恢复：系统管理员为新的安全保密管理员创建账户，该人登录后运行",
        f"  xinfang keys recover 恢复单甲.txt 恢复单乙.txt --to 本人用户名（至少 {threshold} 张同一套的恢复单）",
        "不得复印、拍照，不得与同一套的其他恢复单存放在一处。",
    ]
    return "\n".join(lines) + "\n"


def latest_set_outdated(conn: sqlite3.Connection) -> tuple[int, tuple[Level, ...]] | None:
    """The latest set and the levels rotated since it was made, if any: it no longer recovers them, a new set is due."""
    row = conn.execute("SELECT set_no, levels FROM recovery_sets ORDER BY set_no DESC LIMIT 1").fetchone()
    if row is None:
        return None
    current = dict(conn.execute("SELECT level, MAX(version) FROM level_keys GROUP BY level").fetchall())
    rotated = tuple(Level(level) for level, version in json.loads(row[1]) if version < current.get(level, 0))
    return (row[0], rotated) if rotated else None


# --- reading a sheet back --------------------------------------------------------------------


def _read_sheet_file(path: Path) -> RecoverySheet:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"无法读取恢复单 {path}（文件不存在、无权读取或不是 UTF-8 文本）") from exc
    return parse_sheet(text, Path(path).name)


# --- recovering ------------------------------------------------------------------------------


def recover_level_keys(archive: Archive, session: Session, sheets: Sequence[Path], *, to: str) -> Recovery:
    """Recombine the level keys from ``sheets`` and wrap them to the security officer ``to``.

    Needs no level key: the acting security officer may have none.  Every check
    runs before anything is granted; a refusal is logged (without the shares)
    so the auditor sees every attempt.
    """
    require_role(session.roles, {Role.SECURITY_OFFICER}, "用恢复单恢复密钥")
    target = find_account(archive.conn, to)
    if target is None or target.status != "active":
        raise NotFound(f"用户“{to}”不存在或已停用")
    if Role.SECURITY_OFFICER not in target.roles:
        raise Refused(f"三员分立：恢复的密钥只能授予安全保密管理员，“{to}”不是")
    try:
        read = [_read_sheet_file(path) for path in sheets]
        xs = tuple(sorted(sheet.share.x for sheet in read))
        with archive.act(session) as act:  # checked and granted under the write lock: no new set or rotation between
            set_no, keys, stale = _reconstruct(archive, read)
            _grant(archive, act, session, target, set_no, xs, keys, stale)
    except ArchiveError as exc:
        with contextlib.suppress(ArchiveError), archive.act(session) as act:
            act.log("keys.recover.refused", [f"account:{target.account_id}"],
                    info={"name": to, "sheets": len(sheets), "reason": str(exc)})
        raise
    return Recovery(set_no, xs, to, tuple(key.level for key in keys), stale)


def _grant(archive: Archive, act: Act, session: Session, target: Account, set_no: int, xs: tuple[int, ...],
           keys: Sequence[LevelKey], stale: Sequence[Level]) -> None:
    """Wrap the recovered keys to ``target`` and log it, inside the caller's transaction."""
    digests = {
        grant_digest_name(target.account_id, key.level, key.version): {
            "wrapped": grant_level_key(archive.conn, archive.config.archive_id, target.account_id,
                                       target.box_public, key, session.account.name)
        }
        for key in keys
    }
    act.log(
        "keys.recover",
        [f"account:{target.account_id}", set_object(set_no)],
        digests=digests,
        info={"name": target.name, "set": set_no, "sheets": list(xs), "levels": [key.level.label for key in keys],
              "stale": [level.label for level in stale]},
    )


def _reconstruct(archive: Archive, sheets: Sequence[RecoverySheet]) -> tuple[int, list[LevelKey], tuple[Level, ...]]:
    """Check the sheets belong together and to the latest set; the keys still current, and those rotated since."""
    if not sheets:
        raise InvalidInput("没有给出恢复单")
    for sheet in sheets:
        if sheet.archive_id != archive.config.archive_id:
            raise InvalidInput(f"恢复单 {sheet.source} 属于另一个档案库（{sheet.archive_id}）")
    first = sheets[0]
    for sheet in sheets[1:]:
        if sheet.set_no != first.set_no:
            raise InvalidInput(
                f"恢复单来自不同的套次：{first.source} 是第 {first.set_no} 套，{sheet.source} 是第 {sheet.set_no} 套；"
                "只能用同一套的恢复单"
            )
    seen: dict[int, str] = {}
    for sheet in sheets:
        if sheet.share.x in seen:
            raise InvalidInput(f"第 {sheet.share.x} 张恢复单给出了两次（{seen[sheet.share.x]}、{sheet.source}）")
        seen[sheet.share.x] = sheet.source
    set_no = first.set_no
    row = archive.conn.execute(
        "SELECT threshold, levels, secret_sha256 FROM recovery_sets WHERE set_no = ?", (set_no,)
    ).fetchone()
    if row is None:
        raise Refused(f"本档案库没有第 {set_no} 套恢复单的记录（目录是否从更早的备份恢复？）")
    latest, made = archive.conn.execute(
        "SELECT set_no, created_at FROM recovery_sets ORDER BY set_no DESC LIMIT 1"
    ).fetchone()
    if set_no != latest:
        raise Refused(f"第 {set_no} 套恢复单已作废：{made[:10]} 制作的第 {latest} 套取代了它，请取用第 {latest} 套")
    threshold, levels_json, digest = row
    for sheet in sheets:
        if sheet.threshold != threshold or _levels_json(sheet.levels) != levels_json:
            raise IntegrityError(f"恢复单 {sheet.source} 的门限或密钥清单与第 {set_no} 套的记录不符（被改动）")
    if len(sheets) < threshold:
        raise InvalidInput(f"第 {set_no} 套恢复单至少需要 {threshold} 张，只给了 {len(sheets)} 张")
    secret = _combine_checked(archive, sheets, set_no, threshold, digest)
    keys, stale = _current_keys(archive, first.levels, secret)
    return set_no, keys, stale


def _combine_checked(
    archive: Archive, sheets: Sequence[RecoverySheet], set_no: int, threshold: int, digest: str
) -> bytes:
    """The secret, if it matches the set's digest; otherwise name the sheet that does not fit, if one can tell."""
    levels = sheets[0].levels
    secret = combine_shares([sheet.share for sheet in sheets])
    if _secret_digest(archive.config.archive_id, set_no, levels, secret) == digest:
        return secret
    for subset in itertools.islice(itertools.combinations(sheets, threshold), _MAX_COMBINATIONS):
        shares = [sheet.share for sheet in subset]
        if _secret_digest(archive.config.archive_id, set_no, levels, combine_shares(shares)) == digest:
            odd = [s.source for s in sheets if s not in subset and interpolate_at(shares, s.share.x) != s.share.y]
            raise IntegrityError(
                f"恢复单 {'、'.join(odd)} 与同一套的其他恢复单不一致（被改动或伪造）；去掉后用其余的重试"
            )
    raise IntegrityError(f"恢复出的密钥与第 {set_no} 套记录的密钥指纹不符：有恢复单被改动或伪造")


def _current_keys(
    archive: Archive, levels: Sequence[tuple[Level, int]], secret: bytes
) -> tuple[list[LevelKey], tuple[Level, ...]]:
    """Split the secret into level keys; keep those still current, each opening a record key where one exists."""
    current = dict(archive.conn.execute("SELECT level, MAX(version) FROM level_keys GROUP BY level").fetchall())
    keys, stale = [], []
    for index, (level, version) in enumerate(levels):
        key = LevelKey(level, version, secret[32 * index : 32 * (index + 1)])
        if version < current.get(level.value, 0):
            stale.append(level)
            continue
        if version != current.get(level.value):
            raise IntegrityError(f"目录中没有{level.label}级密钥第 {version} 版，与恢复单不符")
        sample = archive.conn.execute(
            "SELECT record_id, wrapped_key FROM records WHERE level = ? AND key_version = ? AND length(wrapped_key) > 0 "
            "LIMIT 1", (level.value, version),
        ).fetchone()
        if sample is not None:
            try:
                unwrap_record_key(key, sample[0], sample[1])
            except IntegrityError as exc:
                raise IntegrityError(f"恢复出的{level.label}级密钥打不开记录 {sample[0]} 的密钥：恢复单或目录被改动") from exc
        keys.append(key)
    if not keys:
        labels = "、".join(level.label for level in stale)
        raise Refused(f"这套恢复单中的密钥（{labels}）此后都已轮换，已无用处；请由持有密钥的人员授权")
    return keys, tuple(stale)
