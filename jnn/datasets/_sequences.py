"""Word-index sequence processing shared by imdb and reuters (Keras's rules)."""

from __future__ import annotations

import numpy as np


def remove_long_seq(maxlen: int, seqs, labels):
    keep = [i for i, s in enumerate(seqs) if len(s) < maxlen]
    return [seqs[i] for i in keep], np.asarray(labels)[keep]


def index_words(seqs, start_char, index_from):
    """Prepends ``start_char`` and shifts every word index by ``index_from``."""
    if start_char is not None:
        return [[start_char] + [int(w) + index_from for w in s] for s in seqs]
    return [[int(w) + index_from for w in s] for s in seqs]


def clip_vocabulary(seqs, num_words, skip_top, oov_char):
    """Words outside ``[skip_top, num_words)`` become ``oov_char`` (or are dropped)."""
    if not num_words:
        num_words = max(max(s) for s in seqs if len(s))
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in s] for s in seqs]
    return [[w for w in s if skip_top <= w < num_words] for s in seqs]


def object_array(seqs) -> np.ndarray:
    out = np.empty(len(seqs), dtype=object)
    out[:] = seqs
    return out
