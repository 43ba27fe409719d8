"""Lesson 09: minGRU as a Keras layer, trained with a parallel scan.

:class:`MinGRU` computes the gate and the candidate of every step in one matrix product and
the states with ``keras.ops.associative_scan`` over the operator of
:func:`rnn_lib.layers.scan.combine`, so
no step waits for the one before it (the NumPy reference is :mod:`rnn_lib.layers.min_gru`).
:func:`stacked_min_gru` stacks them, with a ``Dense`` projection between layers, in the
place a Keras recurrent layer takes: ``build_sequence_classifier(stacked_min_gru, units,
timesteps)`` (:mod:`rnn_lib.tasks.experiments`) builds and compiles a classifier exactly as
lesson 05 builds its GRU's, so the two train under one recipe.

Keras is imported inside the functions that need it (``rnn_lib.tasks.min_gru_models.MinGRU``
imports it on first use).
"""

from __future__ import annotations

__all__ = ["stacked_min_gru"]  # and MinGRU, made on first use (module __getattr__)

_MIN_GRU_CLASS = None


def _then(first, second):
    """``first`` then ``second`` as one affine map (the scan's operator; its NumPy twin,
    :func:`rnn_lib.layers.scan.combine`, is lesson 09's exercise, stubbed while it is graded)."""
    (a1, b1), (a2, b2) = first, second
    return a1 * a2, a2 * b1 + b2


def _min_gru_class():
    """Define (once) the minGRU layer; Keras is imported only here."""
    global _MIN_GRU_CLASS
    if _MIN_GRU_CLASS is None:
        import keras
        from keras import ops

        @keras.saving.register_keras_serializable(package="rnn_lib")
        class MinGRU(keras.layers.Layer):
            """minGRU over sequences: ``(batch, T, D) -> (batch, T, units)`` or ``(batch, units)``.

            Weights: ``kernel`` ``(D, 2 units)`` and ``bias`` ``(2 units,)``, the gate's
            columns first (``W_z | W_h`` and ``b_z | b_h`` of :mod:`rnn_lib.layers.min_gru`).
            The state starts at zeros, or at ``initial_state`` ``(batch, units)``.

            Args:
                units: the state's size.
                return_sequences: every state, or only the last.
            """

            def __init__(self, units: int, return_sequences: bool = False, **kwargs):
                super().__init__(**kwargs)
                self.units = units
                self.return_sequences = return_sequences

            def build(self, input_shape):
                features = input_shape[-1]
                self.kernel = self.add_weight(
                    shape=(features, 2 * self.units), initializer="glorot_uniform", name="kernel"
                )
                self.bias = self.add_weight(
                    shape=(2 * self.units,), initializer="zeros", name="bias"
                )

            def call(self, inputs, initial_state=None):
                projected = ops.matmul(inputs, self.kernel) + self.bias  # (batch, T, 2 units)
                gate = ops.sigmoid(projected[..., : self.units])
                candidate = projected[..., self.units :]
                prefixes, states = ops.associative_scan(
                    _then, (1 - gate, gate * candidate), axis=1
                )
                # TensorFlow's scan loses the static shape, which the layers after it need
                shape = ops.shape(candidate)
                prefixes, states = ops.reshape(prefixes, shape), ops.reshape(states, shape)
                if initial_state is not None:
                    states = prefixes * ops.expand_dims(initial_state, 1) + states
                return states if self.return_sequences else states[:, -1]

            def compute_output_shape(self, input_shape):
                if self.return_sequences:
                    return (*input_shape[:-1], self.units)
                return (input_shape[0], self.units)

            def get_config(self):
                return {
                    **super().get_config(),
                    "units": self.units,
                    "return_sequences": self.return_sequences,
                }

        _MIN_GRU_CLASS = MinGRU
    return _MIN_GRU_CLASS


def __getattr__(name: str):
    # ``from rnn_lib.tasks.min_gru_models import MinGRU`` imports Keras then, not before.
    if name == "MinGRU":
        return _min_gru_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def stacked_min_gru(units: int, num_layers: int = 2, *, return_sequences: bool = False):
    """``num_layers`` minGRU layers of ``units``, a ``Dense(units)`` projection between each two.

    Used where a recurrent layer class goes: ``stacked_min_gru(units)`` is one Keras layer
    (a ``Sequential``), ``(batch, T, D) -> (batch, units)`` (or every step's output with
    ``return_sequences``).

    Args:
        units: each layer's state size.
        num_layers: how many minGRU layers.
        return_sequences: the last layer returns every step.
    """
    import keras

    if num_layers < 1:
        raise ValueError("num_layers must be at least 1")
    min_gru = _min_gru_class()
    stack = []
    for index in range(num_layers):
        last = index == num_layers - 1
        stack.append(min_gru(units, return_sequences=return_sequences or not last))
        if not last:
            stack.append(keras.layers.Dense(units))
    return keras.Sequential(stack, name=f"min_gru_x{num_layers}")
