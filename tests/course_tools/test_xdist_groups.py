"""make test relies on pytest-xdist's --dist loadgroup keeping a group on one worker.

Each lesson's typical mistakes are graded once, by the worker that runs the lesson's
xdist group (tests/course/test_round_trips.py); if the groups were ignored, every
worker would grade the lesson again. pytest 9 with pytest-xdist 3.8 ignores them
silently, which is why pyproject.toml keeps pytest below 9: this test notices if a
new pair of versions does it again.
"""

from __future__ import annotations

import re
import subprocess
import sys

GROUPED = """
import os
import pytest

ONE = pytest.mark.xdist_group("one")

@pytest.mark.parametrize("case", [pytest.param(i, marks=ONE) for i in range(6)])
def test_grouped(case):
    print("WORKER", os.environ["PYTEST_XDIST_WORKER"])

@pytest.mark.parametrize("case", range(6))
def test_free(case):
    pass
"""


def test_an_xdist_group_runs_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v"]
    result = subprocess.run(
        [*command, "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    runs = re.findall(r"\[(gw\d+)\] .*PASSED \S*::test_grouped\[", result.stdout)
    assert len(runs) == 6, result.stdout
    workers = set(runs)
    assert len(workers) == 1, f"the group was split over workers {workers}:\n{result.stdout}"
