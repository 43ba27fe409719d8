"""Lessons 01, 04, 06, 07: text to integers: tokens, vocabularies, encoding, decoding.

The course's one home for vocabularies and their special ids. A vocabulary is a list
whose index is the token id, and id 0 is always padding (the empty string):

- a **word** vocabulary (lessons 01, 07) matches ``keras.layers.TextVectorization``:
  id 1 is ``"[UNK]"``, the out-of-vocabulary token; real words follow, most frequent
  first, ties broken alphabetically so the vocabulary does not depend on the order of
  the corpus (:func:`build_vocabulary`);
- a **character** vocabulary (lessons 04, 06) lists the distinct characters in code
  point order after its reserved entries (:func:`char_vocabulary`): none for a
  language model, which never pads; for an encoder-decoder, padding, the start token
  ``"<s>"`` (id 1) that opens every decoder input and the end token ``"</s>"`` (id 2)
  that closes every target (:data:`SEQ2SEQ_SPECIALS`).

:func:`decode` turns ids back into text for both.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

PAD, UNK = "", "[UNK]"
PAD_ID, UNK_ID = 0, 1
START, END = "<s>", "</s>"
START_ID, END_ID = 1, 2
#: The reserved entries of an encoder-decoder's character vocabulary, ids 0, 1, 2.
SEQ2SEQ_SPECIALS = (PAD, START, END)
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


def char_vocabulary(texts: Iterable[str], specials: Sequence[str] = ()) -> list[str]:
    """A character vocabulary: ``specials``, then every character of ``texts`` in sorted order.

    Args:
        texts: the strings (one string is an iterable of characters, so a whole corpus
            can be passed as it is).
        specials: reserved entries that take the first ids, e.g. :data:`SEQ2SEQ_SPECIALS`.

    Returns:
        A list whose index is the token id: ``[*specials, chars sorted by code point...]``.
    """
    return [*specials, *sorted(set("".join(texts)) - set(specials))]


def decode(
    ids: Iterable[int],
    vocabulary: Sequence[str],
    *,
    sep: str = " ",
    skip: Sequence[int] = (PAD_ID,),
    stop: int | None = None,
) -> str:
    """The tokens of ``ids`` joined by ``sep``: the inverse of encoding.

    Args:
        ids: token ids, shape ``(length,)`` (any iterable of integers).
        vocabulary: index = id.
        sep: what goes between tokens: ``" "`` for words, ``""`` for characters.
        skip: ids left out (padding, by default; nothing for a language model's text).
        stop: an id that ends the text (an encoder-decoder's end token), or None.

    Returns:
        The decoded string.
    """
    tokens = []
    for i in ids:
        i = int(i)
        if i == stop:
            break
        if i not in skip:
            tokens.append(vocabulary[i])
    return sep.join(tokens)
