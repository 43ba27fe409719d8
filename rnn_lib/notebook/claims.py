"""Lessons 02-07: claims about results that differ from machine to machine.

Wherever a lesson prints a trained accuracy, a loss, a gradient norm after training
or a float32 round-off difference.

Those figures depend on the CPU's rounding, the thread count and the seed: two
machines of the same kind give different digits from the same notebook. So a
lesson never relies on the digits. It prints them with :func:`approx`, whose "≈"
tells the reader (and nbval's sanitizer, ``tests/course/nbval_sanitize.cfg``) that the
number varies, and it asserts the claim its text makes with :func:`check_claim`
(the LSTM beats chance by a wide margin; NumPy and Keras agree below 1e-5). The
margins of those claims were set from the spread measured over seeds and thread
counts by ``benchmarks/claim_spread.py``, which reads the figures from the log that
``$RNN_COURSE_CLAIMS_LOG`` names.
"""

from __future__ import annotations

import json
import math
import os

#: When set, :func:`check_claim` appends one JSON line per checked figure to this file.
CLAIMS_LOG_ENV = "RNN_COURSE_CLAIMS_LOG"


def approx(value: float, spec: str = ".3f") -> str:
    """Format a machine-dependent figure as ``"≈0.952"``.

    Args:
        value: the figure.
        spec: a format spec for it, e.g. ``".3f"``, ``".1e"``, ``".1%"``.

    Returns:
        The figure behind "≈": nbval compares everything around it, not its digits.
    """
    return f"≈{float(value):{spec}}"


def check_claim(
    claim: str, value: float, *, above: float | None = None, below: float | None = None
) -> None:
    """Assert that a figure lies on the side of a bound that the lesson's text says.

    Args:
        claim: what the lesson says, in words (it names the figure in the log).
        value: the measured figure.
        above: the figure must be greater than this.
        below: the figure must be less than this.

    Raises:
        AssertionError: the figure is on the wrong side of a bound (or is NaN).
        ValueError: no bound was given.
    """
    if above is None and below is None:
        raise ValueError("check_claim needs a bound: above=..., below=... or both")
    value = float(value)
    holds = not math.isnan(value)
    holds = holds and (above is None or value > above) and (below is None or value < below)
    _log(claim, value, above, below, holds)
    if not holds:
        bounds = " and ".join(
            f"{side} {bound:g}" for side, bound in (("above", above), ("below", below))
            if bound is not None
        )
        raise AssertionError(
            f"The lesson claims {claim}: the figure should be {bounds}, and this run "
            f"measured {value:.4g}. If you changed a cell above, that change is the first "
            "suspect; otherwise please report it with your CPU and versions."
        )


def _log(claim: str, value: float, above: float | None, below: float | None, holds: bool) -> None:
    path = os.environ.get(CLAIMS_LOG_ENV)
    if not path:
        return
    record = {"claim": claim, "value": value, "above": above, "below": below, "holds": holds}
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
