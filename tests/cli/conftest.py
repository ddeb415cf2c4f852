"""Fixtures of the library tests that the command-line tests of the same documents, reports and searches share."""

from tests.archive.test_statistics import month, month_template
from tests.generators.conftest import town, town_template
from tests.search.conftest import library, library_template

__all__ = ["library", "library_template", "month", "month_template", "town", "town_template"]
