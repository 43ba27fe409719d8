"""Lessons 01, 02: turning raw sequences into arrays a recurrent layer can eat.

Keras' recurrent layers take a 3-D batch ``(batch, timesteps, features)``. This
module makes such batches from a long series (sliding windows) and from lists of
variable-length token sequences (padding, truncation and the matching mask).
These are the reference versions of what lesson 01's exercises build.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def make_windows(
    series: np.ndarray, window: int, horizon: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into (input window, target) pairs for supervised learning.

    Window ``i`` holds ``series[i : i + window]`` and its target is the value
    ``horizon`` steps after the window's last value, ``series[i + window + horizon - 1]``.
    So ``[1, 2, 3, 4, 5]`` with ``window=4`` gives one pair, ``[1, 2, 3, 4] -> 5``.

    Args:
        series: the values, shape ``(timesteps,)`` or ``(timesteps, features)``.
        window: input length, at least 1.
        horizon: how many steps ahead the target lies, at least 1.

    Returns:
        ``(X, y)``: ``X`` of shape ``(num_windows, window, features)`` (features is 1
        for a 1-D series) and ``y`` of shape ``(num_windows,)`` for a 1-D series or
        ``(num_windows, features)``, where ``num_windows = max(0, T - window - horizon + 1)``.
    """
    if window < 1 or horizon < 1:
        raise ValueError(f"window and horizon must be >= 1, got {window} and {horizon}")
    values = np.asarray(series)
    one_dimensional = values.ndim == 1
    if one_dimensional:
        values = values[:, None]
    num_windows = max(0, len(values) - window - horizon + 1)
    starts = np.arange(num_windows)
    X = values[starts[:, None] + np.arange(window)[None, :]]
    y = values[starts + window + horizon - 1]
    X = X.reshape(num_windows, window, values.shape[1])
    return X, (y[:, 0] if one_dimensional else y)


def pad_and_mask(
    sequences: Sequence[Sequence[int]],
    maxlen: int | None = None,
    padding: str = "pre",
    truncating: str = "pre",
    value: int = 0,
    dtype: str = "int32",
) -> tuple[np.ndarray, np.ndarray]:
    """Pad or truncate sequences to one length and return the mask of real steps.

    Same conventions as ``keras.utils.pad_sequences``: ``"pre"`` works on the
    start of a sequence and ``"post"`` on its end. The mask comes from the lengths,
    never from the values, so a real token equal to ``value`` stays unmasked.

    Args:
        sequences: ``num_sequences`` lists of token ids, of any lengths.
        maxlen: the common length; default the longest sequence's length.
        padding: ``"pre"`` or ``"post"``: where to add ``value``.
        truncating: ``"pre"`` or ``"post"``: where to drop tokens from long sequences.
        value: the padding id.
        dtype: the dtype of the padded array.

    Returns:
        ``(padded, mask)``, both of shape ``(num_sequences, maxlen)``; ``mask`` is
        boolean and True exactly where ``padded`` holds a real token.
    """
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in {"pre", "post"}:
            raise ValueError(f"{name} must be 'pre' or 'post', not {side!r}")
    if maxlen is None:
        maxlen = max((len(s) for s in sequences), default=0)
    padded = np.full((len(sequences), maxlen), value, dtype=dtype)
    mask = np.zeros((len(sequences), maxlen), dtype=bool)
    for row, sequence in enumerate(sequences):
        tokens = list(sequence)
        if len(tokens) > maxlen:
            tokens = tokens[len(tokens) - maxlen :] if truncating == "pre" else tokens[:maxlen]
        if not tokens:
            continue
        columns = slice(maxlen - len(tokens), maxlen) if padding == "pre" else slice(0, len(tokens))
        padded[row, columns] = tokens
        mask[row, columns] = True
    return padded, mask
