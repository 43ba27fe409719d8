"""Typical wrong answers to lesson 01's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug

BUGS = [
    Bug(
        name="target-inside-window",
        cell="make_windows",
        source='''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    n = max(0, len(series) - window - horizon + 1)
    X = np.array([series[i:i + window] for i in range(n)]).reshape(n, window, 1)
    y = np.array([series[i + window - 1] for i in range(n)]).reshape(n)   # last value of the window
    return X, y
''',
        failing_test="test_make_windows",
        message="right AFTER the window (off by one)",
        also_failing=("test_make_windows_hidden",),
    ),
    Bug(
        name="no-feature-axis",
        cell="make_windows",
        source='''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    n = max(0, len(series) - window - horizon + 1)
    X = np.array([series[i:i + window] for i in range(n)])
    y = np.array([series[i + window + horizon - 1] for i in range(n)])
    return X, y
''',
        failing_test="test_make_windows",
        message="did you forget the trailing feature axis?",
        also_failing=("test_make_windows_hidden",),
    ),
    Bug(
        name="vocabulary-without-reserved-ids",
        cell="vocabulary",
        source='''
from collections import Counter

def build_vocabulary(texts, max_size):
    counts = Counter(word for text in texts for word in tokenize(text))
    return sorted(counts, key=lambda word: (-counts[word], word))[:max_size]

def encode(text, vocabulary):
    index = {word: i for i, word in enumerate(vocabulary)}
    return [index.get(word, 1) for word in tokenize(text)]
''',
        failing_test="test_vocabulary",
        message="Ids 0 and 1 are reserved",
        also_failing=("test_vocabulary_hidden",),
    ),
    Bug(
        name="vocabulary-in-first-seen-order",
        cell="vocabulary",
        source='''
def build_vocabulary(texts, max_size):
    seen = []
    for text in texts:
        for word in tokenize(text):
            if word not in seen:
                seen.append(word)
    return ["", "[UNK]"] + seen[: max_size - 2]

def encode(text, vocabulary):
    index = {word: i for i, word in enumerate(vocabulary)}
    return [index.get(word, 1) for word in tokenize(text)]
''',
        failing_test="test_vocabulary",
        message="Did you sort by count, highest first?",
        also_failing=("test_vocabulary_hidden",),
    ),
    Bug(
        name="truncating-keeps-the-start",
        cell="pad_and_mask",
        source='''
def pad_and_mask(sequences, maxlen, padding="pre", truncating="pre", value=0):
    padded = np.full((len(sequences), maxlen), value, dtype="int32")
    mask = np.zeros((len(sequences), maxlen), dtype=bool)
    for row, sequence in enumerate(sequences):
        tokens = list(sequence)[:maxlen]          # always keeps the start
        if not tokens:
            continue
        start = maxlen - len(tokens) if padding == "pre" else 0
        padded[row, start:start + len(tokens)] = tokens
        mask[row, start:start + len(tokens)] = True
    return padded, mask
''',
        failing_test="test_pad_and_mask",
        message="truncating='pre' drops tokens from the START",
        also_failing=("test_pad_and_mask_hidden",),
    ),
    Bug(
        name="mask-from-values",
        cell="pad_and_mask",
        source='''
def pad_and_mask(sequences, maxlen, padding="pre", truncating="pre", value=0):
    padded = np.full((len(sequences), maxlen), value, dtype="int32")
    for row, sequence in enumerate(sequences):
        tokens = list(sequence)
        if len(tokens) > maxlen:
            tokens = tokens[len(tokens) - maxlen:] if truncating == "pre" else tokens[:maxlen]
        if not tokens:
            continue
        start = maxlen - len(tokens) if padding == "pre" else 0
        padded[row, start:start + len(tokens)] = tokens
    return padded, padded != value
''',
        failing_test="test_pad_and_mask",
        message="must come from the sequence LENGTHS, not from the values",
        also_failing=("test_pad_and_mask_hidden",),
    ),
    Bug(
        name="last-step-ignores-mask",
        cell="last_real_state",
        source='''
def last_real_state(outputs, mask):
    return np.asarray(outputs)[:, -1]
''',
        failing_test="test_last_real_state",
        message="You returned the output at the last time step",
        also_failing=("test_last_real_state_hidden",),
    ),
]
