"""The recurrent layers from scratch, in NumPy, and the tools to check their gradients.

Each layer is a forward/backward pair with a cache, batch-major, and follows Keras'
masking; every one is checked against finite differences and against the Keras layer
with the same weights.

- :mod:`~rnn_lib.layers.activations`: tanh and sigmoid with their derivatives.
- :mod:`~rnn_lib.layers.params`: parameter dicts and their gradient accumulators.
- :mod:`~rnn_lib.layers.masking`: the masks the three layers share.
- :mod:`~rnn_lib.layers.simple_rnn`, :mod:`~rnn_lib.layers.lstm`, :mod:`~rnn_lib.layers.gru`.
- :mod:`~rnn_lib.layers.keras_weights`: weights to and from the Keras layers.
- :mod:`~rnn_lib.layers.gradcheck`: finite-difference gradient checks.
- :mod:`~rnn_lib.layers.clipping`: clipping by value and by global norm.
- :mod:`~rnn_lib.layers.gradient_flow`: vanishing and exploding gradients, measured.
- :mod:`~rnn_lib.layers.attention`: masked softmax, dot-product and additive attention
  (for lesson 08), checked against Keras' ``Attention`` and ``AdditiveAttention``.
"""
