from __future__ import annotations

import pytest

from archive import Level, NotFound, PermissionDenied, Refused, login, set_clearance
from tests.conftest import ADMIN, OFFICER, PASSPHRASE, Office


def test_raising_a_clearance_hands_over_exactly_the_levels_up_to_it(office: Office) -> None:
    with office.open() as archive:
        set_clearance(archive, login(archive, OFFICER, PASSPHRASE), "郑秘书", Level.CONFIDENTIAL)
        assert set(login(archive, "郑秘书", PASSPHRASE).level_keys) == {
            Level.PUBLIC, Level.INTERNAL, Level.SECRET, Level.CONFIDENTIAL
        }


def test_lowering_removes_keys_and_says_rotation_is_due(office: Office) -> None:
    with office.open() as archive:
        change = set_clearance(archive, login(archive, OFFICER, PASSPHRASE), "王文秘", Level.INTERNAL)
        assert change.previous == Level.CONFIDENTIAL and change.current == Level.INTERNAL
        assert change.rotation_due == (Level.SECRET, Level.CONFIDENTIAL)
        assert max(login(archive, "王文秘", PASSPHRASE).level_keys) == Level.INTERNAL


def test_a_leader_passes_on_only_levels_he_holds_and_cannot_lower(office: Office) -> None:
    with office.open() as archive:
        leader = login(archive, "吴领导", PASSPHRASE)
        set_clearance(archive, leader, "郑秘书", Level.TOP_SECRET)
        assert max(login(archive, "郑秘书", PASSPHRASE).level_keys) == Level.TOP_SECRET
        with pytest.raises(PermissionDenied, match="安全保密管理员"):
            set_clearance(archive, leader, "郑秘书", Level.SECRET)


def test_a_leader_cannot_grant_above_his_own_clearance(office: Office) -> None:
    with office.open() as archive:
        set_clearance(archive, login(archive, OFFICER, PASSPHRASE), "吴领导", Level.SECRET)
        with pytest.raises(PermissionDenied, match="不持有机密级密钥"):
            set_clearance(archive, login(archive, "吴领导", PASSPHRASE), "郑秘书", Level.CONFIDENTIAL)


@pytest.mark.parametrize("actor", [ADMIN, "钱审计", "王文秘", "周调查"])
def test_other_roles_cannot_change_clearances(office: Office, actor: str) -> None:
    with office.open() as archive:
        with pytest.raises(PermissionDenied):
            set_clearance(archive, login(archive, actor, PASSPHRASE), "郑秘书", Level.INTERNAL)


@pytest.mark.parametrize("target", [ADMIN, "钱审计"])
def test_the_admin_and_the_auditor_never_receive_level_keys(office: Office, target: str) -> None:
    with office.open() as archive:
        with pytest.raises(Refused, match="三员分立"):
            set_clearance(archive, login(archive, OFFICER, PASSPHRASE), target, Level.PUBLIC)


def test_an_unknown_account_is_named(office: Office) -> None:
    with office.open() as archive:
        with pytest.raises(NotFound, match="无此人"):
            set_clearance(archive, login(archive, OFFICER, PASSPHRASE), "无此人", Level.PUBLIC)
