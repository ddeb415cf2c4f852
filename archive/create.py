"""Creating an archive folder: settings, catalogue, level keys and the first two accounts.

The folder is assembled beside its destination and renamed into place at the
end, so an interrupted ``init`` leaves nothing that looks like an archive.  The
system administrator and the security officer are created together because
neither can give the other's powers later: the administrator holds no level
key, and only the security officer receives them.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .accounts import insert_account, log_account_added
from .audit import Act
from .catalogue import create_catalogue, write_transaction
from .config import CONFIG_NAME, write_new_config
from .errors import InvalidInput, Refused
from .folder import CATALOGUE_NAME, KEYSLOT_DIR, RECORD_DIR, Archive
from .keyring import create_level_keys, grant_digest_name, grant_level_key
from .keyslots import KdfParams
from .roles import Role

__all__ = ["Founder", "create_archive"]


@dataclass(frozen=True)
class Founder:
    """A first account: its name and initial passphrase."""

    name: str
    passphrase: str

    def __repr__(self) -> str:
        return f"Founder({self.name})"


def create_archive(
    root: Path,
    *,
    organisation: str,
    org_code: str,
    fonds: str,
    admin: Founder,
    security_officer: Founder,
    kdf: KdfParams,
) -> Archive:
    """Create a new archive at ``root`` (absent or an empty folder) and return it opened."""
    root = Path(root)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise Refused(f"{root} 已存在且不是空文件夹，拒绝覆盖")
    if admin.name == security_officer.name:
        raise InvalidInput("三员分立：系统管理员与安全保密管理员必须是不同的人")
    staging = root.parent / f".{root.name}.creating-{os.getpid()}"
    if not root.parent.is_dir():
        raise InvalidInput(f"上级文件夹 {root.parent} 不存在")
    staging.mkdir(mode=0o700)
    try:
        _populate(staging, organisation, org_code, fonds, admin, security_officer, kdf)
        if root.exists():
            root.rmdir()
        staging.rename(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Archive.open(root)


def _populate(
    folder: Path,
    organisation: str,
    org_code: str,
    fonds: str,
    admin: Founder,
    officer: Founder,
    kdf: KdfParams,
) -> None:
    config = write_new_config(folder / CONFIG_NAME, organisation=organisation, org_code=org_code, fonds=fonds)
    (folder / KEYSLOT_DIR).mkdir(mode=0o700)
    (folder / RECORD_DIR).mkdir(mode=0o700)
    conn = create_catalogue(folder / CATALOGUE_NAME)
    archive = Archive(folder, config, conn)
    try:
        with write_transaction(conn):
            conn.execute("INSERT INTO meta (key, value) VALUES ('archive_id', ?)", (config.archive_id,))
            admin_account, admin_keys = insert_account(archive, admin.name, {Role.ADMIN}, admin.passphrase, kdf, None)
            officer_account, _ = insert_account(
                archive, officer.name, {Role.SECURITY_OFFICER}, officer.passphrase, kdf, admin.name
            )
            level_keys = create_level_keys(conn)
            digests = {
                grant_digest_name(officer_account.account_id, key.level, key.version): {
                    "wrapped": grant_level_key(
                        conn, config.archive_id, officer_account.account_id, officer_account.box_public, key, admin.name
                    )
                }
                for key in level_keys.values()
            }
            act = Act(conn, config.archive_id, admin.name, admin_keys.sign_private)
            act.log("archive.create", info={"organisation": organisation, "org_code": org_code, "fonds": fonds})
            for account in (admin_account, officer_account):
                log_account_added(act, account)
            act.log(
                "clearance.set",
                [f"account:{officer_account.account_id}"],
                digests=digests,
                info={"name": officer.name, "from": None, "to": max(level_keys).label},
            )
            act.sign_checkpoint()
    finally:
        conn.close()
