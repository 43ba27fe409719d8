"""rnn_lib.notebook.claims and the perturbation switches: what keeps the lessons true on any CPU."""

from __future__ import annotations

import configparser
import json
import random
import re
import subprocess
import sys

import numpy as np
import pytest

from course_tools.course_copy import PROJECT_ROOT
from rnn_lib.notebook import SEED_OFFSET_ENV, THREADS_ENV, seed_everything, seed_offset
from rnn_lib.notebook.claims import CLAIMS_LOG_ENV, approx, check_claim


def nbval_sanitize(text: str) -> str:
    """Apply tests/course/nbval_sanitize.cfg to ``text`` the way nbval does (each regex in turn)."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(PROJECT_ROOT / "tests" / "course" / "nbval_sanitize.cfg", encoding="utf-8")
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


def test_approx_marks_the_figure():
    assert approx(0.95234) == "≈0.952"
    assert approx(3.94e-7, ".1e") == "≈3.9e-07"
    assert approx(0.5, ".1%") == "≈50.0%"


@pytest.mark.parametrize(
    ("here", "there"),
    [
        ("LSTM accuracy ≈0.952\n", "LSTM accuracy ≈0.799\n"),
        ("max |NumPy - Keras| ≈3.9e-07 (below 1e-5)", "max |NumPy - Keras| ≈4.0e-07 (below 1e-5)"),
        ("| ≈0.95 | ≈-0.12 |", "| ≈1.00 |  ≈0.37 |"),
        ("share ≈53.7% of steps", "share ≈42.7% of steps"),
    ],
)
def test_nbval_ignores_the_digits_behind_approx(here, there):
    assert nbval_sanitize(here) == nbval_sanitize(there)


@pytest.mark.parametrize(
    ("here", "there"),
    [
        ("accuracy 0.952", "accuracy 0.799"),  # a figure printed without ≈ is compared
        ("≈0.952 after 3 epochs", "≈0.952 after 4 epochs"),  # only the figure behind ≈ goes
        ("shape (4, 6, 5)", "shape (4, 6, 6)"),
        ("LSTM ≈0.95", "GRU ≈0.95"),
    ],
)
def test_nbval_still_compares_everything_else(here, there):
    assert nbval_sanitize(here) != nbval_sanitize(there)


def test_check_claim_passes_silently_on_the_right_side(capsys):
    check_claim("accuracy well above chance", 0.9, above=0.6)
    check_claim("a small difference", 3e-7, below=1e-5)
    check_claim("a figure in a range", 0.5, above=0.4, below=0.6)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("value", "bounds", "phrase"),
    [
        (0.55, {"above": 0.6}, "above 0.6"),
        (2e-5, {"below": 1e-5}, "below 1e-05"),
        (0.7, {"above": 0.4, "below": 0.6}, "above 0.4 and below 0.6"),
        (float("nan"), {"above": 0.0}, "measured nan"),
    ],
)
def test_check_claim_fails_with_the_claim_and_the_figure(value, bounds, phrase):
    with pytest.raises(AssertionError, match="accuracy well above chance") as failure:
        check_claim("accuracy well above chance", value, **bounds)
    assert phrase in str(failure.value)


def test_check_claim_needs_a_bound():
    with pytest.raises(ValueError, match="needs a bound"):
        check_claim("a figure", 1.0)


def test_check_claim_logs_every_figure_for_the_spread_benchmark(tmp_path, monkeypatch):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv(CLAIMS_LOG_ENV, str(log))
    check_claim("first", 0.9, above=0.5)
    with pytest.raises(AssertionError):
        check_claim("second", 0.1, above=0.5)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records == [
        {"claim": "first", "value": 0.9, "above": 0.5, "below": None, "holds": True},
        {"claim": "second", "value": 0.1, "above": 0.5, "below": None, "holds": False},
    ]


def test_seed_offset_shifts_every_seed(monkeypatch):
    monkeypatch.delenv(SEED_OFFSET_ENV, raising=False)
    assert seed_offset() == 0
    seed_everything(10)
    reference = (random.random(), np.random.random())
    monkeypatch.setenv(SEED_OFFSET_ENV, "3")
    assert seed_offset() == 3
    seed_everything(7)
    assert (random.random(), np.random.random()) == reference
    seed_everything(8)
    assert (random.random(), np.random.random()) != reference


@pytest.mark.slow
def test_setup_notebook_applies_the_thread_count_and_the_offset_to_keras():
    # One process per environment (each imports TensorFlow, seconds apiece): the first seed
    # through setup_notebook, any further one through seed_everything in the same process.
    code = (
        "import sys\n"
        "from rnn_lib.notebook import seed_everything, setup_notebook\n"
        "seeds = [int(seed) for seed in sys.argv[1:]]\n"
        "setup_notebook(seed=seeds[0])\n"
        "import keras, tensorflow as tf\n"
        "draws = []\n"
        "for seed in seeds:\n"
        "    seed_everything(seed)\n"
        "    draws.append(float(keras.random.uniform((1,))[0]))\n"
        "print(tf.config.threading.get_intra_op_parallelism_threads(),"
        " tf.config.threading.get_inter_op_parallelism_threads(), *draws)\n"
    )

    def run(env, *seeds):
        import os

        full_env = {k: v for k, v in os.environ.items() if k not in (SEED_OFFSET_ENV, THREADS_ENV)}
        out = subprocess.run(
            [sys.executable, "-c", code, *map(str, seeds)], env={**full_env, **env},
            capture_output=True, text=True, check=True,
        )
        intra, inter, *draws = out.stdout.split()
        return int(intra), int(inter), draws

    default = run({}, 2, 1, 2)
    perturbed = run({THREADS_ENV: "1", SEED_OFFSET_ENV: "1"}, 2)
    assert default[:2] == (0, 0), "by default TensorFlow chooses its thread counts"
    assert perturbed[:2] == (1, 1)
    (seed_2, seed_1, seed_2_again), (perturbed_2,) = default[2], perturbed[2]
    assert seed_2_again == seed_2 != seed_1, "seeding again must repeat Keras' draws"
    assert perturbed_2 != seed_2, "the offset must change what Keras draws"
    assert run({SEED_OFFSET_ENV: "-1"}, 2)[2] == [seed_1], "offset -1 on seed 2 is seed 1"
