from __future__ import annotations

import pytest

from archive import (
    CredentialsError,
    InvalidInput,
    Level,
    PermissionDenied,
    Refused,
    Role,
    add_account,
    change_passphrase,
    disable_account,
    list_accounts,
    login,
)
from tests.conftest import ADMIN, KDF, OFFICER, PASSPHRASE, Office


def test_the_admin_and_the_auditor_hold_no_level_key(office: Office) -> None:
    with office.open() as archive:
        assert login(archive, ADMIN, PASSPHRASE).level_keys == {}
        assert login(archive, "钱审计", PASSPHRASE).level_keys == {}
        assert set(login(archive, OFFICER, PASSPHRASE).level_keys) == set(Level)


def test_a_new_account_has_no_clearance(office: Office) -> None:
    with office.open() as archive:
        admin = login(archive, ADMIN, PASSPHRASE)
        add_account(archive, admin, "新同志", [Role.SECRETARY], PASSPHRASE, KDF)
        assert login(archive, "新同志", PASSPHRASE).level_keys == {}
        listed = {a.name: a for a in list_accounts(archive, admin)}
        assert listed["新同志"].clearance is None
        assert listed["王文秘"].clearance == "机密"


@pytest.mark.parametrize(
    "roles",
    [[Role.ADMIN, Role.SECRETARY], [Role.SECURITY_OFFICER, Role.AUDITOR], [Role.AUDITOR, Role.LEADER]],
)
def test_a_security_role_cannot_be_combined_with_another(office: Office, roles: list[Role]) -> None:
    with office.open() as archive:
        with pytest.raises(InvalidInput, match="三员分立"):
            add_account(archive, login(archive, ADMIN, PASSPHRASE), "兼职者", roles, PASSPHRASE, KDF)


def test_business_roles_combine(office: Office) -> None:
    with office.open() as archive:
        account = add_account(
            archive, login(archive, ADMIN, PASSPHRASE), "兼职者", [Role.SECRETARY, Role.ARCHIVIST], PASSPHRASE, KDF
        )
        assert account.roles == {Role.SECRETARY, Role.ARCHIVIST}


def test_only_the_admin_creates_accounts(office: Office) -> None:
    with office.open() as archive:
        for name in (OFFICER, "吴领导", "王文秘"):
            with pytest.raises(PermissionDenied):
                add_account(archive, login(archive, name, PASSPHRASE), "某人", [Role.SECRETARY], PASSPHRASE, KDF)


def test_a_duplicate_name_is_refused(office: Office) -> None:
    with office.open() as archive:
        with pytest.raises(Refused, match="已存在"):
            add_account(archive, login(archive, ADMIN, PASSPHRASE), "王文秘", [Role.SECRETARY], PASSPHRASE, KDF)


def test_unknown_user_and_wrong_passphrase_answer_alike(office: Office) -> None:
    with office.open() as archive:
        with pytest.raises(CredentialsError) as unknown:
            login(archive, "无此人", PASSPHRASE)
        with pytest.raises(CredentialsError) as wrong:
            login(archive, "王文秘", "wrong passphrase")
        assert str(unknown.value) == str(wrong.value)


def test_changing_a_passphrase_rewrites_only_that_slot_and_the_old_one_stops_working(office: Office) -> None:
    slots = sorted((office.path / "keyslots").iterdir())
    before = {path.name: path.read_bytes() for path in slots}
    with office.open() as archive:
        change_passphrase(archive, "王文秘", PASSPHRASE, "一个新的口令 new one", KDF)
        with pytest.raises(CredentialsError):
            login(archive, "王文秘", PASSPHRASE)
        session = login(archive, "王文秘", "一个新的口令 new one")
        assert max(session.level_keys) == Level.CONFIDENTIAL
        changed = [p.name for p in slots if p.read_bytes() != before[p.name]]
        assert changed == [archive.slot_path(session.account.account_id).name]


def test_disabling_wipes_the_slot_removes_keys_and_blocks_login(office: Office) -> None:
    with office.open() as archive:
        account_id = login(archive, "王文秘", PASSPHRASE).account.account_id
        held = disable_account(archive, login(archive, ADMIN, PASSPHRASE), "王文秘")
        assert held == [Level.PUBLIC, Level.INTERNAL, Level.SECRET, Level.CONFIDENTIAL]
        assert not archive.slot_path(account_id).exists()
        with pytest.raises(CredentialsError):
            login(archive, "王文秘", PASSPHRASE)
        (due,) = archive.conn.execute(
            "SELECT COUNT(*) FROM level_keys WHERE rotation_due IS NOT NULL"
        ).fetchone()
        assert due == 4


def test_the_only_security_officer_cannot_be_disabled(office: Office) -> None:
    with office.open() as archive:
        with pytest.raises(Refused, match="唯一"):
            disable_account(archive, login(archive, ADMIN, PASSPHRASE), OFFICER)
