"""The public surface: exported names, layering, and help text that documents itself."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest

from xinfang.cli import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["archive", "generators", "search", "xinfang"]


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_exports_a_sorted_list_of_names_that_exist(name: str) -> None:
    package = importlib.import_module(name)
    assert package.__all__ == sorted(package.__all__)
    for exported in package.__all__:
        assert hasattr(package, exported), f"{name}.{exported}"


def test_archive_modules_declare_all() -> None:
    for path in sorted((ROOT / "archive").glob("*.py")):
        module = importlib.import_module(f"archive.{path.stem}")
        assert hasattr(module, "__all__"), path.name


def test_the_libraries_load_without_click_and_archive_imports_nothing_of_ours() -> None:
    code = (
        "import sys; sys.modules['click'] = None; sys.modules['rich'] = None\n"
        "import archive, archive.days, archive.merkle\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in {'generators', 'search', 'xinfang'})\n"
        "assert not leaked, leaked\n"
        "import generators, search\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _commands(group: click.Group, prefix: str = "xinfang") -> list[tuple[str, click.Command]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


@pytest.mark.parametrize(("path", "command"), _commands(main), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_with_an_example_and_is_in_the_readme(path: str, command: click.Command) -> None:
    assert command.help and "例" in command.help, f"{path} needs help text with an example"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert path.removeprefix("xinfang ") in readme, f"{path} is not in README.md"


def test_every_option_has_help() -> None:
    for path, command in _commands(main):
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{path} {param.opts[0]}"
