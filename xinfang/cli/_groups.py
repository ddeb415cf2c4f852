"""Command groups whose most common sub-command may be left out."""

from __future__ import annotations

import click

__all__ = ["DefaultCommandGroup"]


class DefaultCommandGroup(click.Group):
    """A group where ``GROUP ARGS…`` means ``GROUP DEFAULT ARGS…`` unless ARGS start with a sub-command.

    ``issue DRAFT`` signs a draft and ``search 挪用`` searches: what the group is
    mostly for needs no extra word, and the other sub-commands keep their names.
    """

    default_command: str = ""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)
