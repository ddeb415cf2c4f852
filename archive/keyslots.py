"""Keyslots: an account's private keys, sealed under its passphrase.

A keyslot is a small JSON file.  The passphrase goes through Argon2id (its
parameters and salt stored in the slot) to a key-encryption key, which opens an
AES-256-GCM box holding the account's X25519 and Ed25519 private keys.  All
other fields of the slot are the box's associated data, so editing the account
name, the public keys or the KDF parameters makes the slot fail to open.

Changing a passphrase rewrites only this file; nothing else in the archive is
encrypted to the passphrase.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from . import crypto
from .errors import CredentialsError, IntegrityError
from .files import write_atomic

__all__ = ["AccountKeys", "KdfParams", "Keyslot", "create_keyslot", "read_keyslot"]

SLOT_FORMAT = 1
_RAW = serialization.Encoding.Raw


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters; ``standard()`` for real use, ``insecure_for_tests()`` only in tests."""

    time_cost: int
    memory_cost: int  # KiB
    parallelism: int

    @classmethod
    def standard(cls) -> KdfParams:
        """64 MiB, 3 passes, 4 lanes: about 0.2 s on the office machines we measured."""
        return cls(time_cost=3, memory_cost=64 * 1024, parallelism=4)

    @classmethod
    def insecure_for_tests(cls) -> KdfParams:
        """Tiny parameters so test suites run quickly; `archive verify` warns about such slots."""
        return cls(time_cost=1, memory_cost=64, parallelism=1)

    @classmethod
    def from_environment(cls) -> KdfParams:
        """Standard parameters unless ``XINFANG_INSECURE_TEST_KDF=1`` explicitly asks for the test ones."""
        if os.environ.get("XINFANG_INSECURE_TEST_KDF") == "1":
            return cls.insecure_for_tests()
        return cls.standard()

    @property
    def is_weak(self) -> bool:
        """True below the standard memory or time cost."""
        standard = KdfParams.standard()
        return self.memory_cost < standard.memory_cost or self.time_cost < standard.time_cost


@dataclass(frozen=True)
class AccountKeys:
    """An account's four keys: the private halves exist only in memory after a slot is opened."""

    box_private: bytes
    box_public: bytes
    sign_private: bytes
    sign_public: bytes

    @classmethod
    def generate(cls) -> AccountKeys:
        """Fresh X25519 (receiving wrapped keys) and Ed25519 (signing) key pairs."""
        box = X25519PrivateKey.generate()
        signer = Ed25519PrivateKey.generate()
        none = serialization.NoEncryption()
        raw_private = serialization.PrivateFormat.Raw
        raw_public = serialization.PublicFormat.Raw
        return cls(
            box_private=box.private_bytes(_RAW, raw_private, none),
            box_public=box.public_key().public_bytes(_RAW, raw_public),
            sign_private=signer.private_bytes(_RAW, raw_private, none),
            sign_public=signer.public_key().public_bytes(_RAW, raw_public),
        )


@dataclass(frozen=True)
class Keyslot:
    """A parsed keyslot file; :meth:`unlock` needs the passphrase."""

    account: str
    kdf: KdfParams
    salt: bytes
    box_public: bytes
    sign_public: bytes
    sealed: bytes

    def unlock(self, passphrase: str) -> AccountKeys:
        """Derive the key-encryption key and open the slot; a wrong passphrase is a CredentialsError."""
        kek = _derive(passphrase, self.salt, self.kdf)
        try:
            secret = crypto.open_sealed(kek, self.sealed, _associated(self._header()), "口令槽")
        except IntegrityError as exc:
            raise CredentialsError("用户名或口令错误") from exc
        return AccountKeys(secret[:32], self.box_public, secret[32:], self.sign_public)

    def _header(self) -> dict[str, Any]:
        return {
            "format": SLOT_FORMAT,
            "account": self.account,
            "kdf": {
                "algorithm": "argon2id",
                "version": 19,
                "time_cost": self.kdf.time_cost,
                "memory_cost": self.kdf.memory_cost,
                "parallelism": self.kdf.parallelism,
                "salt": _b64(self.salt),
            },
            "box_public": _b64(self.box_public),
            "sign_public": _b64(self.sign_public),
        }

    def to_bytes(self) -> bytes:
        """The slot file's exact content."""
        document = self._header() | {"sealed": _b64(self.sealed)}
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def create_keyslot(path: Path, account: str, keys: AccountKeys, passphrase: str, kdf: KdfParams) -> Keyslot:
    """Seal ``keys`` under ``passphrase`` and write the slot atomically to ``path``."""
    salt = os.urandom(16)
    unsealed = Keyslot(account, kdf, salt, keys.box_public, keys.sign_public, b"")
    kek = _derive(passphrase, salt, kdf)
    sealed = crypto.seal(kek, keys.box_private + keys.sign_private, _associated(unsealed._header()))
    slot = Keyslot(account, kdf, salt, keys.box_public, keys.sign_public, sealed)
    write_atomic(path, slot.to_bytes())
    return slot


def read_keyslot(path: Path) -> Keyslot:
    """Parse a slot file; a missing or malformed one is an IntegrityError naming the file."""
    try:
        document = json.loads(path.read_bytes())
        kdf = document["kdf"]
        if document["format"] != SLOT_FORMAT or kdf["algorithm"] != "argon2id" or kdf["version"] != 19:
            raise IntegrityError(f"口令槽 {path.name} 的格式版本未知")
        return Keyslot(
            account=str(document["account"]),
            kdf=KdfParams(int(kdf["time_cost"]), int(kdf["memory_cost"]), int(kdf["parallelism"])),
            salt=_unb64(kdf["salt"]),
            box_public=_unb64(document["box_public"]),
            sign_public=_unb64(document["sign_public"]),
            sealed=_unb64(document["sealed"]),
        )
    except FileNotFoundError as exc:
        raise IntegrityError(f"口令槽 {path.name} 缺失") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IntegrityError(f"口令槽 {path.name} 已损坏") from exc


def _derive(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_cost,
        parallelism=kdf.parallelism,
        hash_len=crypto.KEY_SIZE,
        type=Type.ID,
    )


def _associated(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
