"""Text to integers: tokenising, building a vocabulary, encoding and decoding.

The conventions match ``keras.layers.TextVectorization``: id 0 is padding (the
empty string) and id 1 is ``"[UNK]"``, the out-of-vocabulary token; real words
follow, most frequent first. Ties are broken alphabetically so the vocabulary
does not depend on the order of the corpus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

PAD, UNK = "", "[UNK]"
PAD_ID, UNK_ID = 0, 1
_TAGS = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokenize(text: str) -> list[str]:
    """Lower-case ``text``, drop HTML tags like ``<br />``, and split it into words.

    A word is a run of letters and digits, optionally with an apostrophe suffix,
    so ``"Don't stop!"`` gives ``["don't", "stop"]``.
    """
    return _WORD.findall(_TAGS.sub(" ", text.lower()))


def build_vocabulary(texts: Iterable[str], max_size: int | None = None) -> list[str]:
    """The vocabulary of a corpus: ``["", "[UNK]", most frequent word, ...]``.

    Args:
        texts: the documents.
        max_size: the largest vocabulary to return, the two reserved entries included.

    Returns:
        A list whose index is the token id.
    """
    counts = Counter(word for text in texts for word in tokenize(text))
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    if max_size is not None:
        ranked = ranked[: max(0, max_size - 2)]
    return [PAD, UNK, *ranked]


def encode(text: str, vocabulary: Sequence[str]) -> list[int]:
    """Token ids of ``text``; words not in ``vocabulary`` become ``UNK_ID`` (1)."""
    index = {word: i for i, word in enumerate(vocabulary)}
    return [index.get(word, UNK_ID) for word in tokenize(text)]


def decode(ids: Iterable[int], vocabulary: Sequence[str]) -> str:
    """The words of ``ids`` joined by spaces, with padding ids left out."""
    return " ".join(vocabulary[i] for i in ids if i != PAD_ID)
