"""Typical wrong answers to lesson 01's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug

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
        also_failing=("test_make_windows_hidden",),
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
        also_failing=("test_make_windows_hidden",),
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
        also_failing=("test_vocabulary_hidden",),
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
        also_failing=("test_vocabulary_hidden",),
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
        also_failing=("test_pad_and_mask_hidden",),
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
        also_failing=("test_pad_and_mask_hidden",),
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
        also_failing=("test_last_real_state_hidden",),
    ),
]
