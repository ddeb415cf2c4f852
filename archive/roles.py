"""Roles and what each may do: 三员分立 plus the office's business roles.

The three security roles — 系统管理员, 安全保密管理员, 安全审计员 — are kept apart:
an account holding one of them holds no other role, so no single person can
create accounts, hand out keys and check the log.  Business roles may combine
(a 文秘 who is also the 档案员 is common in a small office).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from .errors import InvalidInput, PermissionDenied

__all__ = [
    "Role",
    "SECURITY_ROLES",
    "check_role_combination",
    "parse_role",
    "require_role",
]


class Role(enum.Enum):
    """A role an account may hold; the value is the English id used on the command line."""

    ADMIN = "admin"
    SECURITY_OFFICER = "security-officer"
    AUDITOR = "auditor"
    SECRETARY = "secretary"
    ARCHIVIST = "archivist"
    INVESTIGATOR = "investigator"
    LEADER = "leader"

    @property
    def label(self) -> str:
        """The Chinese name shown to users."""
        return _LABELS[self]

    def __str__(self) -> str:
        return self.label


_LABELS = {
    Role.ADMIN: "系统管理员",
    Role.SECURITY_OFFICER: "安全保密管理员",
    Role.AUDITOR: "安全审计员",
    Role.SECRETARY: "文秘",
    Role.ARCHIVIST: "档案员",
    Role.INVESTIGATOR: "调查员",
    Role.LEADER: "领导",
}
_ALIASES = {role.value: role for role in Role} | {label: role for role, label in _LABELS.items()}

SECURITY_ROLES = frozenset({Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR})


def parse_role(text: str) -> Role:
    """Read a role given by English id or Chinese name."""
    role = _ALIASES.get(text.strip().lower())
    if role is None:
        names = "、".join(f"{r.value}（{r.label}）" for r in Role)
        raise InvalidInput(f"未知的角色“{text}”，可选：{names}")
    return role


def check_role_combination(roles: Iterable[Role]) -> frozenset[Role]:
    """Refuse an empty role set and any set that joins a security role with another."""
    chosen = frozenset(roles)
    if not chosen:
        raise InvalidInput("至少需要一个角色")
    security = chosen & SECURITY_ROLES
    if security and len(chosen) > 1:
        held = "、".join(r.label for r in sorted(security, key=lambda r: r.value))
        raise InvalidInput(f"三员分立：{held}不得兼任其他角色")
    return chosen


def require_role(held: frozenset[Role], allowed: Iterable[Role], action: str) -> None:
    """Raise PermissionDenied unless one of ``held`` is in ``allowed``; ``action`` names the act in Chinese."""
    allowed = frozenset(allowed)
    if not held & allowed:
        who = "、".join(r.label for r in Role if r in allowed)
        raise PermissionDenied(f"无权{action}：需要以下角色之一：{who}")
