"""The environment of every process the course tooling runs: kernels, nbgrader, tests.

One place for what the Makefile, the tests, the benchmarks and the grader used to set
each on their own:

- TensorFlow's start-up log lines off (:data:`rnn_lib.notebook.QUIET_TENSORFLOW_ENV`,
  the one definition, which a learner's set-up cell applies too);
- this interpreter's folder first on ``PATH``: kernels must run this Python, and
  nbgrader calls ``alembic`` as a command;
- ``PYTHONHASHSEED=0`` for the kernels started afterwards, so that the order of a set
  of strings repeats from run to run (it only takes effect in a new process, which is
  why a notebook's set-up cell cannot set it);
- quick mode (:data:`rnn_lib.data.home.QUICK_MODE_ENV`), switched for a block and then
  restored by :func:`quick_mode`;
- "another machine", cheaply (:data:`PERTURBED`): other seeds for every training run
  and one TensorFlow thread, the setting in which ``make test``'s nbval re-executes
  every notebook and compares its outputs with the stored ones (conftest.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rnn_lib.data.home import QUICK_MODE_ENV
from rnn_lib.notebook import QUIET_TENSORFLOW_ENV, SEED_OFFSET_ENV, THREADS_ENV

__all__ = [
    "PERTURBED",
    "QUICK_MODE_ENV",
    "environment",
    "prepare_environment",
    "quick_mode",
]

#: Another machine, cheaply: every seed shifted by one, and one TensorFlow thread. CPUs
#: round differently, so trained figures move; every claim a lesson asserts, every
#: graded verdict and every exact output must survive this.
PERTURBED = {SEED_OFFSET_ENV: "1", THREADS_ENV: "1"}


def prepare_environment() -> None:
    """Set what every process the tooling starts needs (idempotent)."""
    for name, value in QUIET_TENSORFLOW_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + path


@contextmanager
def environment(**values: str | None) -> Iterator[None]:
    """Set (a string) or unset (``None``) variables for the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        _apply(values)
        yield
    finally:
        _apply(saved)


def _apply(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def quick_mode(enabled: bool = True):
    """A block in which kernels started run in quick mode (or at full size)."""
    return environment(**{QUICK_MODE_ENV: "1" if enabled else None})
