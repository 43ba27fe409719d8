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
        name="param-count-without-second-bias-row",
        cell="gru_param_count",
        replace=(
            (
                """    count = 3 * (units * (units + input_dim) + units)
    if reset_after:
        count += 3 * units
    return count""",
                "    return 3 * (units * (units + input_dim) + units)",
            ),
        ),
        failing_test="test_gru_param_count",
        message="you forgot the second bias row",
        # units_for_budget calls gru_param_count, so the GRU budget goes wrong too.
    ),
    Bug(
        name="param-count-lstm-formula",
        cell="gru_param_count",
        replace=(
            (
                """    count = 3 * (units * (units + input_dim) + units)
    if reset_after:
        count += 3 * units
    return count""",
                "    return 4 * (units * (units + input_dim) + units)",
            ),
        ),
        failing_test="test_gru_param_count",
        message="a GRU has 3 blocks (z, r, h), not 4",
    ),
    Bug(
        name="budget-first-size-that-does-not-fit",
        cell="units_for_budget",
        replace=(
            (
                """        if layer_class is keras.layers.GRU:
            return gru_param_count(input_dim, units)
        raise ValueError(f"unsupported layer class {layer_class}")

    units = 0
    while count(units + 1) <= max_params:""",
                """        return gru_param_count(input_dim, units)

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
                """    def count(units):
        one_block = units * (units + input_dim) + units
        if layer_class is keras.layers.SimpleRNN:
            return one_block
        if layer_class is keras.layers.LSTM:
            return 4 * one_block
        if layer_class is keras.layers.GRU:
            return gru_param_count(input_dim, units)
        raise ValueError(f"unsupported layer class {layer_class}")""",
                "    gates = {keras.layers.SimpleRNN: 1, keras.layers.LSTM: 4, keras.layers.GRU: 3}[layer_class]",
            ),
            (
                "while count(units + 1) <= max_params:",
                "while gates * ((units + 1) * (units + 1 + input_dim) + units + 1) <= max_params:",
            ),
        ),
        failing_test="test_units_for_budget",
        message="did you count the GRU without its second bias row?",
    ),
]
BUGS += [
    Bug(
        name="param-count-ignores-reset-after",
        cell="gru_param_count",
        replace=(("    if reset_after:\n        count += 3 * units", "    count += 3 * units"),),
        failing_test="test_gru_param_count",
        message="With reset_after=False there is one bias row",
    ),
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

VALID_ANSWERS = [
    ValidAnswer(
        name="budget-counts-the-gru-inline",
        cell="units_for_budget",
        replace=(
            (
                "            return gru_param_count(input_dim, units)",
                "            return 3 * one_block + 3 * units",
            ),
        ),
        why="the text says you MAY call gru_param_count",
    ),
]
