"""Clearance: handing level keys to an account, and taking them back.

Raising a clearance wraps the level keys up to the new level to the account's
public key.  The security officer may do this for anyone; a leader may pass on
levels he holds himself (the offices' rule: the leader in charge decides who
may consult petition material).  Lowering is the security officer's alone and
only removes the wrapped copies: whoever held a key may have kept it, so the
level is marked for rotation and the caller is told so.
"""

from __future__ import annotations

from dataclasses import dataclass

from .accounts import Session, find_account, mark_rotation_due
from .errors import NotFound, PermissionDenied, Refused
from .folder import Archive
from .keyring import grant_digest_name, grant_level_key
from .levels import Level
from .roles import Role

__all__ = ["ClearanceChange", "set_clearance"]


@dataclass(frozen=True)
class ClearanceChange:
    """What :func:`set_clearance` did: the levels granted or removed, and whether rotation is due."""

    name: str
    previous: Level | None
    current: Level | None
    rotation_due: tuple[Level, ...]


def set_clearance(archive: Archive, session: Session, name: str, level: Level | None) -> ClearanceChange:
    """Make ``name``'s clearance exactly ``level`` (None: no clearance at all)."""
    is_officer = Role.SECURITY_OFFICER in session.roles
    if not is_officer and Role.LEADER not in session.roles:
        raise PermissionDenied("无权调整密级授权：需要安全保密管理员，或持有该密级的领导")
    account = find_account(archive.conn, name)
    if account is None or account.status != "active":
        raise NotFound(f"用户“{name}”不存在或已停用")
    if account.roles & {Role.ADMIN, Role.AUDITOR}:
        raise Refused(f"三员分立：{name}是系统管理员或安全审计员，不得持有任何密级密钥")
    rows = archive.conn.execute(
        "SELECT DISTINCT level FROM level_key_grants WHERE account_id = ?", (account.account_id,)
    ).fetchall()
    held = {Level(value) for (value,) in rows}
    previous = max(held, default=None)
    wanted = set(level.up_to()) if level is not None else set()
    to_add = sorted(wanted - held)
    to_remove = sorted(held - wanted)
    if to_remove and not is_officer:
        raise PermissionDenied("只有安全保密管理员可以降低密级授权")
    missing = [lv for lv in to_add if lv not in session.level_keys]
    if missing:
        raise PermissionDenied(f"您本人不持有{missing[-1].label}级密钥，不能授予他人")
    with archive.act(session) as act:
        digests = {}
        for lv in to_add:
            level_key = session.level_keys[lv]
            digests[grant_digest_name(account.account_id, lv, level_key.version)] = {
                "wrapped": grant_level_key(
                    archive.conn,
                    archive.config.archive_id,
                    account.account_id,
                    account.box_public,
                    level_key,
                    session.account.name,
                )
            }
        for lv in to_remove:
            archive.conn.execute(
                "DELETE FROM level_key_grants WHERE account_id = ? AND level = ?", (account.account_id, lv.value)
            )
        mark_rotation_due(archive.conn, to_remove, f"降低 {name} 的密级授权")
        act.log(
            "clearance.set",
            [f"account:{account.account_id}"],
            digests=digests,
            info={
                "name": name,
                "from": previous.label if previous is not None else None,
                "to": level.label if level is not None else None,
            },
        )
    return ClearanceChange(name, previous, level, tuple(to_remove))
