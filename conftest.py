"""Root pytest configuration: applies to tests/ and to the nbval run over solutions/."""

from __future__ import annotations

import re

import pytest

from course_tools.environment import prepare_environment, set_quick_mode
from course_tools.notebooks import ci_quick_mode

# Before anything imports TensorFlow: no C++ log lines, no oneDNN; kernels started by
# nbval and nbgrader run this interpreter, whatever PATH said.
prepare_environment()


def pytest_collectstart(collector):
    """nbval: never compare stderr (warnings and log lines are not lesson content).

    Everything else a solution notebook prints is compared, after the regexes in
    tests/course/nbval_sanitize.cfg have removed timings, memory addresses and the digits of
    figures printed behind "≈".
    """
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb" and hasattr(collector, "skip_compare"):
        collector.skip_compare = (*collector.skip_compare, "stderr")


@pytest.hookimpl(tryfirst=True)  # before nbval's collector starts the notebook's kernel
def pytest_runtest_setup(item):
    """nbval: run each notebook in the mode CI stores it in (see course_tools.notebooks)."""
    path = getattr(item, "path", None)
    if path is None or path.suffix != ".ipynb":
        return
    set_quick_mode(ci_quick_mode(path))


def pytest_collection_modifyitems(items):
    """Hand out the longest work first.

    pytest-xdist gives out tests (and xdist groups) in collection order: the slow tests
    come first, the later (larger) lessons' before the earlier ones', and the quick
    tests fill the workers at the end.
    """

    def longest_first(item):
        lesson = re.search(r"\b(\d\d)_[a-z]", item.nodeid)
        return (0 if item.get_closest_marker("slow") else 1, -int(lesson[1]) if lesson else 0)

    items.sort(key=longest_first)
