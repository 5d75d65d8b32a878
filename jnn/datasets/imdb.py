"""IMDB movie reviews (50,000 reviews as word-index sequences, sentiment labels)."""

from __future__ import annotations

import json

import numpy as np

from jnn.datasets import _remote, _sequences

__all__ = ["get_word_index", "load_data"]


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    *,
    base_url: str | None = None,
    **kwargs,
):
    """Loads the IMDB sentiment set: 25,000 training and 25,000 test reviews.

    Words are indexed by frequency (1 = most frequent); see :func:`get_word_index`.

    Args:
        path: File name of the cached copy.
        num_words: Keep the ``num_words`` most frequent words; rarer ones become ``oov_char``.
        skip_top: Also replace the ``skip_top`` most frequent words.
        maxlen: Drop sequences of ``maxlen`` words or more.
        seed: Seed of the shuffle (``np.random.RandomState``, as Keras).
        start_char: Index marking the start of a review (``None``: no marker).
        oov_char: Index of dropped words (``None``: remove them).
        index_from: Shift of every word index.
        base_url: Mirror to download from (jnn extension).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` object arrays of int lists, ``y``
        int arrays of 0 (negative) / 1 (positive).

    Example:
        >>> (x_train, y_train), _ = load_data(num_words=10000)  # doctest: +SKIP
        >>> len(x_train), x_train[0][0]  # doctest: +SKIP
        (25000, 1)
    """
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    file = _remote.fetch(path, "imdb.npz", base_url=base_url)
    f = _remote.load_npz(file)
    rng = np.random.RandomState(seed)
    parts = []
    for xk, yk in (("x_train", "y_train"), ("x_test", "y_test")):
        indices = np.arange(len(f[xk]))
        rng.shuffle(indices)
        xs = _sequences.index_words(list(f[xk][indices]), start_char, index_from)
        parts.append((xs, f[yk][indices]))
    (x_train, y_train), (x_test, y_test) = parts
    if maxlen:
        x_train, y_train = _sequences.remove_long_seq(maxlen, x_train, y_train)
        x_test, y_test = _sequences.remove_long_seq(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was "
                "kept. Increase maxlen."
            )
    xs = _sequences.clip_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    n = len(x_train)
    labels = np.concatenate([y_train, y_test])
    return (
        (_sequences.object_array(xs[:n]), labels[:n]),
        (_sequences.object_array(xs[n:]), labels[n:]),
    )


def get_word_index(path: str = "imdb_word_index.json", *, base_url: str | None = None):
    """The word -> index dictionary of the IMDB set (indices before ``index_from``).

    Example:
        >>> get_word_index()["the"]  # doctest: +SKIP
        1
    """
    file = _remote.fetch(path, "imdb_word_index.json", base_url=base_url)
    with open(file) as f:
        return json.load(f)
