"""Cryptographic building blocks, each bound to its purpose by associated data.

Everything here is a thin, typed layer over ``cryptography`` so that the rest of
the archive never touches raw primitives: AES-256-GCM sealing, HKDF subkeys,
X25519 sealed boxes (how a level key reaches an account) and Ed25519 signatures.
Failures of the underlying library are translated into :class:`IntegrityError`
here, at the boundary.  FORMAT.md gives the byte layouts.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import IntegrityError

__all__ = [
    "KEY_SIZE",
    "NONCE_SIZE",
    "TAG_SIZE",
    "derive_subkey",
    "keyed_digest",
    "open_box",
    "open_sealed",
    "open_sealed_any",
    "random_key",
    "seal",
    "seal_box",
    "sha256_file",
    "sha256_hex",
    "sign",
    "verify_signature",
]

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
_RAW = serialization.Encoding.Raw
_RAW_PUBLIC = serialization.PublicFormat.Raw


def random_key() -> bytes:
    """A fresh 256-bit key from the operating system's CSPRNG."""
    return os.urandom(KEY_SIZE)


def sha256_hex(data: bytes) -> str:
    """SHA-256 as lowercase hex, the form digests take in the catalogue and the log."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes as hex, read in blocks so large records need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def derive_subkey(key: bytes, purpose: str) -> bytes:
    """An independent key for one purpose, so one secret never serves two ciphers."""
    return HKDF(hashes.SHA256(), KEY_SIZE, salt=None, info=f"xinfang {purpose}".encode()).derive(key)


def keyed_digest(key: bytes, data: bytes) -> str:
    """HMAC-SHA-256 as hex: a digest of plaintext that cannot be used to confirm a guess without the key."""
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def seal(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """AES-256-GCM with a random nonce; returns nonce ‖ ciphertext ‖ tag."""
    nonce = os.urandom(NONCE_SIZE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes, sealed: bytes, associated: bytes, what: str) -> bytes:
    """Reverse :func:`seal`; ``what`` names the object in the error message."""
    if len(sealed) < NONCE_SIZE + TAG_SIZE:
        raise IntegrityError(f"{what}已损坏（长度不足）")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], associated)
    except InvalidTag as exc:
        raise IntegrityError(f"{what}未通过认证（被篡改或损坏）") from exc


def open_sealed_any(keys: Sequence[bytes], sealed: bytes, associated: bytes, what: str) -> tuple[int, bytes]:
    """Reverse :func:`seal` with whichever of ``keys`` opens it: its index in ``keys``, and the plaintext.

    For ciphertexts that do not say which version of a level key sealed them,
    while a rotation is unfinished.  When none opens it, the first key's failure is raised.
    """
    try:
        return 0, open_sealed(keys[0], sealed, associated, what)
    except IntegrityError:
        for index, key in enumerate(keys[1:], 1):
            with contextlib.suppress(IntegrityError):
                return index, open_sealed(key, sealed, associated, what)
        raise


def seal_box(recipient_public: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """Encrypt to an X25519 public key: ephemeral key ‖ AES-256-GCM(HKDF(ECDH)).

    The key is fresh for every box, so the all-zero nonce is never reused.
    """
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(_RAW, _RAW_PUBLIC)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    key = _box_key(shared, ephemeral_public, recipient_public)
    return ephemeral_public + AESGCM(key).encrypt(bytes(NONCE_SIZE), plaintext, associated)


def open_box(private_key: bytes, box: bytes, associated: bytes, what: str) -> bytes:
    """Decrypt a :func:`seal_box` with the recipient's X25519 private key."""
    if len(box) < 32 + TAG_SIZE:
        raise IntegrityError(f"{what}已损坏（长度不足）")
    own = X25519PrivateKey.from_private_bytes(private_key)
    own_public = own.public_key().public_bytes(_RAW, _RAW_PUBLIC)
    try:
        shared = own.exchange(X25519PublicKey.from_public_bytes(box[:32]))
        key = _box_key(shared, box[:32], own_public)
        return AESGCM(key).decrypt(bytes(NONCE_SIZE), box[32:], associated)
    except (InvalidTag, ValueError) as exc:
        raise IntegrityError(f"{what}未通过认证（被篡改或损坏）") from exc


def _box_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(
        hashes.SHA256(), KEY_SIZE, salt=ephemeral_public + recipient_public, info=b"xinfang sealed box v1"
    ).derive(shared)


def sign(private_key: bytes, message: bytes) -> bytes:
    """An Ed25519 signature by the account whose raw private key is given."""
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message`` by ``public_key``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
