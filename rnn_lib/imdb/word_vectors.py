"""Lesson 07: what the trained word vectors hold: cosine similarities, nearest neighbours,
a 2-D projection by principal components, and an LSTM sized to a GRU's recurrent budget.

Pure NumPy (the vectors come in as an array, e.g. the ``word_vectors`` Embedding's weights).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnn_lib.imdb.model import recurrent_parameters


def matching_units(embedding_dim: int, units: int, cell: str = "gru", other: str = "lstm") -> int:
    """Units of an ``other`` layer whose parameter count is nearest that of ``cell(units)``.

    Args:
        embedding_dim: E.
        units: units per direction of the reference layer.
        cell: the reference layer's kind; other: the kind to size.

    Returns:
        The number of units (ties go to the smaller layer).
    """
    target = recurrent_parameters(embedding_dim, units, cell)
    candidates = range(1, 4 * units + 2)

    def distance(u: int) -> tuple[int, int]:
        return abs(recurrent_parameters(embedding_dim, u, other) - target), u

    return min(candidates, key=distance)


def cosine_similarities(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine of every row of ``vectors`` (shape ``(V, E)``) with ``query`` (shape ``(E,)``).

    A zero row (or query) gets similarity 0.

    Returns:
        Shape ``(V,)``.
    """
    vectors = np.asarray(vectors, dtype="float64")
    query = np.asarray(query, dtype="float64")
    norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(query)
    dots = vectors @ query
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def nearest_neighbours(
    vectors: np.ndarray, vocabulary: Sequence[str], word: str, k: int = 5, among: int | None = None
) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the highest cosine with ``word``'s.

    Args:
        vectors: the embedding, shape ``(V, E)``; row ``i`` belongs to ``vocabulary[i]``.
        vocabulary: ``V`` words, most frequent first (as ``TextVectorization`` orders them;
            ids 0 and 1, padding and ``[UNK]``, are never neighbours).
        word: the query; it must be in the vocabulary and is not its own neighbour.
        k: how many neighbours.
        among: only the ``among`` first ids compete (the most frequent words, whose
            vectors had enough training); None: all of them.

    Returns:
        ``[(neighbour, cosine), ...]``, most similar first.
    """
    index = {str(w): i for i, w in enumerate(vocabulary)}
    if word not in index:
        raise KeyError(f"{word!r} is not in the vocabulary")
    limit = len(vocabulary) if among is None else min(among, len(vocabulary))
    similarity = cosine_similarities(np.asarray(vectors)[:limit], np.asarray(vectors)[index[word]])
    similarity[: min(2, limit)] = -np.inf
    if index[word] < limit:
        similarity[index[word]] = -np.inf
    order = np.argsort(-similarity, kind="stable")[:k]
    return [(str(vocabulary[i]), float(similarity[i])) for i in order]


def principal_components(vectors: np.ndarray, components: int = 2) -> np.ndarray:
    """Project rows onto their first principal components (NumPy's SVD of the centred rows).

    The sign of each component is fixed so that its largest-magnitude coordinate is positive.

    Args:
        vectors: shape ``(n, E)``.
        components: how many axes.

    Returns:
        Shape ``(n, components)``.
    """
    centred = np.asarray(vectors, dtype="float64")
    centred = centred - centred.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    projected = u[:, :components] * s[:components]
    signs = np.sign(projected[np.argmax(np.abs(projected), axis=0), np.arange(components)])
    return projected * np.where(signs == 0, 1.0, signs)
