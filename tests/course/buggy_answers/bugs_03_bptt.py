"""Typical wrong answers to lesson 03's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug, ValidAnswer

# A wrong step backward also breaks rnn_backward, which calls it.

BUGS = [
    Bug(
        name="tanh-derivative-from-pre-activation",
        cell="rnn_step_backward",
        replace=(
            (
                """    x_t, h_prev, h_next, params = cache["x_t"], cache["h_prev"], cache["h_next"], cache["params"]
    da = dh_next * (1 - h_next**2)        # tanh' from the output
    dx_t = da @ params["W"].T
    dh_prev = da @ params["U"].T""",
                """    x_t, h_prev, params = cache["x_t"], cache["h_prev"], cache["params"]
    a = x_t @ params["W"] + h_prev @ params["U"] + params["b"]
    da = dh_next * (1 - a**2)""",
            ),
            (
                "return dx_t, dh_prev, dparams",
                'return da @ params["W"].T, da @ params["U"].T, dparams',
            ),
        ),
        failing_test="test_rnn_step_backward",
        message="Looks like you computed tanh' from the pre-activation a",
    ),
    Bug(
        name="transposed-recurrent-weight",
        cell="rnn_step_backward",
        replace=(
            (
                """    dx_t = da @ params["W"].T
    dh_prev = da @ params["U"].T
""",
                "",
            ),
            (
                "return dx_t, dh_prev, dparams",
                'return da @ params["W"].T, da @ params["U"], dparams',
            ),
        ),
        failing_test="test_rnn_step_backward",
        message="the gradient goes back through the transposed matrix",
    ),
    Bug(
        name="bias-gradient-not-summed-over-batch",
        cell="rnn_step_backward",
        replace=(
            (
                """    dx_t = da @ params["W"].T
    dh_prev = da @ params["U"].T
    dparams = {"W": x_t.T @ da, "U": h_prev.T @ da, "b": da.sum(axis=0)}
    return dx_t, dh_prev, dparams""",
                """    dparams = {"W": x_t.T @ da, "U": h_prev.T @ da, "b": da}
    return da @ params["W"].T, da @ params["U"].T, dparams""",
            ),
        ),
        failing_test="test_rnn_step_backward",
        message="the bias is shared by every example in the batch",
    ),
    Bug(
        name="parameter-gradients-not-summed-over-time",
        cell="rnn_backward",
        replace=(
            (
                """    D = step_caches[0]["x_t"].shape[1]
    dx = np.zeros((N, T, D))
    dparams = {name: np.zeros_like(value) for name, value in step_caches[0]["params"].items()}""",
                '    dx = np.zeros((N, T, step_caches[0]["x_t"].shape[1]))',
            ),
            (
                "dx_t, dh, dparams_t = rnn_step_backward(dh + dh_all[:, t], step_caches[t])",
                "dx_t, dh, dparams = rnn_step_backward(dh + dh_all[:, t], step_caches[t])  # overwritten",
            ),
            (
                """        for name in dparams:
            dparams[name] += dparams_t[name]
""",
                "",
            ),
        ),
        failing_test="test_rnn_backward",
        message="add up the parameter gradients of all T steps",
    ),
    Bug(
        name="gradient-does-not-flow-back-through-time",
        cell="rnn_backward",
        replace=(
            (
                """    D = step_caches[0]["x_t"].shape[1]
    dx = np.zeros((N, T, D))
    dparams = {name: np.zeros_like(value) for name, value in step_caches[0]["params"].items()}
    dh = np.zeros((N, H))""",
                """    dx = np.zeros((N, T, step_caches[0]["x_t"].shape[1]))
    dparams = {name: np.zeros_like(v) for name, v in step_caches[0]["params"].items()}""",
            ),
            (
                "dx_t, dh, dparams_t = rnn_step_backward(dh + dh_all[:, t], step_caches[t])",
                "dx_t, dh, dparams_t = rnn_step_backward(dh_all[:, t], step_caches[t])",
            ),
        ),
        failing_test="test_rnn_backward",
        message="The gradient does not flow back through time",
    ),
    Bug(
        name="loops-forward-in-time",
        cell="rnn_backward",
        replace=(("    for t in reversed(range(T)):", "    for t in range(T):"),),
        failing_test="test_rnn_backward",
        message="visit the steps in reverse, from T down to 1",
    ),
    Bug(
        name="clip-each-array-by-its-own-norm",
        cell="clip_by_global_norm",
        replace=(
            (
                """    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = max_norm / max(norm, max_norm)
    return [g * scale for g in grads], norm""",
                """    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return [g * max_norm / max(np.linalg.norm(g), max_norm) for g in grads], norm""",
            ),
        ),
        failing_test="test_clip_by_global_norm",
        message="You clipped each array by its own norm",
    ),
    Bug(
        name="clip-by-value-instead-of-norm",
        cell="clip_by_global_norm",
        replace=(
            (
                """    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = max_norm / max(norm, max_norm)
    return [g * scale for g in grads], norm""",
                """    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return [np.clip(g, -max_norm, max_norm) for g in grads], norm""",
            ),
        ),
        failing_test="test_clip_by_global_norm",
        message="You clipped every entry to [-max_norm, max_norm]",
    ),
    Bug(
        name="clip-scales-small-gradients-up",
        cell="clip_by_global_norm",
        replace=(
            (
                """    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = max_norm / max(norm, max_norm)
    return [g * scale for g in grads], norm""",
                """    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return [g * max_norm / norm for g in grads], norm""",
            ),
        ),
        failing_test="test_clip_by_global_norm",
        message="your function scaled it up",
    ),
    Bug(
        name="clip-returns-norm-after-clipping",
        cell="clip_by_global_norm",
        replace=(
            (
                """    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = max_norm / max(norm, max_norm)
    return [g * scale for g in grads], norm""",
                """    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    clipped = [g * max_norm / max(norm, max_norm) for g in grads]
    return clipped, float(np.sqrt(sum(np.sum(g**2) for g in clipped)))""",
            ),
        ),
        failing_test="test_clip_by_global_norm",
        message="norm should be the global norm BEFORE clipping",
    ),
]

VALID_ANSWERS = [
    ValidAnswer(
        name="clip-with-linalg-norm",
        cell="clip_by_global_norm",
        replace=(
            (
                """    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = max_norm / max(norm, max_norm)
    return [g * scale for g in grads], norm""",
                """    norm = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))
    if norm > max_norm:
        return [g * (max_norm / norm) for g in grads], norm
    return [np.array(g, copy=True) for g in grads], norm""",
            ),
        ),
        why="one norm of all entries together, returned as a NumPy float, and a branch instead of max",
    ),
]
