"""What every command needs: the archive folder, the acting user and secrets from their sources.

The archive comes from ``--archive`` or ``XINFANG_ARCHIVE``; the user from
``--user`` or ``XINFANG_USER``; a passphrase from an environment variable, a
file, or a hidden prompt — in that order.  A file's trailing newline is not
part of the passphrase.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import click

from archive import Archive, CredentialsError, InvalidInput, KdfParams, Session, login

__all__ = ["Runtime", "pass_runtime", "read_secret"]


def read_secret(env: str, file: Path | None, prompt: str, *, confirm: bool = False) -> str:
    """A secret from ``env``, else from ``file``, else typed at a hidden prompt."""
    if env in os.environ:
        return os.environ[env]
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"无法读取口令文件 {file}") from exc
    try:
        for _ in range(3):
            secret = click.prompt(prompt, hide_input=True, err=True)
            if not confirm or click.prompt("请再输入一次", hide_input=True, err=True) == secret:
                return secret
            click.echo("两次输入不一致，请重新输入。", err=True)
    except click.Abort as exc:
        raise CredentialsError(f"未提供口令：请设置 {env}、使用口令文件，或在终端中输入") from exc
    raise CredentialsError("三次输入都不一致，已放弃")


@dataclass
class Runtime:
    """The root options, and the archive and session opened from them on first use."""

    archive_dir: Path | None
    user: str | None
    passphrase_file: Path | None
    debug: bool
    _archive: Archive | None = field(default=None, repr=False)
    _session: Session | None = field(default=None, repr=False)

    def archive(self) -> Archive:
        """The open archive; closed when the command ends."""
        if self._archive is None:
            if self.archive_dir is None:
                raise click.UsageError("未指定档案库：请使用 --archive DIR 或设置环境变量 XINFANG_ARCHIVE")
            self._archive = Archive.open(self.archive_dir)
            click.get_current_context().call_on_close(self._archive.close)
        return self._archive

    def session(self) -> Session:
        """The acting user, authenticated."""
        if self._session is None:
            if not self.user:
                raise CredentialsError("未指定用户：请使用 --user 或设置环境变量 XINFANG_USER")
            archive = self.archive()
            passphrase = read_secret("XINFANG_PASSPHRASE", self.passphrase_file, f"{self.user} 的口令")
            self._session = login(archive, self.user, passphrase)
        return self._session

    @staticmethod
    def kdf() -> KdfParams:
        """Argon2id parameters for new keyslots (weak ones only when a test asks explicitly)."""
        return KdfParams.from_environment()


pass_runtime = click.make_pass_decorator(Runtime)
