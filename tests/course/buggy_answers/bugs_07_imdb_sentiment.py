"""Typical wrong answers to lesson 07's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug

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
        also_failing=("test_make_splits_hidden",),
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
        also_failing=("test_make_splits_hidden",),
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
        also_failing=("test_vectorize_hidden",),
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
        also_failing=("test_vectorize_hidden",),
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
        also_failing=(
            "test_build_sentiment_model_hidden",
            "test_train_sentiment_model",
            "test_train_sentiment_model_hidden",
        ),
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
        also_failing=(
            "test_build_sentiment_model_hidden",
            "test_train_sentiment_model",
            "test_train_sentiment_model_hidden",
        ),
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
        also_failing=(
            "test_build_sentiment_model_hidden",
            "test_train_sentiment_model",
            "test_train_sentiment_model_hidden",
        ),
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
        also_failing=("test_train_sentiment_model_hidden",),
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
        also_failing=("test_train_sentiment_model_hidden",),
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
        also_failing=("test_train_sentiment_model_hidden",),
    ),
]
