"""Typical wrong answers to lesson 07's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug

_SPLITS_HEADER = '''
def make_splits(train, test, validation_size, seed=0):
    texts, labels = list(train[0]), np.asarray(train[1])
'''

_MODEL_HEADER = '''
def build_sentiment_model(vocab_size, embedding_dim, units):
    inputs = keras.Input(shape=(None,), dtype="int32")
'''

_MODEL_BODY = '''
    x = keras.layers.Bidirectional(keras.layers.GRU(units, return_sequences=True))(x)
    pooled = keras.layers.Concatenate()(
        [keras.layers.GlobalAveragePooling1D()(x), MaskedGlobalMaxPooling1D()(x)])
'''

_TRAIN = '''
def train_sentiment_model(model, train_ids, train_labels, val_ids, val_labels, epochs,
                          batch_size=64, learning_rate=2e-3, patience=1, verbose="auto"):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model.fit(train_ids, train_labels, validation_data=(val_ids, val_labels), epochs=epochs,
                     batch_size=batch_size, callbacks=make_callbacks(patience), verbose=verbose)
'''

BUGS = [
    Bug(
        name="validates-on-the-test-set",
        cell="make_splits",
        source=_SPLITS_HEADER + '''
    # "the test set is held-out data, so it can serve as validation data"
    return {
        "train": (texts, labels),
        "validation": (list(test[0]), np.asarray(test[1])),
        "test": (list(test[0]), np.asarray(test[1])),
    }
''',
        failing_test="test_make_splits",
        message="Your validation set contains TEST reviews",
        also_failing=("test_make_splits_hidden",),
    ),
    Bug(
        name="split-without-shuffling",
        cell="make_splits",
        source=_SPLITS_HEADER + '''
    cut = len(texts) - validation_size          # the last reviews: all positive in IMDB
    return {
        "train": (texts[:cut], labels[:cut]),
        "validation": (texts[cut:], labels[cut:]),
        "test": (list(test[0]), np.asarray(test[1])),
    }
''',
        failing_test="test_make_splits",
        message="holds only one class",
        also_failing=("test_make_splits_hidden",),
    ),
    Bug(
        name="pre-padding",
        cell="vectorize",
        source='''
def vectorize(vectorizer, texts, maxlen, head):
    rows = vectorizer(list(texts)).to_list()
    ids = np.zeros((len(rows), maxlen), dtype="int32")
    for i, tokens in enumerate(rows):
        if len(tokens) > maxlen:
            tokens = tokens[:head] + tokens[len(tokens) - (maxlen - head):]
        if tokens:
            ids[i, maxlen - len(tokens):] = tokens
    return ids, ids != 0
''',
        failing_test="test_vectorize",
        message="(pre-padding)",
        also_failing=("test_vectorize_hidden",),
    ),
    Bug(
        name="truncation-keeps-only-the-start",
        cell="vectorize",
        source='''
def vectorize(vectorizer, texts, maxlen, head):
    rows = vectorizer(list(texts)).to_list()
    ids = np.zeros((len(rows), maxlen), dtype="int32")
    for i, tokens in enumerate(rows):
        tokens = tokens[:maxlen]
        ids[i, :len(tokens)] = tokens
    return ids, ids != 0
''',
        failing_test="test_vectorize",
        message="you kept only the START",
        also_failing=("test_vectorize_hidden",),
    ),
    Bug(
        name="no-mask-with-post-padding",
        cell="build_sentiment_model",
        source=_MODEL_HEADER
        + '''
    x = keras.layers.Embedding(vocab_size, embedding_dim)(inputs)     # no mask_zero
'''
        + _MODEL_BODY
        + '''
    outputs = keras.layers.Dense(1, activation="sigmoid")(pooled)
    return keras.Model(inputs, outputs)
''',
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
        source=_MODEL_HEADER
        + '''
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True)(inputs)
'''
        + _MODEL_BODY
        + '''
    outputs = keras.layers.Dense(1, activation="softmax")(pooled)
    return keras.Model(inputs, outputs)
''',
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
        source=_MODEL_HEADER
        + '''
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True)(inputs)
    x = keras.layers.Bidirectional(keras.layers.GRU(units, return_sequences=True))(x)
    pooled = keras.layers.Concatenate()(
        [keras.layers.GlobalAveragePooling1D()(x), keras.layers.GlobalMaxPooling1D()(x)])
    outputs = keras.layers.Dense(1, activation="sigmoid")(pooled)
    return keras.Model(inputs, outputs)
''',
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
        source='''
def make_callbacks(patience):
    return [keras.callbacks.EarlyStopping(monitor="loss", patience=patience,
                                          restore_best_weights=True)]
'''
        + _TRAIN,
        failing_test="test_train_sentiment_model",
        message="a TRAINING metric",
        also_failing=("test_train_sentiment_model_hidden",),
    ),
    Bug(
        name="best-weights-not-restored",
        cell="train_sentiment_model",
        source='''
def make_callbacks(patience):
    return [keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=patience)]
'''
        + _TRAIN,
        failing_test="test_train_sentiment_model",
        message="Set restore_best_weights=True",
        also_failing=("test_train_sentiment_model_hidden",),
    ),
    Bug(
        name="categorical-crossentropy-on-one-unit",
        cell="train_sentiment_model",
        source='''
def make_callbacks(patience):
    return [keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=patience,
                                          restore_best_weights=True)]


def train_sentiment_model(model, train_ids, train_labels, val_ids, val_labels, epochs,
                          batch_size=64, learning_rate=2e-3, patience=1, verbose="auto"):
    # "cross-entropy is cross-entropy": but over ONE unit the categorical one is always 0
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model.fit(train_ids, train_labels, validation_data=(val_ids, val_labels), epochs=epochs,
                     batch_size=batch_size, callbacks=make_callbacks(patience), verbose=verbose)
''',
        failing_test="test_train_sentiment_model",
        message="need loss='binary_crossentropy'",
        also_failing=("test_train_sentiment_model_hidden",),
    ),
]
