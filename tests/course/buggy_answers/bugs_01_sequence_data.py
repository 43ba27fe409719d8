"""Typical wrong answers to lesson 01's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug, ValidAnswer

BUGS = [
    Bug(
        name="target-inside-window",
        cell="make_windows",
        replace=(
            (
                """    num_windows = max(0, len(series) - window - horizon + 1)
    X = np.array([series[i : i + window] for i in range(num_windows)]).reshape(num_windows, window, 1)
    y = np.array([series[i + window + horizon - 1] for i in range(num_windows)]).reshape(num_windows)""",
                """    n = max(0, len(series) - window - horizon + 1)
    X = np.array([series[i:i + window] for i in range(n)]).reshape(n, window, 1)
    y = np.array([series[i + window - 1] for i in range(n)]).reshape(n)   # last value of the window""",
            ),
        ),
        failing_test="test_make_windows",
        message="right AFTER the window (off by one)",
    ),
    Bug(
        name="no-feature-axis",
        cell="make_windows",
        replace=(
            (
                """    num_windows = max(0, len(series) - window - horizon + 1)
    X = np.array([series[i : i + window] for i in range(num_windows)]).reshape(num_windows, window, 1)
    y = np.array([series[i + window + horizon - 1] for i in range(num_windows)]).reshape(num_windows)""",
                """    n = max(0, len(series) - window - horizon + 1)
    X = np.array([series[i:i + window] for i in range(n)])
    y = np.array([series[i + window + horizon - 1] for i in range(n)])""",
            ),
        ),
        failing_test="test_make_windows",
        message="did you forget the trailing feature axis?",
    ),
    Bug(
        name="vocabulary-without-reserved-ids",
        cell="vocabulary",
        replace=(
            (
                """    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    return ["", "[UNK]"] + ranked[: max(0, max_size - 2)]""",
                "    return sorted(counts, key=lambda word: (-counts[word], word))[:max_size]",
            ),
        ),
        failing_test="test_vocabulary",
        message="Ids 0 and 1 are reserved",
    ),
    Bug(
        name="vocabulary-in-first-seen-order",
        cell="vocabulary",
        replace=(
            (
                """from collections import Counter
""",
                "",
            ),
            (
                """    counts = Counter(word for text in texts for word in tokenize(text))
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    return ["", "[UNK]"] + ranked[: max(0, max_size - 2)]""",
                """    seen = []
    for text in texts:
        for word in tokenize(text):
            if word not in seen:
                seen.append(word)
    return ["", "[UNK]"] + seen[: max_size - 2]""",
            ),
        ),
        failing_test="test_vocabulary",
        message="Did you sort by count, highest first?",
    ),
    Bug(
        name="truncating-keeps-the-start",
        cell="pad_and_mask",
        replace=(
            (
                """        tokens = list(sequence)
        if len(tokens) > maxlen:
            tokens = tokens[len(tokens) - maxlen:] if truncating == "pre" else tokens[:maxlen]""",
                "        tokens = list(sequence)[:maxlen]          # always keeps the start",
            ),
        ),
        failing_test="test_pad_and_mask",
        message="truncating='pre' drops tokens from the START",
    ),
    Bug(
        name="mask-from-values",
        cell="pad_and_mask",
        replace=(
            (
                """    mask = np.zeros((len(sequences), maxlen), dtype=bool)
""",
                "",
            ),
            (
                """        mask[row, start:start + len(tokens)] = True
    return padded, mask""",
                """    return padded, padded != value
""",
            ),
        ),
        failing_test="test_pad_and_mask",
        message="must come from the sequence LENGTHS, not from the values",
    ),
    Bug(
        name="last-step-ignores-mask",
        cell="last_real_state",
        replace=(
            (
                """    outputs, mask = np.asarray(outputs), np.asarray(mask, dtype=bool)
    timesteps = mask.shape[1]
    last = timesteps - 1 - np.argmax(mask[:, ::-1], axis=1)
    picked = outputs[np.arange(len(outputs)), last]
    return np.where(mask.any(axis=1)[:, None], picked, 0.0)""",
                "    return np.asarray(outputs)[:, -1]",
            ),
        ),
        failing_test="test_last_real_state",
        message="You returned the output at the last time step",
    ),
    Bug(
        name="horizon-ignored",
        cell="make_windows",
        replace=(
            (
                "    num_windows = max(0, len(series) - window - horizon + 1)",
                "    num_windows = max(0, len(series) - window)",
            ),
            (
                "series[i + window + horizon - 1] for i",
                "series[i + window] for i",
            ),
        ),
        failing_test="test_make_windows",
        message="Your windows ignore `horizon`",
    ),
    Bug(
        name="unknown-word-as-padding",
        cell="vocabulary",
        replace=(("    return [index.get(word, 1) for word in tokenize(text)]",
                  "    return [index.get(word, 0) for word in tokenize(text)]"),),
        failing_test="test_vocabulary",
        message="not 0: id 0 is padding",
    ),
    Bug(
        name="empty-sequence-breaks-pre-padding",
        cell="pad_and_mask",
        replace=(
            (
                """        if not tokens:
            continue
        start = maxlen - len(tokens) if padding == "pre" else 0
        padded[row, start:start + len(tokens)] = tokens
        mask[row, start:start + len(tokens)] = True""",
                """        if padding == "pre":
            padded[row, -len(tokens):] = tokens
            mask[row, -len(tokens):] = True
        else:
            padded[row, :len(tokens)] = tokens
            mask[row, :len(tokens)] = True""",
            ),
        ),
        failing_test="test_pad_and_mask",
        message="an all-padding row for the empty sequence",
    ),
    Bug(
        name="no-real-step-picks-the-last-output",
        cell="last_real_state",
        replace=(("    return np.where(mask.any(axis=1)[:, None], picked, 0.0)", "    return picked"),),
        failing_test="test_last_real_state",
        message="A sequence with no real step gets zeros",
    ),
    Bug(
        name="last-index-from-the-count",
        cell="last_real_state",
        replace=(
            (
                "    last = timesteps - 1 - np.argmax(mask[:, ::-1], axis=1)",
                "    last = mask.sum(axis=1) - 1",
            ),
        ),
        failing_test="test_last_real_state",
        message="number of real steps minus one as the index",
    ),
]

VALID_ANSWERS = [
    ValidAnswer(
        name="windows-as-floats",
        cell="make_windows",
        replace=(
            (
                "    num_windows = max(0, len(series) - window - horizon + 1)",
                "    series = series.astype(float)\n    num_windows = max(0, len(series) - window - horizon + 1)",
            ),
        ),
        why="the exercise fixes the shapes of X and y, not their dtype",
    ),
    ValidAnswer(
        name="last-state-by-a-loop-in-float64",
        cell="last_real_state",
        replace=(
            (
                """    timesteps = mask.shape[1]
    last = timesteps - 1 - np.argmax(mask[:, ::-1], axis=1)
    picked = outputs[np.arange(len(outputs)), last]
    return np.where(mask.any(axis=1)[:, None], picked, 0.0)""",
                """    result = np.zeros((outputs.shape[0], outputs.shape[2]))
    for row in range(len(outputs)):
        real = np.flatnonzero(mask[row])
        if len(real):
            result[row] = outputs[row, real[-1]]
    return result""",
            ),
        ),
        why="a loop instead of argmax, and float64 zeros: the exercise asks for values and a shape",
    ),
]
