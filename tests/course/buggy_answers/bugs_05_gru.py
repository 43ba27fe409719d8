"""Typical wrong answers to lesson 05's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug, ValidAnswer

BUGS = [
    Bug(
        name="reset-before-matmul",
        cell="gru_step",
        replace=(
            (
                """    '''
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)""",
                """    '''
    units = h_prev.shape[-1]
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)""",
            ),
            (
                "h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)",
                "h_z, h_r, _ = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)",
            ),
            (
                """    n = np.tanh(x_h + r * h_h)
    h_next = z * h_prev + (1 - z) * n
    return h_next, {"z": z, "r": r, "n": n}""",
                """    n = np.tanh(x_h + (r * h_prev) @ recurrent_kernel[:, 2 * units:] + bias[1, 2 * units:])
    return z * h_prev + (1 - z) * n, {"z": z, "r": r, "n": n}""",
            ),
        ),
        failing_test="test_gru_step",
        message="You applied the reset gate to h_prev BEFORE the matrix product",
    ),
    Bug(
        name="recurrent-bias-outside-reset",
        cell="gru_step",
        replace=(
            (
                """    '''
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)""",
                """    '''
    units = h_prev.shape[-1]
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)""",
            ),
            (
                """    h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
    z = sigmoid(x_z + h_z)
    r = sigmoid(x_r + h_r)
    n = np.tanh(x_h + r * h_h)
    h_next = z * h_prev + (1 - z) * n
    return h_next, {"z": z, "r": r, "n": n}""",
                """    h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel, 3, axis=-1)
    b_z, b_r, b_h = np.split(bias[1], 3)
    z = sigmoid(x_z + h_z + b_z)
    r = sigmoid(x_r + h_r + b_r)
    n = np.tanh(x_h + r * h_h + b_h)
    return z * h_prev + (1 - z) * n, {"z": z, "r": r, "n": n}""",
            ),
        ),
        failing_test="test_gru_step",
        message="belongs INSIDE the reset",
    ),
    Bug(
        name="update-gate-swapped",
        cell="gru_step",
        replace=(
            (
                """    h_next = z * h_prev + (1 - z) * n
    return h_next, {"z": z, "r": r, "n": n}""",
                '    return (1 - z) * h_prev + z * n, {"z": z, "r": r, "n": n}',
            ),
        ),
        failing_test="test_gru_step",
        message="You swapped the update gate's roles",
    ),
    Bug(
        name="gate-order-rzh",
        cell="gru_step",
        replace=(
            (
                """    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
    h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)""",
                """    x_r, x_z, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
    h_r, h_z, h_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)""",
            ),
            (
                """    h_next = z * h_prev + (1 - z) * n
    return h_next, {"z": z, "r": r, "n": n}""",
                '    return z * h_prev + (1 - z) * n, {"z": z, "r": r, "n": n}',
            ),
        ),
        failing_test="test_gru_step",
        message="looks like your gate order is r, z, h",
    ),
    Bug(
        name="budget-first-size-that-does-not-fit",
        cell="units_for_budget",
        replace=(
            (
                """        if layer_class is keras.layers.GRU:
            return 3 * one_block + 3 * units          # reset_after=True: the second bias row
        raise ValueError(f"unsupported layer class {layer_class}")

    units = 0
    while count(units + 1) <= max_params:""",
                """        return 3 * one_block + 3 * units

    units = 1
    while count(units) <= max_params:""",
            ),
        ),
        failing_test="test_units_for_budget",
        message="return the LARGEST number of units that FITS",
    ),
    Bug(
        name="budget-gru-without-second-bias-row",
        cell="units_for_budget",
        replace=(
            (
                "            return 3 * one_block + 3 * units          # reset_after=True: the second bias row",
                "            return 3 * one_block",
            ),
        ),
        failing_test="test_units_for_budget",
        message="did you count the GRU without its second bias row?",
    ),
]
BUGS += [
    Bug(
        name="budget-strictly-below",
        cell="units_for_budget",
        replace=(
            (
                "    while count(units + 1) <= max_params:",
                "    while count(units + 1) < max_params:",
            ),
        ),
        failing_test="test_units_for_budget",
        message="use <=, not <",
    ),
]

# Found by benchmarks/held_out_mistakes.py (its first run), then given messages that name them.
BUGS += [
    Bug(
        name="candidate-sigmoid",
        cell="gru_step",
        replace=(("    n = np.tanh(x_h + r * h_h)", "    n = sigmoid(x_h + r * h_h)"),),
        failing_test="test_gru_step",
        message="not the sigmoid",
    ),
    Bug(
        name="budget-lstm-without-bias",
        cell="units_for_budget",
        replace=(("            return 4 * one_block", "            return 4 * units * (units + input_dim)"),),
        failing_test="test_units_for_budget",
        message="the biases too?",
    ),
]

# Exercise 2, gru_forward_masked: a GRU over a padded batch.
BUGS += [
    Bug(
        name="masked-step-resets-state",
        cell="gru_forward_masked",
        replace=(("h = np.where(mask[:, t, None], h_new, h)", "h = np.where(mask[:, t, None], h_new, 0)"),),
        failing_test="test_gru_forward_masked",
        message="At a padded step you set the state to zero",
    ),
    Bug(
        name="masked-step-emits-new-state",
        cell="gru_forward_masked",
        replace=(
            (
                """        h = np.where(mask[:, t, None], h_new, h)    # (batch, 1) against (batch, units)
        states.append(h)""",
                """        states.append(h_new)
        h = np.where(mask[:, t, None], h_new, h)""",
            ),
        ),
        failing_test="test_gru_forward_masked",
        message="Your states are right at the real steps and wrong at the padded ones",
    ),
    Bug(
        name="mask-ignored",
        cell="gru_forward_masked",
        replace=(("h = np.where(mask[:, t, None], h_new, h)", "h = h_new"),),
        failing_test="test_gru_forward_masked",
        message="Your states ignore the mask",
    ),
    Bug(
        name="mask-without-units-axis",
        cell="gru_forward_masked",
        replace=(("h = np.where(mask[:, t, None], h_new, h)", "h = np.where(mask[:, t], h_new, h)"),),
        failing_test="test_gru_forward_masked",
        message="Give the mask a units axis",
    ),
    Bug(
        name="mask-inverted",
        cell="gru_forward_masked",
        replace=(("h = np.where(mask[:, t, None], h_new, h)", "h = np.where(mask[:, t, None], h, h_new)"),),
        failing_test="test_gru_forward_masked",
        message="You treated True as padding",
    ),
    Bug(
        name="masked-forward-returns-last-state-only",
        cell="gru_forward_masked",
        replace=(("    return np.stack(states, axis=1)", "    return h"),),
        failing_test="test_gru_forward_masked",
        message="Return the state after EVERY step",
    ),
]

VALID_ANSWERS = [
    ValidAnswer(
        name="masked-forward-blends-with-a-float-mask",
        cell="gru_forward_masked",
        replace=(
            (
                "        h = np.where(mask[:, t, None], h_new, h)    # (batch, 1) against (batch, units)",
                """        keep_new = mask[:, t, None].astype(h.dtype)
        h = keep_new * h_new + (1 - keep_new) * h""",
            ),
        ),
        why="the text asks for the carried state, not for np.where",
    ),
    ValidAnswer(
        name="budget-counts-with-keras-by-bisection",
        cell="units_for_budget",
        replace=(
            (
                """    def count(units):
        one_block = units * (units + input_dim) + units
        if layer_class is keras.layers.SimpleRNN:
            return one_block
        if layer_class is keras.layers.LSTM:
            return 4 * one_block
        if layer_class is keras.layers.GRU:
            return 3 * one_block + 3 * units          # reset_after=True: the second bias row
        raise ValueError(f"unsupported layer class {layer_class}")

    units = 0
    while count(units + 1) <= max_params:
        units += 1
    return units""",
                """    def count(units):
        layer = layer_class(units)
        layer.build((None, None, input_dim))
        return layer.count_params()

    if count(1) > max_params:
        return 0
    fits, too_big = 1, 2
    while count(too_big) <= max_params:
        fits, too_big = too_big, 2 * too_big
    while too_big - fits > 1:
        middle = (fits + too_big) // 2
        if count(middle) <= max_params:
            fits = middle
        else:
            too_big = middle
    return fits""",
            ),
        ),
        why="the text gives the counts; Keras' own count of a built layer is the same number",
    ),
]
