"""Typical wrong answers to lesson 08's exercises (one mistake per submission)."""

from course_tools.course_copy import Bug, ValidAnswer

# The mistake the tests also grade through real nbgrader (course_tools.answer_check.
# cross_checked_bug): the lesson's grading stops before any training, so any one is cheap.
CROSS_CHECKED = "beam-keeps-one-hypothesis"

_SOFTMAX = (
    "    exponentials = np.exp(scores - scores.max(axis=-1, keepdims=True))\n"
    "    return exponentials / exponentials.sum(axis=-1, keepdims=True)"
)

BUGS = [
    Bug(
        name="softmax-over-the-queries",
        cell="masked_softmax",
        replace=(
            (
                _SOFTMAX,
                "    exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
                "    return exponentials / exponentials.sum(axis=1, keepdims=True)",
            ),
        ),
        failing_test="test_masked_softmax",
        message="normalise over the last axis",
    ),
    Bug(
        name="padding-not-masked",
        cell="masked_softmax",
        replace=(
            (
                "    if mask is not None:\n"
                "        scores = np.where(np.asarray(mask, dtype=bool)[:, None, :], scores, -np.inf)\n",
                "",
            ),
        ),
        failing_test="test_masked_softmax",
        message="Padding received weight",
    ),
    Bug(
        name="padding-zeroed-after-the-softmax",
        cell="masked_softmax",
        replace=(
            (
                "    if mask is not None:\n"
                "        scores = np.where(np.asarray(mask, dtype=bool)[:, None, :], scores, -np.inf)\n",
                "",
            ),
            (
                "    return exponentials / exponentials.sum(axis=-1, keepdims=True)",
                "    weights = exponentials / exponentials.sum(axis=-1, keepdims=True)\n"
                "    return weights if mask is None else weights * np.asarray(mask)[:, None, :]",
            ),
        ),
        failing_test="test_masked_softmax",
        message="Did you zero the padding AFTER the softmax?",
    ),
    Bug(
        name="softmax-overflows",
        cell="masked_softmax",
        replace=(
            (
                "np.exp(scores - scores.max(axis=-1, keepdims=True))",
                "np.exp(scores)",
            ),
        ),
        failing_test="test_masked_softmax",
        message="exp(1000) overflows",
    ),
    Bug(
        name="forgets-the-scale",
        cell="dot_product_scores",
        replace=(
            (
                "    if scaled:\n        scores = scores / np.sqrt(query.shape[-1])\n",
                "",
            ),
        ),
        failing_test="test_dot_product_scores",
        message="you forgot the scale",
    ),
    Bug(
        name="scales-by-d",
        cell="dot_product_scores",
        replace=(("scores / np.sqrt(query.shape[-1])", "scores / query.shape[-1]"),),
        failing_test="test_dot_product_scores",
        message="You divided by d = 4",
    ),
    Bug(
        name="scales-by-the-number-of-keys",
        cell="dot_product_scores",
        replace=(("np.sqrt(query.shape[-1])", "np.sqrt(keys.shape[1])"),),
        failing_test="test_dot_product_scores",
        message="You divided by sqrt(Tk)",
    ),
    Bug(
        name="keys-times-queries",
        cell="dot_product_scores",
        replace=(("query @ np.swapaxes(keys, 1, 2)", "keys @ np.swapaxes(query, 1, 2)"),),
        failing_test="test_dot_product_scores",
        message="keys times queries",
    ),
    Bug(
        name="scaled-even-when-not-asked",
        cell="dot_product_scores",
        replace=(
            (
                "    if scaled:\n        scores = scores / np.sqrt(query.shape[-1])\n",
                "    scores = scores / np.sqrt(query.shape[-1])\n",
            ),
        ),
        failing_test="test_dot_product_scores",
        message="With scaled=False the scores are the plain dot products",
    ),
    Bug(
        name="tanh-after-v",
        cell="additive_scores",
        replace=(
            (
                "hidden = np.tanh(projected_query[:, :, None, :] + projected_keys[:, None, :, :])",
                "hidden = projected_query[:, :, None, :] + projected_keys[:, None, :, :]",
            ),
            ("return hidden @ np.asarray(v)", "return np.tanh(hidden @ np.asarray(v))"),
        ),
        failing_test="test_additive_scores",
        message="You took tanh AFTER weighing with v",
    ),
    Bug(
        name="additive-without-tanh",
        cell="additive_scores",
        replace=(
            (
                "hidden = np.tanh(projected_query[:, :, None, :] + projected_keys[:, None, :, :])",
                "hidden = projected_query[:, :, None, :] + projected_keys[:, None, :, :]",
            ),
        ),
        failing_test="test_additive_scores",
        message="You forgot the tanh",
    ),
    Bug(
        name="query-i-with-key-i-only",
        cell="additive_scores",
        replace=(
            (
                "projected_query[:, :, None, :] + projected_keys[:, None, :, :]",
                "projected_query + projected_keys",
            ),
        ),
        failing_test="test_additive_scores",
        message="Pair every query with every key, not query i with key i",
    ),
    Bug(
        name="v-left-out",
        cell="additive_scores",
        replace=(("return hidden @ np.asarray(v)", "return hidden.sum(axis=-1)"),),
        failing_test="test_additive_scores",
        message="weigh them by v first",
    ),
    Bug(
        name="context-reads-the-keys",
        cell="attend",
        replace=(("context = weights @ np.asarray(values)", "context = weights @ np.asarray(keys)"),),
        failing_test="test_attend",
        message="read the VALUES",
    ),
    Bug(
        name="attend-forgets-the-mask",
        cell="attend",
        replace=(("scaled=True), mask)", "scaled=True), None)"),),
        failing_test="test_attend",
        message="pass the mask on to masked_softmax",
    ),
    Bug(
        name="attend-unscaled",
        cell="attend",
        replace=(("scaled=True), mask)", "scaled=False), mask)"),),
        failing_test="test_attend",
        message="Your weights are those of UNscaled scores",
    ),
    Bug(
        name="attends-with-the-state-before-the-step",
        cell="attention_decoder_step",
        replace=(("query = new_state[:, None, :]", "query = np.asarray(state)[:, None, :]"),),
        failing_test="test_attention_decoder_step",
        message="You attended with the state BEFORE the step",
    ),
    Bug(
        name="context-joined-before-the-state",
        cell="attention_decoder_step",
        replace=(
            (
                "np.concatenate([new_state, context], axis=-1)",
                "np.concatenate([context, new_state], axis=-1)",
            ),
        ),
        failing_test="test_attention_decoder_step",
        message="You joined [context, new state]",
    ),
    Bug(
        name="step-scaled-by-one-over-sqrt-d",
        cell="attention_decoder_step",
        replace=(
            (
                'params["scale"] * dot_product_scores(query, encoder_outputs, scaled=False)',
                "dot_product_scores(query, encoder_outputs, scaled=True)",
            ),
        ),
        failing_test="test_attention_decoder_step",
        message="You scaled the scores by 1/sqrt(H)",
    ),
    Bug(
        name="step-without-the-scale",
        cell="attention_decoder_step",
        replace=(
            (
                'params["scale"] * dot_product_scores(query, encoder_outputs, scaled=False)',
                "dot_product_scores(query, encoder_outputs, scaled=False)",
            ),
        ),
        failing_test="test_attention_decoder_step",
        message="You left the scale out",
    ),
    Bug(
        name="step-returns-logits",
        cell="attention_decoder_step",
        replace=(("return probabilities, new_state, weights[:, 0]", "return logits, new_state, weights[:, 0]"),),
        failing_test="test_attention_decoder_step",
        message="Your probabilities do not sum to 1",
    ),
    Bug(
        name="step-weights-keep-the-query-axis",
        cell="attention_decoder_step",
        replace=(("return probabilities, new_state, weights[:, 0]", "return probabilities, new_state, weights"),),
        failing_test="test_attention_decoder_step",
        message="weights should have shape (batch, Tk) = (2, 6)",
    ),
    Bug(
        name="beam-keeps-one-hypothesis",
        cell="beam_search",
        replace=(
            (
                "beam = sorted(candidates, key=lambda hypothesis: -hypothesis[1])[:beam_width]",
                "beam = sorted(candidates, key=lambda hypothesis: -hypothesis[1])[:1]",
            ),
        ),
        failing_test="test_beam_search",
        message="what greedy decoding finds",
    ),
    Bug(
        name="beam-extends-each-hypothesis-by-its-best-token-only",
        cell="beam_search",
        replace=(("for token in np.argsort(-log_p)[:beam_width]:", "for token in np.argsort(-log_p)[:1]:"),),
        failing_test="test_beam_search",
        message="what greedy decoding finds",
    ),
    Bug(
        name="beam-adds-probabilities",
        cell="beam_search",
        replace=(
            (
                "log_p = np.log(np.asarray(outputs[0], dtype=float)[0, -1])",
                "log_p = np.asarray(outputs[0], dtype=float)[0, -1]",
            ),
        ),
        failing_test="test_beam_search",
        message="is a SUM of probabilities",
    ),
    Bug(
        name="beam-multiplies-log-probabilities",
        cell="beam_search",
        replace=(
            ("beam = [([], 0.0, states)]", "beam = [([], 1.0, states)]"),
            ("score + float(log_p[token])", "score * float(log_p[token])"),
        ),
        failing_test="test_beam_search",
        message="is a PRODUCT of log-probabilities",
    ),
    Bug(
        name="beam-scores-the-last-token-only",
        cell="beam_search",
        replace=(("score + float(log_p[token])", "float(log_p[token])"),),
        failing_test="test_beam_search",
        message="that of the last token only",
    ),
    Bug(
        name="beam-extends-finished-hypotheses",
        cell="beam_search",
        replace=(
            (
                "            if tokens and tokens[-1] == end_id:\n"
                "                candidates.append((tokens, score, states))    # finished: carried on unchanged\n"
                "                continue\n",
                "",
            ),
        ),
        failing_test="test_beam_search",
        message="Carry it on unchanged",
    ),
    Bug(
        name="beam-keeps-the-first-state",
        cell="beam_search",
        replace=(
            (
                "candidates.append((tokens + [int(token)], score + float(log_p[token]), new_states))",
                "candidates.append((tokens + [int(token)], score + float(log_p[token]), states))",
            ),
        ),
        failing_test="test_beam_search",
        message="its OWN parent's decoder step returned",
    ),
]

VALID_ANSWERS = [
    ValidAnswer(
        name="softmax-masks-like-keras",
        cell="masked_softmax",
        replace=(
            (
                "scores = np.where(np.asarray(mask, dtype=bool)[:, None, :], scores, -np.inf)",
                "scores = scores - 1e9 * (1 - np.asarray(mask, dtype=float))[:, None, :]",
            ),
        ),
        why="lowers the padding's scores by 1e9 as Keras does, instead of setting them to -inf",
    ),
    ValidAnswer(
        name="scores-by-einsum",
        cell="dot_product_scores",
        replace=(
            (
                "scores = query @ np.swapaxes(keys, 1, 2)",
                'scores = np.einsum("bid,bjd->bij", query, keys)',
            ),
        ),
        why="the exercise asks for the scores, not for a matrix product",
    ),
]
