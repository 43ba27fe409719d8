"""Lessons 02-05: the masks the SimpleRNN, LSTM and GRU layers share.

Keras' masking semantics, which all three layers follow: at a masked step the
state is carried over unchanged, and the output is the previous step's output,
so it is zero before a sequence's first unmasked step (even with an initial
state) and equal to the state from that step on.
"""

from __future__ import annotations

import numpy as np


def full_mask(batch_size: int, timesteps: int) -> np.ndarray:
    """The mask that masks nothing.

    Args:
        batch_size: number of sequences.
        timesteps: number of steps per sequence.

    Returns:
        Boolean array of ones, shape (batch, timesteps).
    """
    return np.ones((batch_size, timesteps), dtype=bool)


def output_started_mask(mask: np.ndarray) -> np.ndarray:
    """Where Keras' output equals the state: from the first unmasked step on.

    Keras copies the previous output at a masked step and starts from zeros, so
    the output is zero up to (not including) a sequence's first unmasked step
    and equal to the state `h_t` afterwards.

    Args:
        mask: boolean, shape (batch, timesteps); True where a step is real.

    Returns:
        Boolean array, shape (batch, timesteps): True at step t when some step
        `s <= t` of that sequence is unmasked.
    """
    return np.logical_or.accumulate(mask, axis=1)


def last_step_gradient(dh_last: np.ndarray, timesteps: int) -> np.ndarray:
    """Upstream gradient of a many-to-one layer (`return_sequences=False`).

    The many-to-one output is `h_all[:, -1]`, so the gradient with respect to
    `h_all` is zero at every step but the last.

    Args:
        dh_last: gradient of the loss w.r.t. the last output, shape (batch, units).
        timesteps: number of time steps T of the forward pass.

    Returns:
        `dh_all`, shape (batch, timesteps, units), to pass to a `*_backward`.
    """
    batch_size, units = dh_last.shape
    dh_all = np.zeros((batch_size, timesteps, units), dtype=dh_last.dtype)
    dh_all[:, -1] = dh_last
    return dh_all


def prepare_mask(mask: np.ndarray | None, batch_size: int, timesteps: int) -> np.ndarray:
    """Check a mask's shape, or make the all-True mask when there is none.

    Args:
        mask: None, or booleans (or 0/1) of shape (batch, timesteps).
        batch_size: expected first dimension.
        timesteps: expected second dimension.

    Returns:
        Boolean array, shape (batch, timesteps).
    """
    if mask is None:
        return full_mask(batch_size, timesteps)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (batch_size, timesteps):
        raise ValueError(
            f"mask must have shape (batch, timesteps) = {(batch_size, timesteps)}, got {mask.shape}"
        )
    return mask
