"""Typical wrong answers to lesson 06's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug, ValidAnswer

# The mistake the tests also grade through real nbgrader (course_tools.answer_check.
# cross_checked_bug). The first one would re-train both taggers (about 17 s) in that round
# trip; with this one their training stops at the first batch, on the output's shape.
CROSS_CHECKED = "last-layer-without-return-sequences"

BUGS = [
    Bug(
        name="merge-mode-ignored",
        cell="build_tagger",
        replace=(
            (
                "keras.layers.Bidirectional(recurrent, merge_mode=merge_mode)",
                "keras.layers.Bidirectional(recurrent)",
            ),
        ),
        failing_test="test_build_tagger",
        message="Is merge_mode ignored?",
    ),
    Bug(
        name="bidirectional-wraps-only-the-first-layer",
        cell="build_tagger",
        replace=(
            ("for _ in range(num_layers):", "for layer_index in range(num_layers):"),
            ("if bidirectional:", "if bidirectional and layer_index == 0:"),
        ),
        failing_test="test_build_tagger",
        message="wrap EVERY GRU layer",
    ),
    Bug(
        name="last-layer-without-return-sequences",
        cell="build_tagger",
        replace=(
            ("for _ in range(num_layers):", "for layer_index in range(num_layers):"),
            (
                "GRU(units, return_sequences=True)",
                "GRU(units, return_sequences=layer_index < num_layers - 1)",
            ),
        ),
        failing_test="test_build_tagger",
        message="Every GRU needs return_sequences=True, the last one too",
    ),
    Bug(
        name="causality-checks-the-wrong-side-of-t",
        cell="causality",
        replace=(
            (
                "return bool(np.any(change[:t] > tol))",
                "return bool(np.any(change[t + 1:] > tol))",
            ),
        ),
        failing_test="test_causality",
        message="You compared the wrong side of t",
    ),
    Bug(
        name="perturbs-example-t-instead-of-step-t",
        cell="causality",
        replace=(
            (
                "perturbed[:, t, :] += delta",
                "perturbed[t] += delta",
            ),
        ),
        failing_test="test_causality",
        message="x[t] is example t of the batch; time step t is x[:, t]",
    ),
    Bug(
        name="decoder-input-not-shifted",
        cell="teacher_forcing",
        replace=(
            (
                """    targets = np.asarray(targets)
    inputs = np.empty_like(targets)
    inputs[:, 0] = start_id
    inputs[:, 1:] = targets[:, :-1]
    return inputs""",
                "    return np.array(targets)          # the decoder would be fed the token it must predict",
            ),
        ),
        failing_test="test_teacher_forcing",
        message="The decoder input equals the targets",
    ),
    Bug(
        name="teacher-forcing-at-inference",
        cell="greedy_decoding",
        replace=(
            (
                'tokens = np.asarray(probabilities)[:, -1].argmax(axis=-1).astype("int32")[:, None]\n        predictions[:, step] = tokens[:, 0]',
                'predictions[:, step] = np.asarray(probabilities)[:, -1].argmax(axis=-1)\n        tokens = targets[:, step:step + 1].astype("int32")  # the truth, not the prediction',
            ),
        ),
        failing_test="test_greedy_decoding",
        message="Your decoder was fed the TARGETS at inference (teacher forcing)",
    ),
    Bug(
        name="decoder-state-not-carried",
        cell="greedy_decoding",
        replace=(
            (
                "probabilities, state = decoder([tokens, state])",
                "probabilities, _ = decoder([tokens, state])  # every step from the encoder's state",
            ),
        ),
        failing_test="test_greedy_decoding",
        message="The decoder's state is not carried from step to step",
    ),
    Bug(
        name="accuracy-per-token",
        cell="greedy_decoding",
        replace=(
            (
                "right = (predictions == targets) | (targets == PAD_ID)\n    accuracy = float(right.all(axis=1).mean())",
                "accuracy = float((predictions == targets).mean())",
            ),
        ),
        failing_test="test_greedy_decoding",
        message="counts TOKENS",
    ),
    Bug(
        name="signed-change",
        cell="causality",
        replace=(
            (
                "    return np.abs(after - before).max(axis=(0, 2))",
                "    return (after - before).max(axis=(0, 2))",
            ),
        ),
        failing_test="test_causality",
        message="the SIZE of the change",
    ),
    Bug(
        name="start-token-hard-coded",
        cell="teacher_forcing",
        replace=(("    inputs[:, 0] = start_id", "    inputs[:, 0] = 1  # the start token"),),
        failing_test="test_teacher_forcing",
        message="must be `start_id` (here 9), not a fixed number",
    ),
    Bug(
        name="decoder-inputs-as-floats",
        cell="teacher_forcing",
        replace=(("    inputs = np.empty_like(targets)", "    inputs = np.zeros(targets.shape)"),),
        failing_test="test_teacher_forcing",
        message="Keep the dtype of the targets",
    ),
    Bug(
        name="targets-shifted-in-place",
        cell="teacher_forcing",
        replace=(("    inputs = np.empty_like(targets)", "    inputs = targets"),),
        failing_test="test_teacher_forcing",
        message="modified `targets` in place",
    ),
]

VALID_ANSWERS = [
    ValidAnswer(
        name="teacher-forcing-by-concatenation",
        cell="teacher_forcing",
        replace=(
            (
                """    inputs = np.empty_like(targets)
    inputs[:, 0] = start_id
    inputs[:, 1:] = targets[:, :-1]
    return inputs""",
                """    start = np.full((len(targets), 1), start_id, dtype=targets.dtype)
    return np.concatenate([start, targets[:, :-1]], axis=1)""",
            ),
        ),
        why="any way of shifting right that keeps the targets' dtype",
    ),
]
