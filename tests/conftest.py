"""Settings and fixtures every test shares."""

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.archive_books import NOW

# Speed is measured by scripts/bench_*.py, not asserted in tests: a loaded machine must not fail a
# property test for taking long on one example.
settings.register_profile("track-xls", deadline=None)
settings.load_profile("track-xls")


@pytest.fixture(scope="session")
def blank(tmp_path_factory) -> Path:
    """A Chinese tracker as ``init`` makes it, made once: copy it before writing (a test module may
    define its own ``blank``)."""
    from workbook.author.template import build_template

    path = tmp_path_factory.mktemp("blank") / "tracker.xlsx"
    build_template(path, "zh")
    return path


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    """A demo tracker of 100 tickets over the months before ``archive_books.NOW``, made once per module."""
    from workbook.app.demo import make_demo_tracker

    path, _ = make_demo_tracker(tmp_path_factory.mktemp("master"), "zh", 100, NOW)
    return path


@pytest.fixture
def tracker(master, tmp_path) -> Path:
    """A copy of ``master`` of the test's own (a test module may define its own ``tracker``)."""
    path = tmp_path / master.name
    shutil.copy(master, path)
    return path
