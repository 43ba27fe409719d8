"""Typical wrong answers to lesson 06's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug

_TAGGER = '''
def build_tagger(vocab_size, num_tags, units, *, num_layers=2, bidirectional=True,
                 merge_mode="concat", embedding_dim=16):
    tokens = keras.Input(shape=(None,), dtype="int32")
    h = keras.layers.Embedding(vocab_size, embedding_dim)(tokens)
    for layer_index in range(num_layers):
        recurrent = keras.layers.GRU(units, return_sequences=RETURN_SEQUENCES)
        if bidirectional and WRAP:
            recurrent = keras.layers.Bidirectional(recurrent MERGE)
        h = recurrent(h)
    probabilities = keras.layers.Dense(num_tags, activation="softmax")(h)
    return keras.Model(tokens, probabilities)
'''


def _tagger(return_sequences="True", wrap="True", merge=", merge_mode=merge_mode"):
    return (
        _TAGGER.replace("RETURN_SEQUENCES", return_sequences)
        .replace("WRAP", wrap)
        .replace(" MERGE", merge)
    )


_CAUSALITY = '''
def output_change(model, x, t, delta=1.0):
    x = np.asarray(x, dtype="float32")
    perturbed = x.copy()
    PERTURB += delta
    before = np.asarray(model(x))
    after = np.asarray(model(perturbed))
    return np.abs(after - before).max(axis=(0, 2))


def sees_the_future(model, x, t, tol=1e-6):
    change = output_change(model, x, t)
    return bool(np.any(SIDE > tol))
'''


def _causality(perturb="perturbed[:, t, :]", side="change[:t]"):
    return _CAUSALITY.replace("PERTURB", perturb).replace("SIDE", side)


_DECODING = '''
def held_out_accuracy(encoder, decoder, sources, targets, start_id):
    sources, targets = np.asarray(sources), np.asarray(targets)
    state = np.asarray(encoder(sources))
    tokens = np.full((len(sources), 1), start_id, dtype="int32")
    predictions = np.zeros(targets.shape, dtype="int32")
    for step in range(targets.shape[1]):
        probabilities, NEW_STATE = decoder([tokens, state])
        state = np.asarray(state)
        predictions[:, step] = np.asarray(probabilities)[:, -1].argmax(axis=-1)
        NEXT_TOKENS
    ACCURACY
    return predictions, accuracy
'''


_SEQUENCE_ACCURACY = (
    "accuracy = float(((predictions == targets) | (targets == PAD_ID)).all(axis=1).mean())"
)


def _decoding(
    next_tokens="tokens = predictions[:, step:step + 1]",
    accuracy=_SEQUENCE_ACCURACY,
    new_state="state",
):
    return (
        _DECODING.replace("NEXT_TOKENS", next_tokens)
        .replace("ACCURACY", accuracy)
        .replace("NEW_STATE", new_state)
    )


BUGS = [
    Bug(
        name="merge-mode-ignored",
        cell="build_tagger",
        source=_tagger(merge=""),
        failing_test="test_build_tagger",
        message="Is merge_mode ignored?",
        also_failing=("test_build_tagger_hidden",),
    ),
    Bug(
        name="bidirectional-wraps-only-the-first-layer",
        cell="build_tagger",
        source=_tagger(wrap="layer_index == 0"),
        failing_test="test_build_tagger",
        message="wrap EVERY GRU layer",
        also_failing=("test_build_tagger_hidden",),
    ),
    Bug(
        name="last-layer-without-return-sequences",
        cell="build_tagger",
        source=_tagger(return_sequences="layer_index < num_layers - 1"),
        failing_test="test_build_tagger",
        message="Every GRU needs return_sequences=True, the last one too",
        also_failing=("test_build_tagger_hidden",),
    ),
    Bug(
        name="causality-checks-the-wrong-side-of-t",
        cell="causality",
        source=_causality(side="change[t + 1:]"),
        failing_test="test_causality",
        message="You compared the wrong side of t",
        also_failing=("test_causality_hidden",),
    ),
    Bug(
        name="perturbs-example-t-instead-of-step-t",
        cell="causality",
        source=_causality(perturb="perturbed[t]"),
        failing_test="test_causality",
        message="x[t] is example t of the batch; time step t is x[:, t]",
        also_failing=("test_causality_hidden",),
    ),
    Bug(
        name="decoder-input-not-shifted",
        cell="teacher_forcing",
        source='''
def teacher_forcing_inputs(targets, start_id):
    return np.array(targets)          # the decoder would be fed the token it must predict
''',
        failing_test="test_teacher_forcing",
        message="The decoder input equals the targets",
        also_failing=("test_teacher_forcing_hidden",),
    ),
    Bug(
        name="teacher-forcing-at-inference",
        cell="greedy_decoding",
        source=_decoding(next_tokens='tokens = targets[:, step:step + 1].astype("int32")'),
        failing_test="test_greedy_decoding",
        message="Your decoder was fed the TARGETS at inference (teacher forcing)",
        also_failing=("test_greedy_decoding_hidden",),
    ),
    Bug(
        name="decoder-state-not-carried",
        cell="greedy_decoding",
        source=_decoding(new_state="_"),  # every step starts again from the encoder's state
        failing_test="test_greedy_decoding",
        message="The decoder's state is not carried from step to step",
        also_failing=("test_greedy_decoding_hidden",),
    ),
    Bug(
        name="accuracy-per-token",
        cell="greedy_decoding",
        source=_decoding(accuracy="accuracy = float((predictions == targets).mean())"),
        failing_test="test_greedy_decoding",
        message="counts TOKENS",
        also_failing=("test_greedy_decoding_hidden",),
    ),
]
