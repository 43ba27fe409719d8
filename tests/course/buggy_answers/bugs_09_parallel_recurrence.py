"""Typical wrong answers to lesson 09's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug, ValidAnswer

# The mistake the tests also grade through real nbgrader (course_tools.answer_check.
# cross_checked_bug): the lesson's grading stops before any training, so any one is cheap.
CROSS_CHECKED = "combine-in-the-wrong-order"

BUGS = [
    Bug(
        name="keras-gru-convention",
        cell="min_gru_step",
        replace=(("return (1 - z) * h_prev + z * candidate", "return z * h_prev + (1 - z) * candidate"),),
        failing_test="test_min_gru_step",
        message="You used lesson 05's Keras convention",
    ),
    Bug(
        name="candidate-through-tanh",
        cell="min_gru_step",
        replace=(("candidate = x_t @ params[\"W_h\"] + params[\"b_h\"]", "candidate = np.tanh(x_t @ params[\"W_h\"] + params[\"b_h\"])"),),
        failing_test="test_min_gru_step",
        message="minGRU's candidate has no tanh",
    ),
    Bug(
        name="gate-reads-the-previous-state",
        cell="min_gru_step",
        replace=(("np.exp(-(x_t @ params[\"W_z\"] + params[\"b_z\"]))", "np.exp(-(h_prev @ params[\"W_z\"] + params[\"b_z\"]))"),),
        failing_test="test_min_gru_step",
        message="Your gate reads h_prev",
    ),
    Bug(
        name="gate-without-sigmoid",
        cell="min_gru_step",
        replace=(("z = 1 / (1 + np.exp(-(x_t @ params[\"W_z\"] + params[\"b_z\"])))", "z = x_t @ params[\"W_z\"] + params[\"b_z\"]"),),
        failing_test="test_min_gru_step",
        message="Your gate has no sigmoid",
    ),
    Bug(
        name="candidate-without-bias",
        cell="min_gru_step",
        replace=(("candidate = x_t @ params[\"W_h\"] + params[\"b_h\"]", "candidate = x_t @ params[\"W_h\"]"),),
        failing_test="test_min_gru_step",
        message="You forgot the candidate's bias",
    ),
    Bug(
        name="states-before-each-step",
        cell="recurrence_loop",
        replace=(
            ("        h = a[:, t] * h + b[:, t]\n        states.append(h)", "        states.append(h)\n        h = a[:, t] * h + b[:, t]"),
        ),
        failing_test="test_recurrence_loop",
        message="You returned the state BEFORE each step",
    ),
    Bug(
        name="loop-ignores-h0",
        cell="recurrence_loop",
        replace=(("h = np.zeros_like(b[:, 0]) if h0 is None else np.asarray(h0, dtype=float)", "h = np.zeros_like(b[:, 0])"),),
        failing_test="test_recurrence_loop",
        message="Your loop ignored h0",
    ),
    Bug(
        name="state-not-carried",
        cell="recurrence_loop",
        replace=(
            ("        h = a[:, t] * h + b[:, t]\n        states.append(h)", "        states.append(a[:, t] * h + b[:, t])"),
        ),
        failing_test="test_recurrence_loop",
        message="Every step started from h0",
    ),
    Bug(
        name="combine-in-the-wrong-order",
        cell="combine",
        replace=(("return a1 * a2, a2 * b1 + b2", "return a1 * a2, a1 * b2 + b1"),),
        failing_test="test_combine",
        message="is 'second, then first'",
    ),
    Bug(
        name="combine-adds-the-offsets",
        cell="combine",
        replace=(("return a1 * a2, a2 * b1 + b2", "return a1 * a2, b1 + b2"),),
        failing_test="test_combine",
        message="You added b1 + b2",
    ),
    Bug(
        name="combine-returns-b-a",
        cell="combine",
        replace=(("return a1 * a2, a2 * b1 + b2", "return a2 * b1 + b2, a1 * a2"),),
        failing_test="test_combine",
        message="You returned (b, a)",
    ),
    Bug(
        name="exclusive-scan",
        cell="parallel_scan",
        replace=(
            (
                "    return B if h0 is None else A * np.asarray(h0, dtype=float)[:, None, :] + B",
                "    A = np.concatenate([np.ones_like(A[:, :1]), A[:, :-1]], axis=1)\n"
                "    B = np.concatenate([np.zeros_like(B[:, :1]), B[:, :-1]], axis=1)\n"
                "    return B if h0 is None else A * np.asarray(h0, dtype=float)[:, None, :] + B",
            ),
        ),
        failing_test="test_parallel_scan",
        message="Off by one",
    ),
    Bug(
        name="scan-combines-in-the-wrong-order",
        cell="parallel_scan",
        replace=(
            (
                "combine((A[:, :-offset], B[:, :-offset]), (A[:, offset:], B[:, offset:]))",
                "combine((A[:, offset:], B[:, offset:]), (A[:, :-offset], B[:, :-offset]))",
            ),
        ),
        failing_test="test_parallel_scan",
        message="the EARLIER slice comes first",
    ),
    Bug(
        name="scan-ignores-h0",
        cell="parallel_scan",
        replace=(("    return B if h0 is None else A * np.asarray(h0, dtype=float)[:, None, :] + B", "    return B"),),
        failing_test="test_parallel_scan",
        message="Your scan ignores h0",
    ),
    Bug(
        name="scan-one-step-at-a-time",
        cell="parallel_scan",
        replace=(
            (
                "    offset = 1\n    while offset < A.shape[1]:\n"
                "        A[:, offset:], B[:, offset:] = combine((A[:, :-offset], B[:, :-offset]), (A[:, offset:], B[:, offset:]))\n"
                "        offset *= 2\n",
                "    for t in range(1, A.shape[1]):\n"
                "        A[:, t], B[:, t] = combine((A[:, t - 1], B[:, t - 1]), (A[:, t], B[:, t]))\n",
            ),
        ),
        failing_test="test_parallel_scan",
        message="a sweep is one call on whole slices",
    ),
    Bug(
        name="log-scan-wrong-sign",
        cell="log_space_scan",
        replace=(("terms = np.asarray(log_b, dtype=float) - a_star", "terms = np.asarray(log_b, dtype=float) + a_star"),),
        failing_test="test_log_space_scan",
        message="Wrong sign",
    ),
    Bug(
        name="log-scan-forgets-h0",
        cell="log_space_scan",
        replace=(
            (
                "    if log_h0 is not None:\n        terms = np.concatenate([np.asarray(log_h0, dtype=float)[:, None, :], terms], axis=1)\n",
                "",
            ),
            ("    if log_h0 is not None:\n        running = running[:, 1:]\n", ""),
        ),
        failing_test="test_log_space_scan",
        message="Your scan forgot h0",
    ),
    Bug(
        name="log-scan-exclusive-cumsum",
        cell="log_space_scan",
        replace=(("a_star = np.cumsum(log_a, axis=1)", "a_star = np.cumsum(log_a, axis=1) - log_a"),),
        failing_test="test_log_space_scan",
        message="includes a_t itself",
    ),
    Bug(
        name="log-scan-leaves-log-space",
        cell="log_space_scan",
        replace=(
            ("running = np.logaddexp.accumulate(terms, axis=1)", "running = np.log(np.cumsum(np.exp(terms), axis=1))"),
        ),
        failing_test="test_log_space_scan",
        message="never np.log(np.cumsum(np.exp(...)))",
    ),
]

VALID_ANSWERS = [
    ValidAnswer(
        name="sigmoid-by-tanh",
        cell="min_gru_step",
        replace=(
            (
                "z = 1 / (1 + np.exp(-(x_t @ params[\"W_z\"] + params[\"b_z\"])))",
                "z = 0.5 * (1 + np.tanh(0.5 * (x_t @ params[\"W_z\"] + params[\"b_z\"])))",
            ),
        ),
        why="sigmoid(v) = (1 + tanh(v / 2)) / 2: the same gate, computed another way",
    ),
    ValidAnswer(
        name="loop-into-a-preallocated-array",
        cell="recurrence_loop",
        replace=(
            ("    states = []\n", "    states = np.empty_like(b)\n"),
            ("        states.append(h)\n    return np.stack(states, axis=1)", "        states[:, t] = h\n    return states"),
        ),
        why="the exercise asks for the states, not for a list stacked at the end",
    ),
]
