from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.errors import CredentialsError, IntegrityError
from archive.keyslots import AccountKeys, KdfParams, create_keyslot, read_keyslot

KDF = KdfParams.insecure_for_tests()


def test_a_slot_opens_with_its_passphrase_and_returns_the_same_keys(tmp_path: Path) -> None:
    keys = AccountKeys.generate()
    create_keyslot(tmp_path / "slot.json", "王文秘", keys, "口令 passphrase", KDF)
    assert read_keyslot(tmp_path / "slot.json").unlock("口令 passphrase") == keys


def test_a_wrong_passphrase_is_a_credentials_error(tmp_path: Path) -> None:
    create_keyslot(tmp_path / "slot.json", "王文秘", AccountKeys.generate(), "right passphrase", KDF)
    with pytest.raises(CredentialsError):
        read_keyslot(tmp_path / "slot.json").unlock("wrong passphrase")


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(account="孙档案"),
        lambda d: d["kdf"].update(time_cost=2),
        lambda d: d.update(box_public=AccountKeys.generate().box_public.hex()[:44] + "="),
    ],
    ids=["account name", "kdf parameters", "public key"],
)
def test_editing_any_field_makes_the_slot_fail_to_open(tmp_path: Path, edit) -> None:
    path = tmp_path / "slot.json"
    create_keyslot(path, "王文秘", AccountKeys.generate(), "right passphrase", KDF)
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))
    with pytest.raises((CredentialsError, IntegrityError)):
        read_keyslot(path).unlock("right passphrase")


def test_the_slot_file_holds_no_private_key_in_the_clear(tmp_path: Path) -> None:
    keys = AccountKeys.generate()
    create_keyslot(tmp_path / "slot.json", "王文秘", keys, "right passphrase", KDF)
    raw = (tmp_path / "slot.json").read_bytes()
    assert keys.box_private not in raw and keys.sign_private not in raw
    assert b"right passphrase" not in raw


def test_a_garbled_slot_file_is_an_integrity_error(tmp_path: Path) -> None:
    (tmp_path / "slot.json").write_text("{not json")
    with pytest.raises(IntegrityError, match="已损坏"):
        read_keyslot(tmp_path / "slot.json")


def test_test_parameters_are_weak_and_standard_ones_are_not() -> None:
    assert KdfParams.insecure_for_tests().is_weak
    assert not KdfParams.standard().is_weak
    assert KdfParams.standard().memory_cost == 64 * 1024
