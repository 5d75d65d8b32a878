"""Reuters newswires (11,228 wires as word-index sequences, 46 topics)."""

from __future__ import annotations

import json

import numpy as np

from jnn.datasets import _remote, _sequences

__all__ = ["get_label_names", "get_word_index", "load_data"]

_LABELS = (
    "cocoa",
    "grain",
    "veg-oil",
    "earn",
    "acq",
    "wheat",
    "copper",
    "housing",
    "money-supply",
    "coffee",
    "sugar",
    "trade",
    "reserves",
    "ship",
    "cotton",
    "carcass",
    "crude",
    "nat-gas",
    "cpi",
    "money-fx",
    "interest",
    "gnp",
    "meal-feed",
    "alum",
    "oilseed",
    "gold",
    "tin",
    "strategic-metal",
    "livestock",
    "retail",
    "ipi",
    "iron-steel",
    "rubber",
    "heat",
    "jobs",
    "lei",
    "bop",
    "zinc",
    "orange",
    "pet-chem",
    "dlr",
    "gas",
    "silver",
    "wpi",
    "hog",
    "lead",
)


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    *,
    base_url: str | None = None,
):
    """Loads the Reuters topic-classification set.

    Args: as :func:`jnn.datasets.imdb.load_data`, plus ``test_split`` (fraction kept for
    testing, after a ``RandomState(seed)`` shuffle, as Keras).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` object arrays of int lists, ``y``
        int arrays of topic indices (``get_label_names()[y]``).

    Example:
        >>> (x_train, y_train), _ = load_data(num_words=10000)  # doctest: +SKIP
        >>> len(x_train)  # doctest: +SKIP
        8982
    """
    _remote.check_test_split(test_split)
    file = _remote.fetch(path, "reuters.npz", base_url=base_url)
    f = _remote.load_npz(file)
    indices = np.arange(len(f["x"]))
    np.random.RandomState(seed).shuffle(indices)
    xs = _sequences.index_words(list(f["x"][indices]), start_char, index_from)
    labels = f["y"][indices]
    if maxlen:
        xs, labels = _sequences.remove_long_seq(maxlen, xs, labels)
    xs = _sequences.clip_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return (
        (_sequences.object_array(xs[:cut]), np.array(labels[:cut])),
        (_sequences.object_array(xs[cut:]), np.array(labels[cut:])),
    )


def get_word_index(path: str = "reuters_word_index.json", *, base_url: str | None = None):
    """The word -> index dictionary of the Reuters set."""
    file = _remote.fetch(path, "reuters_word_index.json", base_url=base_url)
    with open(file) as f:
        return json.load(f)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed by label."""
    return _LABELS
