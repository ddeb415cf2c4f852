"""Fixtures of the library tests that the command-line tests of the same documents and reports share."""

from tests.archive.test_statistics import month, month_template
from tests.generators.conftest import town, town_template

__all__ = ["month", "month_template", "town", "town_template"]
