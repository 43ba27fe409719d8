"""Every lesson: the set-up a lesson runs first, in a locked cell.

nbgrader scores a test cell 0 when anything reaches stderr, so a correct learner
must never lose points to log noise. TensorFlow 2.21 prints its C++ start-up lines
(oneDNN, CUDA probing) *while it is imported*, before ``TF_CPP_MIN_LOG_LEVEL`` is
read, so :func:`setup_notebook` imports it once with the process's stderr pointed at
``/dev/null``. Later imports are free and silent.
"""

from __future__ import annotations

import logging
import os
import random
import sys
import warnings
from contextlib import contextmanager

import numpy as np

#: Added to every seed that :func:`seed_everything` sets: a run with another offset
#: trains from other initial weights and shuffles (CI's perturbation check, and
#: benchmarks/claim_spread.py, which measures how far the lessons' figures move).
SEED_OFFSET_ENV = "RNN_COURSE_SEED_OFFSET"
#: TensorFlow's intra- and inter-op thread count (default: all cores). Another
#: count sums in another order, a cheap stand-in for another CPU's rounding.
THREADS_ENV = "RNN_COURSE_THREADS"

#: What keeps TensorFlow quiet and repeatable, set before it is imported: no C++ log
#: lines, and no oneDNN (whose reordered reductions change the last bits run to run).
#: The one definition; the course tooling applies it to every process it starts.
QUIET_TENSORFLOW_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}

# Libraries whose warnings are noise to a learner (deprecations inside TF/Keras).
_NOISY_MODULES = r"(tensorflow|keras|absl|google|h5py|jupyter_client|traitlets|statsmodels)"


@contextmanager
def _stderr_to_devnull():
    """Point file descriptor 2 at /dev/null for the block (C++ writes included)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (some embedded shells): nothing to hide
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_tensorflow():
    """Import TensorFlow without its start-up log lines and return the module."""
    for name, value in QUIET_TENSORFLOW_ENV.items():
        os.environ.setdefault(name, value)
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _stderr_to_devnull():
        import tensorflow as tf
    tf.get_logger().setLevel(logging.ERROR)
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # absl ships with TensorFlow; be safe anyway
        pass
    return tf


def seed_offset() -> int:
    """The offset ``$RNN_COURSE_SEED_OFFSET`` adds to every seed (0 when unset)."""
    return int(os.environ.get(SEED_OFFSET_ENV, "").strip() or 0)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and (if imported) TensorFlow/Keras' generators.

    Lessons call it before each training run, so that the run repeats exactly on
    one machine. ``$RNN_COURSE_SEED_OFFSET`` shifts the seed: the lessons' claims
    about trained results must hold for every seed, not only the stored one.
    Data sets are drawn from generators with seeds of their own and do not move.

    Args:
        seed: the seed; the same seed gives the same weights and shuffles.
    """
    seed = int(seed) + seed_offset()
    random.seed(seed)
    np.random.seed(seed)
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)


def setup_notebook(seed: int = 0, *, tensorflow: bool = True) -> None:
    """Make a lesson deterministic and quiet. Call it in the first (locked) cell.

    Args:
        seed: the seed for every random generator.
        tensorflow: also import TensorFlow quietly and make its ops deterministic.
    """
    warnings.filterwarnings("ignore", module=_NOISY_MODULES)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    if tensorflow:
        tf = quiet_tensorflow()
        _limit_threads(tf)
        tf.config.experimental.enable_op_determinism()
    seed_everything(seed)
    _matplotlib_defaults()
    np.set_printoptions(precision=4, suppress=True, linewidth=100)


def _limit_threads(tf) -> None:
    """Apply ``$RNN_COURSE_THREADS`` to TensorFlow (only before its first op)."""
    threads = os.environ.get(THREADS_ENV, "").strip()
    if not threads:
        return
    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))
    except RuntimeError:  # the set-up cell re-run in a kernel that already ran ops
        pass


def _matplotlib_defaults() -> None:
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (8.0, 3.5),
            "figure.dpi": 90,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
