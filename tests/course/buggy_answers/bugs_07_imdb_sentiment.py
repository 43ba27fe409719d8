"""Typical wrong answers to lesson 07's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug, ValidAnswer

# The mistake the tests also grade through real nbgrader (course_tools.answer_check.
# cross_checked_bug). The first one would re-run both training tests (about 45 s) in that
# round trip; this one fails them on the callbacks' assert, before anything trains.
CROSS_CHECKED = "early-stopping-on-training-loss"

BUGS = [
    Bug(
        name="validates-on-the-test-set",
        cell="make_splits",
        replace=(
            (
                """    order = np.random.default_rng(seed).permutation(len(texts))
    val, rest = order[:validation_size], order[validation_size:]
""",
                "",
            ),
            (
                """        "train": ([texts[i] for i in rest], labels[rest]),
        "validation": ([texts[i] for i in val], labels[val]),""",
                """        "train": (texts, labels),
        "validation": (list(test[0]), np.asarray(test[1])),""",
            ),
        ),
        failing_test="test_make_splits",
        message="Your validation set contains TEST reviews",
    ),
    Bug(
        name="split-without-shuffling",
        cell="make_splits",
        replace=(
            (
                """    order = np.random.default_rng(seed).permutation(len(texts))
    val, rest = order[:validation_size], order[validation_size:]""",
                "    cut = len(texts) - validation_size          # the last reviews: all positive in IMDB",
            ),
            (
                """        "train": ([texts[i] for i in rest], labels[rest]),
        "validation": ([texts[i] for i in val], labels[val]),""",
                """        "train": (texts[:cut], labels[:cut]),
        "validation": (texts[cut:], labels[cut:]),""",
            ),
        ),
        failing_test="test_make_splits",
        message="holds only one class",
    ),
    Bug(
        name="pre-padding",
        cell="vectorize",
        replace=(
            (
                "        ids[i, :len(tokens)] = tokens",
                """        if tokens:
            ids[i, maxlen - len(tokens):] = tokens""",
            ),
        ),
        failing_test="test_vectorize",
        message="(pre-padding)",
    ),
    Bug(
        name="truncation-keeps-only-the-start",
        cell="vectorize",
        replace=(
            (
                """        if len(tokens) > maxlen:
            tokens = tokens[:head] + tokens[len(tokens) - (maxlen - head):]""",
                "        tokens = tokens[:maxlen]",
            ),
        ),
        failing_test="test_vectorize",
        message="you kept only the START",
    ),
    Bug(
        name="no-mask-with-post-padding",
        cell="build_sentiment_model",
        replace=(
            (
                "x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True)(inputs)",
                "x = keras.layers.Embedding(vocab_size, embedding_dim)(inputs)     # no mask_zero",
            ),
        ),
        failing_test="test_build_sentiment_model",
        message="The Embedding has no mask: create it with mask_zero=True",
    ),
    Bug(
        name="softmax-on-one-unit",
        cell="build_sentiment_model",
        replace=(
            (
                'outputs = keras.layers.Dense(1, activation="sigmoid")(pooled)',
                'outputs = keras.layers.Dense(1, activation="softmax")(pooled)',
            ),
        ),
        failing_test="test_build_sentiment_model",
        message="a softmax over a single unit is always exactly 1",
    ),
    Bug(
        name="unmasked-max-pooling",
        cell="build_sentiment_model",
        replace=(
            (
                "[keras.layers.GlobalAveragePooling1D()(x), MaskedGlobalMaxPooling1D()(x)])",
                "[keras.layers.GlobalAveragePooling1D()(x), keras.layers.GlobalMaxPooling1D()(x)])",
            ),
        ),
        failing_test="test_build_sentiment_model",
        message="GlobalMaxPooling1D ignores the mask",
    ),
    Bug(
        name="early-stopping-on-training-loss",
        cell="train_sentiment_model",
        replace=(
            (
                'return [keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=patience,',
                'return [keras.callbacks.EarlyStopping(monitor="loss", patience=patience,',
            ),
        ),
        failing_test="test_train_sentiment_model",
        message="a TRAINING metric",
    ),
    Bug(
        name="best-weights-not-restored",
        cell="train_sentiment_model",
        replace=(
            (
                """    return [keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=patience,
                                          restore_best_weights=True)]""",
                '    return [keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=patience)]',
            ),
        ),
        failing_test="test_train_sentiment_model",
        message="Set restore_best_weights=True",
    ),
    Bug(
        name="categorical-crossentropy-on-one-unit",
        cell="train_sentiment_model",
        replace=(
            (
                'model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",',
                'model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy",',
            ),
        ),
        failing_test="test_train_sentiment_model",
        message="need loss='binary_crossentropy'",
    ),
    Bug(
        name="split-ignores-the-seed",
        cell="make_splits",
        replace=(
            (
                "    order = np.random.default_rng(seed).permutation(len(texts))",
                "    order = np.random.default_rng(0).permutation(len(texts))",
            ),
        ),
        failing_test="test_make_splits",
        message="use the seed argument",
    ),
    Bug(
        name="head-ignored",
        cell="vectorize",
        replace=(
            (
                "            tokens = tokens[:head] + tokens[len(tokens) - (maxlen - head):]",
                "            tokens = tokens[:maxlen // 2] + tokens[len(tokens) - (maxlen - maxlen // 2):]",
            ),
        ),
        failing_test="test_vectorize",
        message="Your function ignores `head`",
    ),
]

# Found by benchmarks/held_out_mistakes.py (its first run: full marks), then caught and named.
BUGS.append(
    Bug(
        name="validation-split-instead-of-validation-data",
        cell="train_sentiment_model",
        replace=(("validation_data=(val_ids, val_labels)", "validation_split=0.2"),),
        failing_test="test_train_sentiment_model",
        message="not validation_split",
    )
)

VALID_ANSWERS = [
    ValidAnswer(
        name="ids-as-int64",
        cell="vectorize",
        replace=(
            (
                '    ids = np.zeros((len(rows), maxlen), dtype="int32")',
                '    ids = np.zeros((len(rows), maxlen), dtype="int64")',
            ),
        ),
        why="token ids of the right shape and values; the exercise does not fix their integer type",
    ),
]
