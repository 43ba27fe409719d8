"""Lesson 09: linear recurrences, computed by a loop and by parallel scans.

A *linear recurrence* updates its state by an elementwise affine map::

    h_t = a_t * h_{t-1} + b_t          t = 1 .. T

Its coefficients ``a_t`` and ``b_t`` may depend on the input ``x_t`` but never on the
state, which is what minGRU (Feng et al., 2024), the LRU (Orvieto et al., 2023) and Mamba
(Gu and Dao, 2023) have in common. Then step ``t`` is the map ``h -> a_t h + b_t``, and
doing step 1, then step 2, is one map of the same kind::

    (a1, b1) then (a2, b2)  =  (a1 * a2,  a2 * b1 + b2)          (:func:`combine`)

:func:`combine` is associative (though not commutative), so the maps of all prefixes
``1..t`` can be computed in ``log2(T)`` sweeps, each over all steps at once (a *scan*:
Hillis and Steele, 1986; Blelloch, 1990). With them, ``h_t = A_t * h_0 + B_t`` for every
``t`` at once.

Products of many gates in ``(0, 1)`` underflow (``0.9 ** 1000`` is ``1.7e-46``, below
float32's smallest normal number; ``0.5 ** 2000`` is 0 even in float64), so long sequences
are scanned in log space (:func:`log_space_recurrence`, Heinsen, 2023), for positive ``a``
and ``b``.

Shapes, batch-major as everywhere in the course: ``a``, ``b`` and the states
``(batch, T, units)``; ``h0`` ``(batch, units)``, None for zeros.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "combine",
    "hillis_steele_scan",
    "linear_recurrence",
    "log_space_recurrence",
    "scan_recurrence",
]


def linear_recurrence(a: np.ndarray, b: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
    """``h_t = a_t * h_{t-1} + b_t``, one step after another.

    Args:
        a: ``(batch, T, units)``, the coefficients that multiply the state.
        b: ``(batch, T, units)``, what is added.
        h0: the state before step 1, ``(batch, units)``; None for zeros.

    Returns:
        Every state ``h_1 .. h_T``, ``(batch, T, units)``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    h = np.zeros_like(b[:, 0]) if h0 is None else np.asarray(h0, dtype=float)
    states = np.empty_like(b)
    for t in range(b.shape[1]):
        h = a[:, t] * h + b[:, t]
        states[:, t] = h
    return states


def combine(first: tuple, second: tuple) -> tuple:
    """The affine map of doing ``first``, then ``second``: ``(a1 a2, a2 b1 + b2)``.

    Args:
        first: ``(a1, b1)``, arrays of one shape (or broadcastable).
        second: ``(a2, b2)``.

    Returns:
        ``(a, b)`` such that ``a * h + b == a2 * (a1 * h + b1) + b2`` for every ``h``.
    """
    (a1, b1), (a2, b2) = first, second
    return a1 * a2, a2 * b1 + b2


def hillis_steele_scan(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive scan of :func:`combine` along the time axis, in ``ceil(log2 T)`` sweeps.

    Sweep ``k`` combines each step with the one ``2**k`` before it (steps with none keep
    theirs), so after the last sweep step ``t`` holds the map of steps ``1..t``. Every
    sweep is one vectorised operation over all steps: ``T log T`` work, but only
    ``log T`` steps one after another.

    Args:
        a, b: ``(batch, T, units)``.

    Returns:
        ``(A, B)``, each ``(batch, T, units)``: ``A_t = a_1 ... a_t`` and ``B_t`` the state
        after step ``t`` from ``h_0 = 0``.
    """
    A, B = np.array(a, dtype=float), np.array(b, dtype=float)
    offset = 1
    while offset < A.shape[1]:
        earlier = (A[:, :-offset], B[:, :-offset])
        A[:, offset:], B[:, offset:] = combine(earlier, (A[:, offset:], B[:, offset:]))
        offset *= 2
    return A, B


def scan_recurrence(a: np.ndarray, b: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
    """:func:`linear_recurrence` by :func:`hillis_steele_scan`: ``h_t = A_t h_0 + B_t``.

    Args:
        a, b: ``(batch, T, units)``.
        h0: ``(batch, units)``; None for zeros.

    Returns:
        ``(batch, T, units)``, equal to the loop's states up to rounding.
    """
    A, B = hillis_steele_scan(a, b)
    return B if h0 is None else A * np.asarray(h0, dtype=float)[:, None, :] + B


def log_space_recurrence(
    log_a: np.ndarray, log_b: np.ndarray, log_h0: np.ndarray | None = None
) -> np.ndarray:
    """The logarithms of a linear recurrence's states, for positive ``a``, ``b`` and ``h0``.

    With ``a*_t = log a_1 + ... + log a_t`` (a cumulative sum),
    ``h_t = exp(a*_t) * (h_0 + sum over s <= t of b_s exp(-a*_s))``, so
    ``log h_t = a*_t + logcumsumexp(log b_s - a*_s)``: sums of logarithms instead of
    products of gates, which never underflow (Heinsen, 2023).

    Args:
        log_a: ``(batch, T, units)``, the logarithms of ``a`` (``a > 0``).
        log_b: ``(batch, T, units)``, the logarithms of ``b`` (``b > 0``).
        log_h0: ``(batch, units)``, the logarithm of ``h_0 > 0``; None for ``h_0 = 0``.

    Returns:
        ``log h_t`` for every step, ``(batch, T, units)``.
    """
    log_a, log_b = np.asarray(log_a, dtype=float), np.asarray(log_b, dtype=float)
    a_star = np.cumsum(log_a, axis=1)
    terms = log_b - a_star
    if log_h0 is not None:
        terms = np.concatenate([np.asarray(log_h0, dtype=float)[:, None, :], terms], axis=1)
    running = np.logaddexp.accumulate(terms, axis=1)
    if log_h0 is not None:
        running = running[:, 1:]
    return a_star + running
