"""Lesson 03: gradient clipping, the standard remedy for exploding gradients in RNNs.

Two rules, both applied to all of a model's gradients at once:

* Clipping by value (Keras' `clipvalue=` optimizer argument) clips every entry
  to [-limit, limit]. Simple, but it changes the gradient's direction.

* Clipping by global norm (Keras' `global_clipnorm=`, TensorFlow's
  `tf.clip_by_global_norm`; Pascanu et al., 2013) rescales all gradients by the
  same factor when their joint norm is too large, keeping the direction::

      global_norm = sqrt(sum over arrays g of sum(g ** 2))
      clipped_g   = g * max_norm / max(global_norm, max_norm)

  The factor is 1 when `global_norm <= max_norm`, and there is no division by
  zero when every gradient is zero.

Gradients are a list (or tuple) of arrays, or a dict name -> array such as the
`dparams` returned by the backward passes of `rnn_lib`. Results come back in
the same kind of container, as new arrays: the inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

Gradients = Sequence[np.ndarray] | Mapping[str, np.ndarray]


def _map_gradients(function: Callable[[np.ndarray], np.ndarray], grads: Gradients) -> Gradients:
    """Applies `function` to every array, keeping the container's kind."""
    if isinstance(grads, Mapping):
        return {name: function(np.asarray(g)) for name, g in grads.items()}
    clipped = [function(np.asarray(g)) for g in grads]
    return tuple(clipped) if isinstance(grads, tuple) else clipped


def _arrays(grads: Gradients) -> list[np.ndarray]:
    values = grads.values() if isinstance(grads, Mapping) else grads
    return [np.asarray(g) for g in values]


def clip_by_value(grads: Gradients, limit: float) -> Gradients:
    """Clips every gradient entry to the interval [-limit, limit].

    Args:
        grads: list/tuple of arrays (any shapes), or dict name -> array.
        limit: positive bound.

    Returns:
        New arrays, same container kind, keys, shapes and dtypes as `grads`.
    """
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit}")
    return _map_gradients(lambda g: np.clip(g, -limit, limit), grads)


def global_norm(grads: Gradients) -> float:
    """The Euclidean norm of all gradient entries taken together.

    Args:
        grads: list/tuple of arrays (any shapes), or dict name -> array.

    Returns:
        `sqrt(sum over arrays g of sum(g ** 2))`, a Python float.
    """
    return float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in _arrays(grads))))


def clip_by_global_norm(grads: Gradients, max_norm: float) -> tuple[Gradients, float]:
    """Rescales all gradients together so that their global norm is at most `max_norm`.

    Same result as `tf.clip_by_global_norm(grads, max_norm)`.

    Args:
        grads: list/tuple of arrays (any shapes), or dict name -> array.
        max_norm: positive bound on the global norm.

    Returns:
        A tuple `(clipped, norm)`:
        - `clipped`: new arrays, same container kind, keys, shapes and dtypes
          as `grads`, each multiplied by `max_norm / max(norm, max_norm)`.
        - `norm`: the global norm *before* clipping (a Python float), handy
          for logging how often clipping kicks in.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    norm = global_norm(grads)
    scale = max_norm / max(norm, max_norm)
    return _map_gradients(lambda g: g * scale, grads), norm
