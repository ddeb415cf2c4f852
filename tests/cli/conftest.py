"""The generators' office fixtures, shared with the command-line tests of the same documents."""

from tests.generators.conftest import town, town_template

__all__ = ["town", "town_template"]
