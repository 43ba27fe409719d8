"""The course library's reference answers, out of sight of the kernel that grades their lesson.

``rnn_lib`` holds reference implementations of several exercises, because later lessons
build on them (lesson 02 windows its data with lesson 01's ``make_windows``). A learner
could hand in a wrapper around one of them, and neither the ``__module__`` check nor the
grader's verdicts (:mod:`course_tools.verdicts`) would see the difference. So when the
sandbox (:mod:`course_tools.sandbox`) starts a kernel in a submission of a lesson listed
in :data:`REFERENCE_ANSWERS`, it lays a copy of each module that holds one of that
lesson's answers over the real file, with the answer's body replaced by an error
(:func:`stripped_source`), and hides the package's compiled ``__pycache__``: importing,
reloading, reading the source or unmarshalling the bytecode all find the stub. Everything
else in those modules works as usual, and other lessons see the whole library.

A listed lesson's own cells, up to its last graded cell (the grader runs no further),
never call one of its reference answers: lesson 03's public tests recognise typical
mistakes by finite differences and its experiments run on the learner's functions;
lesson 07's pipeline runs on the learner's functions up to its last exercise, its
training test cuts reviews with Keras' own ``TextVectorization``, and its graded
training case trains a model of :mod:`rnn_lib.tasks.graded_models`. (An instructor who
grades lesson 07 whole, past its last graded cell, sees its later demonstrations stop
with the stubs' error: they train the library's tuned model. Scores are unaffected.)
"""

from __future__ import annotations

import ast
import importlib.util
from collections import defaultdict
from pathlib import Path

__all__ = ["REFERENCE_ANSWERS", "answer_overlays", "library_wrappers", "stripped_source"]

#: Per lesson: the course library's functions that answer one of its exercises.
REFERENCE_ANSWERS: dict[str, tuple[str, ...]] = {
    "01_sequence_data": (
        "rnn_lib.sequences.windows.make_windows",
        "rnn_lib.sequences.windows.pad_and_mask",
        "rnn_lib.sequences.text.build_vocabulary",
        "rnn_lib.sequences.text.encode",
    ),
    "02_simple_rnn": (
        "rnn_lib.layers.simple_rnn.simple_rnn_step_forward",
        "rnn_lib.layers.simple_rnn.simple_rnn_forward",
        "rnn_lib.tasks.forecasting.recursive_forecast",
    ),
    "03_bptt": (
        "rnn_lib.layers.simple_rnn.simple_rnn_step_backward",
        "rnn_lib.layers.simple_rnn.simple_rnn_backward",
        "rnn_lib.layers.clipping.clip_by_global_norm",
    ),
    "04_lstm": (
        "rnn_lib.layers.lstm.lstm_step_forward",
        "rnn_lib.tasks.experiments.build_sequence_classifier",
        "rnn_lib.tasks.char_lm.sampling_distribution",
    ),
    # gru_step and gru_forward_masked (gru_forward with a mask)
    "05_gru": ("rnn_lib.layers.gru.gru_step_forward", "rnn_lib.layers.gru.gru_forward"),
    "06_bidirectional": (
        "rnn_lib.tasks.seq2seq.teacher_forcing_inputs",
        "rnn_lib.tasks.seq2seq.greedy_decode",
        "rnn_lib.tasks.seq2seq.sequence_accuracy",
    ),
    # masked_softmax, dot_product_scores, additive_scores, attend (attention_forward with the
    # scaled dot product) and beam_search
    "08_attention": (
        "rnn_lib.layers.attention.masked_softmax",
        "rnn_lib.layers.attention.dot_product_scores",
        "rnn_lib.layers.attention.additive_scores",
        "rnn_lib.layers.attention.attention_forward",
        "rnn_lib.tasks.seq2seq.beam_search_decode",
    ),
    # min_gru_step, recurrence_loop, combine, parallel_scan (either scan of the library) and
    # log_space_scan
    "09_parallel_recurrence": (
        "rnn_lib.layers.min_gru.min_gru_step",
        "rnn_lib.layers.scan.linear_recurrence",
        "rnn_lib.layers.scan.combine",
        "rnn_lib.layers.scan.hillis_steele_scan",
        "rnn_lib.layers.scan.scan_recurrence",
        "rnn_lib.layers.scan.log_space_recurrence",
    ),
    # make_splits, vectorize, build_sentiment_model, make_callbacks and train_sentiment_model,
    # and every library function that does one of them given the right arguments
    "07_imdb_sentiment": (
        "rnn_lib.imdb.split.split_train_validation",
        "rnn_lib.imdb.vectorize.truncate_and_pad",
        "rnn_lib.imdb.vectorize.vectorize_reviews",
        "rnn_lib.imdb.model.build_model",
        "rnn_lib.imdb.model.build_word_model",
        "rnn_lib.imdb.model.compile_model",
        "rnn_lib.imdb.training.training_callbacks",
        "rnn_lib.imdb.training.fit_model",
    ),
}


#: Per lesson, answers that wrap the reference answers: the attack the stubs defeat (the
#: tests show each is a correct answer while the library is whole; the adversarial matrix
#: grades them in the sandbox).
WRAPPERS_FILE = Path(__file__).resolve().parent.parent / "tests" / "course" / "library_wrappers.py"


def library_wrappers() -> dict[str, dict[str, str]]:
    """:data:`WRAPPERS_FILE`'s ``WRAPPERS``: lesson -> answer cell's grade_id -> source."""
    spec = importlib.util.spec_from_file_location("library_wrappers", WRAPPERS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WRAPPERS


def stripped_source(source: str, names: set[str], lesson: str) -> str:
    """``source`` with the bodies of the functions ``names`` replaced by an error.

    Args:
        source: a module's source.
        names: top-level functions to strip (each must exist).
        lesson: the lesson being graded (named in the error).

    Raises:
        ValueError: if a name is not a top-level function of the module.
    """
    tree = ast.parse(source)
    found = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            message = (
                f"{node.name} is an exercise of lesson {lesson}: while that lesson is graded, "
                "the course library's version is not available"
            )
            node.body = [
                ast.Raise(ast.Call(ast.Name("NotImplementedError"), [ast.Constant(message)], []))
            ]
            node.decorator_list = []
            found.add(node.name)
    if found != names:
        raise ValueError(f"no top-level function {sorted(names - found)} in the module")
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def answer_overlays(lesson: str, folder: Path) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """What the sandbox binds for ``lesson``: stripped copies over modules, hidden bytecode.

    Args:
        lesson: the lesson whose submission the kernel runs (any name: unlisted lessons
            get nothing).
        folder: where to write the stripped copies (the grader's, bound read-only).

    Returns:
        ``(overlays, bytecode)``: pairs (stripped copy, real module file), and the
        ``__pycache__`` folders of those modules' packages, to be hidden.
    """
    by_module: dict[str, set[str]] = defaultdict(set)
    for dotted in REFERENCE_ANSWERS.get(lesson, ()):
        module, _, name = dotted.rpartition(".")
        by_module[module].add(name)
    overlays, bytecode = [], []
    for module, names in sorted(by_module.items()):
        real = Path(importlib.util.find_spec(module).origin).resolve()
        copy = folder / f"{module}.py"
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(stripped_source(real.read_text(encoding="utf-8"), names, lesson))
        overlays.append((copy, real))
        cache = real.parent / "__pycache__"
        if cache.is_dir() and cache not in bytecode:
            bytecode.append(cache)
    return overlays, bytecode
