"""Typical wrong answers to lesson 02's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug, ValidAnswer

# A wrong rnn_step also breaks rnn_forward, which calls it.

BUGS = [
    Bug(
        name="step-transposed-recurrent-kernel",
        cell="rnn_step",
        replace=(
            (
                'return np.tanh(x_t @ params["W"] + h_prev @ params["U"] + params["b"])',
                'return np.tanh(x_t @ params["W"] + h_prev @ params["U"].T + params["b"])',
            ),
        ),
        failing_test="test_rnn_step",
        message="Looks like you used the transposed recurrent matrix",
    ),
    Bug(
        name="step-forgotten-bias",
        cell="rnn_step",
        replace=(
            (
                'return np.tanh(x_t @ params["W"] + h_prev @ params["U"] + params["b"])',
                'return np.tanh(x_t @ params["W"] + h_prev @ params["U"])',
            ),
        ),
        failing_test="test_rnn_step",
        message="Looks like you forgot the bias b",
    ),
    Bug(
        name="step-forgotten-tanh",
        cell="rnn_step",
        replace=(
            (
                'return np.tanh(x_t @ params["W"] + h_prev @ params["U"] + params["b"])',
                'return x_t @ params["W"] + h_prev @ params["U"] + params["b"]',
            ),
        ),
        failing_test="test_rnn_step",
        message="Looks like you forgot the tanh",
    ),
    Bug(
        name="forward-state-not-carried",
        cell="rnn_forward",
        replace=(
            (
                """    h = np.zeros((N, params["U"].shape[0]), dtype=x.dtype) if h0 is None else h0
    states = []
    for t in range(T):
        h = rnn_step(x[:, t], h, params)
        states.append(h)
    return np.stack(states, axis=1)""",
                """    h0 = np.zeros((N, params["U"].shape[0]), dtype=x.dtype) if h0 is None else h0
    return np.stack([rnn_step(x[:, t], h0, params) for t in range(T)], axis=1)""",
            ),
        ),
        failing_test="test_rnn_forward",
        message="Every step started from h0",
    ),
    Bug(
        name="forward-returns-last-state-only",
        cell="rnn_forward",
        replace=(
            (
                """    states = []
""",
                "",
            ),
            (
                """        states.append(h)
    return np.stack(states, axis=1)""",
                "    return h",
            ),
        ),
        failing_test="test_rnn_forward",
        message="You returned only the last state",
    ),
    Bug(
        name="forward-ignores-h0",
        cell="rnn_forward",
        replace=(
            (
                'h = np.zeros((N, params["U"].shape[0]), dtype=x.dtype) if h0 is None else h0',
                'h = np.zeros((N, params["U"].shape[0]), dtype=x.dtype)',
            ),
        ),
        failing_test="test_rnn_forward",
        message="you ignored the h0 you were given",
    ),
    Bug(
        name="param-count-forgotten-bias",
        cell="param_count",
        replace=(
            (
                "return int(input_dim * units + units * units + units)",
                "return input_dim * units + units * units",
            ),
        ),
        failing_test="test_param_count",
        message="Looks like you forgot the bias",
    ),
    Bug(
        name="param-count-recurrent-kernel-as-input-kernel",
        cell="param_count",
        replace=(
            (
                "return int(input_dim * units + units * units + units)",
                "return 2 * input_dim * units + units",
            ),
        ),
        failing_test="test_param_count",
        message="so it has units * units entries",
    ),
    Bug(
        name="forecaster-returns-sequences",
        cell="build_forecaster",
        replace=(
            (
                "keras.layers.SimpleRNN(units),",
                "keras.layers.SimpleRNN(units, return_sequences=True),",
            ),
        ),
        failing_test="test_build_forecaster",
        message="A forecaster of the next value is many-to-one",
    ),
    Bug(
        name="forecaster-without-dense-output",
        cell="build_forecaster",
        replace=(
            (
                """    model = keras.Sequential([
        keras.Input(shape=(window, 1)),
        keras.layers.SimpleRNN(units),
        keras.layers.Dense(1),
    ])""",
                "    model = keras.Sequential([keras.Input(shape=(window, 1)), keras.layers.SimpleRNN(units)])",
            ),
        ),
        failing_test="test_build_forecaster",
        message="did you forget the Dense(1) output layer?",
    ),
    Bug(
        name="forecaster-not-compiled",
        cell="build_forecaster",
        replace=(
            (
                "model = keras.Sequential([",
                "return keras.Sequential([",
            ),
            (
                """    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
    return model
""",
                "",
            ),
        ),
        failing_test="test_build_forecaster",
        message="did you forget model.compile?",
    ),
]
BUGS.append(
    Bug(
        name="param-count-without-recurrent-kernel",
        cell="param_count",
        replace=(
            (
                "    return int(input_dim * units + units * units + units)",
                "    return int(input_dim * units + units)",
            ),
        ),
        failing_test="test_param_count",
        message="you forgot the recurrent kernel U",
    )
)

VALID_ANSWERS = [
    ValidAnswer(
        name="step-with-einsum",
        cell="rnn_step",
        replace=(
            (
                '    return np.tanh(x_t @ params["W"] + h_prev @ params["U"] + params["b"])',
                '    return np.tanh(np.einsum("nd,dh->nh", x_t, params["W"])\n'
                '                   + np.einsum("nk,kh->nh", h_prev, params["U"]) + params["b"])',
            ),
        ),
        why="any way of computing the same products",
    ),
    ValidAnswer(
        name="forward-zeros-in-float64",
        cell="rnn_forward",
        replace=(
            (
                '    h = np.zeros((N, params["U"].shape[0]), dtype=x.dtype) if h0 is None else h0',
                '    h = np.zeros((N, params["U"].shape[0])) if h0 is None else h0',
            ),
        ),
        why="h0=None means zeros; the exercise does not say in which dtype",
    ),
]
