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
CONCATENATE = "        current = np.concatenate([current[:, 1:], next_values[:, None, None]], axis=1)"

BUGS += [
    Bug(
        name="recursive-window-grows",
        cell="recursive_forecast",
        replace=(
            (
                CONCATENATE,
                "        current = np.concatenate([current, next_values[:, None, None]], axis=1)",
            ),
        ),
        failing_test="test_recursive_forecast",
        message="drop the oldest value when you append a forecast",
    ),
    Bug(
        name="recursive-window-never-updated",
        cell="recursive_forecast",
        replace=((CONCATENATE + "\n", ""),),
        failing_test="test_recursive_forecast",
        message="Every step forecast from the original windows",
    ),
    Bug(
        name="recursive-horizon-off-by-one",
        cell="recursive_forecast",
        replace=(("    for _ in range(horizon):", "    for _ in range(horizon - 1):"),),
        failing_test="test_recursive_forecast",
        message="is your loop off by one?",
    ),
    Bug(
        # slides the caller's array in place: the forecasts are right, the windows are not
        name="recursive-changes-the-windows",
        cell="recursive_forecast",
        replace=(
            (
                "    current = np.array(windows, dtype=float)    # a copy: the caller's windows stay as they were",
                "    current = windows",
            ),
            (
                CONCATENATE,
                "        current[:, :-1] = current[:, 1:].copy()\n"
                "        current[:, -1, 0] = next_values",
            ),
        ),
        failing_test="test_recursive_forecast",
        message="You changed the windows you were given",
    ),
    Bug(
        name="recursive-forecasts-transposed",
        cell="recursive_forecast",
        replace=(("    return np.stack(forecasts, axis=1)", "    return np.stack(forecasts)"),),
        failing_test="test_recursive_forecast",
        message="return one row per window and one column per step",
    ),
    Bug(
        name="recursive-newest-value-first",
        cell="recursive_forecast",
        replace=(
            (
                CONCATENATE,
                "        current = np.concatenate([next_values[:, None, None], current[:, :-1]], axis=1)",
            ),
        ),
        failing_test="test_recursive_forecast",
        message="the newest value at the end",
    ),
    Bug(
        # fine for forecasters that return (N,); a Keras model's (N, 1) gains two axes too many
        name="recursive-keras-shape-kept",
        cell="recursive_forecast",
        replace=(
            (
                "        next_values = np.asarray(predict_one(current), dtype=float).reshape(N)",
                "        next_values = np.asarray(predict_one(current), dtype=float)",
            ),
        ),
        failing_test="test_recursive_forecast",
        message="last_plus_one returns shape (N, 1), as a Keras model does",
    ),
]

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
    ValidAnswer(
        name="recursive-rolled-copy-filled-in-place",
        cell="recursive_forecast",
        replace=(
            (
                """    forecasts = []
    for _ in range(horizon):
        next_values = np.asarray(predict_one(current), dtype=float).reshape(N)
        forecasts.append(next_values)
        current = np.concatenate([current[:, 1:], next_values[:, None, None]], axis=1)
    return np.stack(forecasts, axis=1)""",
                """    forecasts = np.empty((N, horizon))
    for k in range(horizon):
        forecasts[:, k] = np.ravel(predict_one(current))
        current = np.roll(current, -1, axis=1)
        current[:, -1, 0] = forecasts[:, k]
    return forecasts""",
            ),
        ),
        why="any way of sliding a copy: np.roll, then the newest value written in place",
    ),
    ValidAnswer(
        name="recursive-copy-in-the-windows-dtype",
        cell="recursive_forecast",
        replace=(
            (
                "    current = np.array(windows, dtype=float)    # a copy: the caller's windows stay as they were",
                "    current = windows.copy()",
            ),
        ),
        why="the exercise asks for a copy, not for a dtype",
    ),
]
