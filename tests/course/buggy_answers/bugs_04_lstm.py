"""Typical wrong answers to lesson 04's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug, ValidAnswer

# The mistake the tests also grade through real nbgrader (course_tools.answer_check.
# cross_checked_bug). The first one would re-train both memory models (about 25 s) in that
# round trip; with this one their training stops at the first batch, on the output's shape.
CROSS_CHECKED = "memory-model-returns-sequences"

BUGS = [
    Bug(
        name="gate-order-icfo",
        cell="lstm_step",
        replace=(
            (
                """    pre_activations = x_t @ kernel + h_prev @ recurrent_kernel + bias
    a_i, a_f, a_c, a_o = np.split(pre_activations, 4, axis=-1)""",
                """    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    a_i, a_c, a_f, a_o = np.split(z, 4, axis=-1)          # TF1's i, j, f, o order""",
            ),
            (
                """    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"i": i, "f": f, "g": g, "o": o}""",
                '    return o * np.tanh(c_next), c_next, {"i": i, "f": f, "g": g, "o": o}',
            ),
        ),
        failing_test="test_lstm_step",
        message="looks like your gate order is i, c, f, o: Keras stores i, f, c, o",
    ),
    Bug(
        name="forget-gate-tanh",
        cell="lstm_step",
        replace=(
            (
                """    pre_activations = x_t @ kernel + h_prev @ recurrent_kernel + bias
    a_i, a_f, a_c, a_o = np.split(pre_activations, 4, axis=-1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_c), sigmoid(a_o)""",
                """    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    a_i, a_f, a_c, a_o = np.split(z, 4, axis=-1)
    i, f, g, o = sigmoid(a_i), np.tanh(a_f), np.tanh(a_c), sigmoid(a_o)""",
            ),
            (
                """    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"i": i, "f": f, "g": g, "o": o}""",
                '    return o * np.tanh(c_next), c_next, {"i": i, "f": f, "g": g, "o": o}',
            ),
        ),
        failing_test="test_lstm_step",
        message="gate 'f' has values outside [0, 1]",
    ),
    Bug(
        name="hidden-state-without-tanh",
        cell="lstm_step",
        replace=(
            (
                """    pre_activations = x_t @ kernel + h_prev @ recurrent_kernel + bias
    a_i, a_f, a_c, a_o = np.split(pre_activations, 4, axis=-1)""",
                """    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    a_i, a_f, a_c, a_o = np.split(z, 4, axis=-1)""",
            ),
            (
                """    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"i": i, "f": f, "g": g, "o": o}""",
                '    return o * c_next, c_next, {"i": i, "f": f, "g": g, "o": o}',
            ),
        ),
        failing_test="test_lstm_step",
        message="you forgot the tanh on the cell state",
    ),
    Bug(
        name="memory-model-returns-sequences",
        cell="build_memory_model",
        replace=(
            (
                "layer_class(units),",
                "layer_class(units, return_sequences=True),",
            ),
        ),
        failing_test="test_build_memory_model",
        message="keep the default return_sequences=False",
    ),
    Bug(
        name="memory-model-default-learning-rate",
        cell="build_memory_model",
        replace=(
            (
                """    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02, global_clipnorm=1.0),
                  loss="binary_crossentropy", metrics=["accuracy"])""",
                '    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])',
            ),
        ),
        failing_test="test_build_memory_model",
        message="Use Adam(learning_rate=0.02, global_clipnorm=1.0)",
    ),
    Bug(
        # Clipping each weight array by its own norm can train about as well here, but it
        # turns the gradient's direction (lesson 03): the spec tests catch it.
        name="memory-model-per-array-clipnorm",
        cell="build_memory_model",
        replace=(
            (
                "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02, global_clipnorm=1.0),",
                "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02, clipnorm=1.0),",
            ),
        ),
        failing_test="test_build_memory_model",
        message="Use global_clipnorm=1.0",
    ),
    Bug(
        name="memory-model-ignores-layer-class",
        cell="build_memory_model",
        replace=(
            (
                "layer_class(units),",
                "keras.layers.LSTM(units),",
            ),
        ),
        failing_test="test_build_memory_model",
        message="use the layer_class argument",
    ),
    Bug(
        name="memory-model-linear-output",
        cell="build_memory_model",
        replace=(
            (
                'keras.layers.Dense(1, activation="sigmoid"),',
                "keras.layers.Dense(1),",
            ),
        ),
        failing_test="test_build_memory_model",
        message="binary cross-entropy needs a probability",
    ),
]
BUGS += [
    Bug(
        name="temperature-divides-probabilities",
        cell="sampling_distribution",
        replace=(
            ("    scaled = np.asarray(logits, dtype=float) / temperature",
             "    scaled = np.asarray(logits, dtype=float)"),
            ("    return weights / weights.sum()",
             "    probabilities = weights / weights.sum() / temperature\n"
             "    return probabilities / probabilities.sum()"),
        ),
        failing_test="test_sampling_distribution",
        message="Divide the LOGITS by the temperature",
    ),
    Bug(
        name="temperature-multiplies-logits",
        cell="sampling_distribution",
        replace=(
            ("    scaled = np.asarray(logits, dtype=float) / temperature",
             "    scaled = np.asarray(logits, dtype=float) * temperature"),
        ),
        failing_test="test_sampling_distribution",
        message="as if you MULTIPLIED the logits by the temperature",
    ),
    Bug(
        name="softmax-without-max-subtraction",
        cell="sampling_distribution",
        replace=(
            ("    weights = np.exp(scaled - scaled.max())", "    weights = np.exp(scaled)"),
        ),
        failing_test="test_sampling_distribution",
        message="Subtract the largest scaled logit before np.exp",
    ),
    Bug(
        name="top-k-keeps-the-smallest",
        cell="sampling_distribution",
        replace=(
            ("""        kth_largest = np.sort(scaled)[-top_k]
        scaled = np.where(scaled >= kth_largest, scaled, -np.inf)""",
             """        kth_smallest = np.sort(scaled)[top_k - 1]
        scaled = np.where(scaled <= kth_smallest, scaled, -np.inf)"""),
        ),
        failing_test="test_sampling_distribution",
        message="you kept the characters with the 2 SMALLEST logits",
    ),
    Bug(
        # the softmax over every character, then the others zeroed: the kept ones sum to less than 1
        name="top-k-not-renormalised",
        cell="sampling_distribution",
        replace=(
            ("""    if top_k is not None and top_k < scaled.size:
        kth_largest = np.sort(scaled)[-top_k]
        scaled = np.where(scaled >= kth_largest, scaled, -np.inf)
    weights = np.exp(scaled - scaled.max())
    return weights / weights.sum()""",
             """    weights = np.exp(scaled - scaled.max())
    probabilities = weights / weights.sum()
    if top_k is not None and top_k < scaled.size:
        probabilities[scaled < np.sort(scaled)[-top_k]] = 0.0
    return probabilities"""),
        ),
        failing_test="test_sampling_distribution",
        message="renormalise the kept ones",
    ),
    Bug(
        name="top-k-off-by-one",
        cell="sampling_distribution",
        replace=(
            ("        kth_largest = np.sort(scaled)[-top_k]",
             "        kth_largest = np.sort(scaled)[::-1][top_k]"),
        ),
        failing_test="test_sampling_distribution",
        message="off by one",
    ),
    Bug(
        # exactly k characters: a tie at the k-th largest logit loses some of its characters
        name="top-k-drops-ties",
        cell="sampling_distribution",
        replace=(
            ("""        kth_largest = np.sort(scaled)[-top_k]
        scaled = np.where(scaled >= kth_largest, scaled, -np.inf)""",
             """        kept = np.argsort(scaled)[-top_k:]
        scaled = np.where(np.isin(np.arange(scaled.size), kept), scaled, -np.inf)"""),
        ),
        failing_test="test_sampling_distribution",
        message="kept only one of the tied characters",
    ),
    Bug(
        name="logits-divided-in-place",
        cell="sampling_distribution",
        replace=(
            ("    scaled = np.asarray(logits, dtype=float) / temperature",
             "    scaled = np.asarray(logits, dtype=float)\n    scaled /= temperature"),
        ),
        failing_test="test_sampling_distribution",
        message="changed the logits it was given",
    ),
]

