"""Checkpoints taken off the machine, and proving the log still extends them.

A signed checkpoint printed on paper or kept on another machine is an anchor:
whoever holds it can later show that the archive's log still contains, unchanged,
every entry the checkpoint covered.  This catches what no check inside the
folder can: a log cut short or rolled back to an older copy together with its
checkpoints.  The file is small, printable text; its signature is checked
against the signer's public key in the catalogue, and the key's fingerprint is
printed too, so a replaced key is seen.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from . import crypto, merkle
from .audit import AuditProblem, Checkpoint, LogSummary
from .errors import InvalidInput

__all__ = [
    "AnchorResult",
    "ExportedCheckpoint",
    "check_anchor",
    "format_checkpoint",
    "key_fingerprint",
    "parse_checkpoint",
    "read_checkpoint_file",
]

_TITLE = "xinfang 审计检查点"
_FIELDS = {
    "档案库": "archive_id",
    "条目数": "size",
    "根哈希": "root",
    "签署时间": "signed_at",
    "签署人": "signer",
    "签署人公钥指纹": "fingerprint",
    "签名": "signature",
}


def key_fingerprint(public_key: bytes) -> str:
    """The first 16 bytes of SHA-256 of a public key, hex in groups of four: easy to compare by eye."""
    digest = crypto.sha256_hex(public_key)[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def format_checkpoint(checkpoint: Checkpoint, organisation: str, signer_key: bytes) -> str:
    """The printable text of an exported checkpoint."""
    return (
        f"{_TITLE}\n"
        f"机关：{organisation}\n"
        f"档案库：{checkpoint.archive_id}\n"
        f"条目数：{checkpoint.size}\n"
        f"根哈希：{checkpoint.root.hex()}\n"
        f"签署时间：{checkpoint.signed_at}\n"
        f"签署人：{checkpoint.signer}\n"
        f"签署人公钥指纹：{key_fingerprint(signer_key)}\n"
        f"签名：{base64.b64encode(checkpoint.signature).decode()}\n"
    )


@dataclass(frozen=True)
class ExportedCheckpoint:
    """A checkpoint read back from its text, with the key fingerprint it was printed with."""

    checkpoint: Checkpoint
    fingerprint: str


def parse_checkpoint(text: str, source: str) -> ExportedCheckpoint:
    """Read an exported checkpoint; anything malformed is InvalidInput naming ``source``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != _TITLE:
        raise InvalidInput(f"{source} 不是 xinfang 审计检查点文件")
    values: dict[str, str] = {}
    for line in lines[1:]:
        label, sep, value = line.partition("：")
        if sep and label in _FIELDS:
            values[_FIELDS[label]] = value.strip()
    missing = [label for label, key in _FIELDS.items() if key not in values]
    if missing:
        raise InvalidInput(f"{source} 缺少：{'、'.join(missing)}")
    try:
        checkpoint = Checkpoint(
            archive_id=values["archive_id"],
            size=int(values["size"]),
            root=bytes.fromhex(values["root"]),
            signed_at=values["signed_at"],
            signer=values["signer"],
            signature=base64.b64decode(values["signature"], validate=True),
        )
    except ValueError as exc:
        raise InvalidInput(f"{source} 的内容格式不对：{exc}") from exc
    if checkpoint.size < 1 or len(checkpoint.root) != merkle.HASH_SIZE:
        raise InvalidInput(f"{source} 的条目数或根哈希不对")
    return ExportedCheckpoint(checkpoint, values["fingerprint"])


@dataclass(frozen=True)
class AnchorResult:
    """What checking one exported checkpoint found."""

    source: str
    size: int
    signer: str
    problems: list[AuditProblem]


def check_anchor(
    exported: ExportedCheckpoint, source: str, archive_id: str, public_keys: dict[str, bytes], log: LogSummary
) -> AnchorResult:
    """Prove with an RFC 6962 consistency proof that the current log extends the exported checkpoint."""
    checkpoint = exported.checkpoint
    where = f"检查点文件 {source}（{checkpoint.signer}，{checkpoint.signed_at}，{checkpoint.size} 条）"
    problems = []

    def fail(message: str) -> AnchorResult:
        problems.append(AuditProblem(where, message))
        return AnchorResult(source, checkpoint.size, checkpoint.signer, problems)

    if checkpoint.archive_id != archive_id:
        return fail("属于另一个档案库")
    key = public_keys.get(checkpoint.signer)
    if key is None:
        return fail(f"签署人“{checkpoint.signer}”已不是本档案库的账户")
    if key_fingerprint(key) != exported.fingerprint:
        return fail("签署人的公钥与检查点上印的指纹不符：目录中的公钥被替换")
    if not crypto.verify_signature(key, checkpoint.signature, checkpoint.message()):
        return fail("签名无效：检查点文件被改动")
    if log.size < checkpoint.size:
        return fail(f"日志现在只有 {log.size} 条，少于检查点的 {checkpoint.size} 条：日志被截短或回滚")
    proof = merkle.consistency_proof(log.leaves, checkpoint.size)
    current_root = merkle.root_hash(log.leaves)
    if not merkle.verify_consistency(checkpoint.size, log.size, checkpoint.root, current_root, proof):
        return fail(f"当前日志不是该检查点的延续：前 {checkpoint.size} 条中有条目被改写，或日志被回滚后重写")
    return AnchorResult(source, checkpoint.size, checkpoint.signer, problems)


def read_checkpoint_file(path: Path) -> ExportedCheckpoint:
    """Read and parse an exported checkpoint file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"无法读取检查点文件 {path}") from exc
    return parse_checkpoint(text, path.name)
