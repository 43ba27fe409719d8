"""Notebook support, used by every lesson: set-up, machine-dependent figures, timings, plots.

- :mod:`~rnn_lib.notebook.setup`: the locked set-up cell (seeds, a quiet TensorFlow,
  plot defaults); its names are re-exported here, so a lesson starts with
  ``from rnn_lib.notebook import setup_notebook``.
- :mod:`~rnn_lib.notebook.claims`: figures that vary between machines, printed behind
  "≈" with their claims asserted.
- :mod:`~rnn_lib.notebook.timing`: wall-clock timings in the format nbval ignores.
- :mod:`~rnn_lib.notebook.plots`: the plots the lessons draw again and again.
- :mod:`~rnn_lib.notebook.cases`: the declarative form of graded cases (``expect``),
  which the grader checks outside the learner's kernel.
- :mod:`~rnn_lib.notebook.stand_ins`: stand-ins for earlier exercises, so that an
  exercise that composes one is graded on its own.
- :mod:`~rnn_lib.notebook.explain`: what a public test was calling when the learner's
  code raised (``explain_errors``, re-exported here).
"""

from rnn_lib.notebook.explain import explain_errors
from rnn_lib.notebook.setup import (
    QUIET_TENSORFLOW_ENV,
    SEED_OFFSET_ENV,
    THREADS_ENV,
    quiet_tensorflow,
    seed_everything,
    seed_offset,
    setup_notebook,
)

__all__ = [
    "QUIET_TENSORFLOW_ENV",
    "SEED_OFFSET_ENV",
    "THREADS_ENV",
    "explain_errors",
    "quiet_tensorflow",
    "seed_everything",
    "seed_offset",
    "setup_notebook",
]
