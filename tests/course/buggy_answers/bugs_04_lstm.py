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
        name="param-count-without-bias",
        cell="lstm_param_count",
        replace=(
            (
                "return 4 * (units * (units + input_dim) + units)",
                "return 4 * units * (units + input_dim)",
            ),
        ),
        failing_test="test_lstm_param_count",
        message="you forgot the bias",
    ),
    Bug(
        name="param-count-one-block",
        cell="lstm_param_count",
        replace=(
            (
                "return 4 * (units * (units + input_dim) + units)",
                "return units * (units + input_dim) + units",
            ),
        ),
        failing_test="test_lstm_param_count",
        message="is the count of ONE block (a SimpleRNN)",
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
BUGS.append(
    Bug(
        name="param-count-as-float",
        cell="lstm_param_count",
        replace=(
            (
                "return 4 * (units * (units + input_dim) + units)",
                "return 4.0 * (units * (units + input_dim) + units)",
            ),
        ),
        failing_test="test_lstm_param_count",
        message="Return an integer",
    )
)

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
        name="param-count-as-numpy-int",
        cell="lstm_param_count",
        replace=(
            (
                "return 4 * (units * (units + input_dim) + units)",
                "return np.int64(4) * (units * (units + input_dim) + units)",
            ),
        ),
        why="an integer: a NumPy integer is one",
    ),
]