VALID_ANSWERS = [
    ValidAnswer(
        name="gates-by-slicing",
        cell="lstm_step",
        replace=(
            (
                "    a_i, a_f, a_c, a_o = np.split(pre_activations, 4, axis=-1)",
                "    u = h_prev.shape[-1]\n"
                "    a_i, a_f, a_c, a_o = (pre_activations[:, k * u:(k + 1) * u] for k in range(4))",
            ),
        ),
        why="any way of cutting the four blocks in Keras' order",
    ),
    ValidAnswer(
        name="sampling-in-the-logits-dtype",
        cell="sampling_distribution",
        replace=(
            ("    scaled = np.asarray(logits, dtype=float) / temperature",
             "    scaled = np.asarray(logits) / temperature"),
        ),
        why="float32 logits may give float32 probabilities: they agree to 1e-6",
    ),
    ValidAnswer(
        name="top-k-threshold-by-partition",
        cell="sampling_distribution",
        replace=(
            ("        kth_largest = np.sort(scaled)[-top_k]",
             "        kth_largest = np.partition(scaled, -top_k)[-top_k]"),
        ),
        why="any way of finding the k-th largest logit",
    ),
    ValidAnswer(
        # exp(logit / T) = exp(logit) ** (1 / T): the same distribution, from the probabilities
        name="temperature-as-a-power-of-the-probabilities",
        cell="sampling_distribution",
        replace=(
            ("""    scaled = np.asarray(logits, dtype=float) / temperature
    if top_k is not None and top_k < scaled.size:
        kth_largest = np.sort(scaled)[-top_k]
        scaled = np.where(scaled >= kth_largest, scaled, -np.inf)
    weights = np.exp(scaled - scaled.max())
    return weights / weights.sum()""",
             """    logits = np.asarray(logits, dtype=float)
    probabilities = np.exp(logits - logits.max())
    probabilities = (probabilities / probabilities.sum()) ** (1 / temperature)
    if top_k is not None and top_k < logits.size:
        probabilities[logits < np.sort(logits)[-top_k]] = 0.0
    return probabilities / probabilities.sum()"""),
        ),
        why="p ** (1 / T), renormalised, is the softmax of the logits divided by T",
    ),
]
