"""Train lesson 07's best model at full size and record what it costs and reaches.

Usage:
    python benchmarks/imdb_benchmark.py            # or: make bench-imdb
    python benchmarks/imdb_benchmark.py --subset 2000 --output /tmp/imdb_smoke.json   # smoke test
    RNN_COURSE_SEED_OFFSET=2 python benchmarks/imdb_benchmark.py   # other seeds: the spread

The model, the split, the vectorisation and the training loop all come from
rnn_lib.imdb (``BEST_CONFIG``), exactly as the lesson's notebook uses them:
22,500 training reviews, 2,500 validation reviews carved from IMDB's training set
(early stopping and the restored best weights are chosen on them), and IMDB's 25,000
test reviews, evaluated once at the end. No pretrained embeddings, no other data.

The model reads word ids and, at every step, the vector of the word pair (bigram) that
ends there, from the 200,000 most common pairs of the training split. By default it trains
two copies that differ only in their seed (weights, dropout, batch order) and averages
their probabilities (``--members 1`` for one model). Member 0 is exactly the notebook's
model; each member's own accuracies are recorded too.

The lesson's baselines are trained on the same split and recorded beside it: the majority
class, and logistic regression on a bag of words and on a bag of words and word pairs.
Their test accuracies are measured after the model is chosen and change nothing.

TensorFlow runs with as many intra- and inter-op threads as the machine has cores
(and OMP_NUM_THREADS to match). The results go to benchmarks/results/imdb.json:
accuracies, training seconds, epochs, parameters, hyperparameters, the machine and
library versions, and the peak resident memory. With ``$RNN_COURSE_SEED_OFFSET`` set
(every seed moves by it, as in the notebooks' perturbed runs) they go to
benchmarks/results/imdb_seed_offset_<offset>.json instead: the spread over seeds that
the README reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "imdb.json"
CORES = os.cpu_count() or 1

# Before TensorFlow is imported: use every core, keep the C++ log quiet.
os.environ.setdefault("OMP_NUM_THREADS", str(CORES))
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(CORES))
os.environ.setdefault("TF_NUM_INTEROP_THREADS", str(CORES))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=None,
                        help="train on this many reviews only (a smoke test, not a result)")
    parser.add_argument("--members", type=int, default=2,
                        help="models averaged (seeds seed, seed+1, ...); 1 for a single model")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the JSON (default: see the module docstring)")
    args = parser.parse_args(argv)

    from rnn_lib import imdb
    from rnn_lib.data.datasets import load_imdb
    from rnn_lib.notebook import quiet_tensorflow, seed_everything, seed_offset
    from rnn_lib.sequences import word_pairs

    offset = seed_offset()
    if args.output is None:
        args.output = RESULTS.with_name(f"imdb_seed_offset_{offset}.json") if offset else RESULTS

    tf = quiet_tensorflow()
    import keras

    tf.config.threading.set_intra_op_parallelism_threads(int(os.environ["TF_NUM_INTRAOP_THREADS"]))
    tf.config.threading.set_inter_op_parallelism_threads(int(os.environ["TF_NUM_INTEROP_THREADS"]))
    # The same deterministic set-up as the notebook, so both report the same numbers.
    tf.config.experimental.enable_op_determinism()
    config = imdb.BEST_CONFIG
    baseline_options = {"bag_of_words": imdb.BAG_OF_WORDS,
                        "bag_of_word_pairs": imdb.BAG_OF_WORD_PAIRS}
    seed_everything(config.seed)

    start = time.perf_counter()
    texts, labels = load_imdb("train")
    test_texts, test_labels = load_imdb("test")
    train_texts, train_labels, val_texts, val_labels = imdb.split_train_validation(
        texts, labels, config.validation_size, config.seed
    )
    if args.subset:
        train_texts, train_labels = imdb.subsample(train_texts, train_labels, args.subset)
        test_texts, test_labels = imdb.subsample(test_texts, test_labels, args.subset)
    vectorizer = imdb.make_vectorizer(train_texts, config.max_tokens)
    train_ids = imdb.vectorize_reviews(vectorizer, train_texts, config.maxlen, config.head)
    val_ids = imdb.vectorize_reviews(vectorizer, val_texts, config.maxlen, config.head)
    pairs = word_pairs.frequent_word_pairs(train_ids, vectorizer.vocabulary_size(),
                                           config.word_pairs)
    data_seconds = time.perf_counter() - start
    sizes = f"{len(train_texts):,} training, {len(val_texts):,} validation"
    sizes += f", {len(test_texts):,} test"
    vocabulary = f"vocabulary {vectorizer.vocabulary_size():,} words and {len(pairs):,} pairs"
    print(f"{sizes} reviews; {vocabulary} ({data_seconds:.1f} s)", flush=True)
    print(f"threads: {CORES} intra-op, {CORES} inter-op; {config}", flush=True)

    first_seed = config.seed + offset  # what seed_everything makes of config.seed
    last_seed = first_seed + args.members - 1
    print(f"training {args.members} members (seeds {first_seed}..{last_seed})", flush=True)
    train_start = time.perf_counter()
    trained = imdb.train_ensemble(vectorizer.vocabulary_size(), train_ids, train_labels,
                                       val_ids, val_labels, config, args.members, verbose=1,
                                       pair_vocabulary=pairs)
    train_seconds = time.perf_counter() - train_start
    models = [model for model, _ in trained]
    val_curves = [[round(float(v), 4) for v in h.history["val_accuracy"]] for _, h in trained]
    member_val = [imdb.accuracy(imdb.predict_probabilities(m, val_ids), val_labels)
                  for m in models]
    val_accuracy = imdb.accuracy(imdb.average_probabilities(models, val_ids), val_labels)

    # The baselines, on the same split (their training is not in train_seconds).
    baselines_start = time.perf_counter()
    _, majority_val = imdb.majority_baseline(train_labels, val_labels)
    bags = {}
    for name, options in baseline_options.items():  # the lesson's two linear baselines
        bag_model, bag_vectorizer, bag_history = imdb.fit_bag_of_words(
            train_texts, train_labels, val_texts, val_labels, seed=config.seed, **options)
        bags[name] = (bag_model, bag_vectorizer, max(bag_history.history["val_accuracy"]))
    baseline_seconds = time.perf_counter() - baselines_start
    print(f"baselines ({baseline_seconds:.1f} s): majority {majority_val:.4f}, "
          + ", ".join(f"{name} {val:.4f}" for name, (_, _, val) in bags.items()), flush=True)

    # The test set, once, at the very end.
    test_start = time.perf_counter()
    test_ids = imdb.vectorize_reviews(vectorizer, test_texts, config.maxlen, config.head)
    member_test_probs = [imdb.predict_probabilities(m, test_ids) for m in models]
    test_accuracy = imdb.accuracy(np.mean(member_test_probs, axis=0), test_labels)
    test_seconds = time.perf_counter() - test_start
    baselines = {"majority_class": {
        "val_accuracy": round(majority_val, 4),
        "test_accuracy": round(imdb.majority_baseline(train_labels, test_labels)[1], 4),
    }}
    for name, (bag_model, bag_vectorizer, val) in bags.items():
        probs = bag_model.predict(imdb.text_dataset(bag_vectorizer, test_texts), verbose=0)
        baselines[name] = {
            **baseline_options[name],
            "val_accuracy": round(val, 4),
            "test_accuracy": round(imdb.accuracy(probs.ravel(), test_labels), 4),
        }

    results = {
        "test_accuracy": round(test_accuracy, 4),
        "val_accuracy": round(val_accuracy, 4),
        "train_seconds": round(train_seconds, 1),
        "epochs": sum(len(c) for c in val_curves) / config.checks_per_epoch,
        "params": int(sum(m.count_params() for m in models)),
        "hyperparameters": {**config.to_dict(), "ensemble_members": args.members},
        "seed_offset": offset,
        "word_pairs": len(pairs),
        "members": [
            {
                "seed": first_seed + k,
                "val_accuracy": round(member_val[k], 4),
                "test_accuracy": round(imdb.accuracy(member_test_probs[k], test_labels), 4),
                "epochs": len(val_curves[k]) / config.checks_per_epoch,
                "params": int(models[k].count_params()),
                "val_accuracy_curve": val_curves[k],
            }
            for k in range(args.members)
        ],
        "baselines": baselines,
        "baseline_seconds": round(baseline_seconds, 1),
        "train_reviews": len(train_texts),
        "validation_reviews": len(val_texts),
        "test_reviews": len(test_texts),
        "data_seconds": round(data_seconds, 1),
        "test_seconds": round(test_seconds, 1),
        "cpu_count": CORES,
        "threads": {
            "intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
            "OMP_NUM_THREADS": os.environ["OMP_NUM_THREADS"],
        },
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
    if args.subset:
        results["note"] = f"smoke test on a {args.subset}-review subset: not a result"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
