"""``pad_sequences``: a list of variable-length sequences -> one padded 2D (or more) array."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["pad_sequences"]


def _check_choice(name: str, value: Any) -> None:
    if value not in ("pre", "post"):
        raise ValueError(
            f"pad_sequences: argument `{name}` must be 'pre' or 'post', received {value!r}."
        )


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Pads (and truncates) sequences to the same length, as ``keras.utils.pad_sequences``.

    Args:
        sequences: List of sequences (lists or arrays; elements may be vectors).
        maxlen: Length of the result (default: the longest sequence).
        dtype: dtype of the result.
        padding: 'pre' or 'post': pad before or after each sequence.
        truncating: 'pre' or 'post': drop values from the start or the end of longer ones.
        value: Padding value.

    Returns:
        Array of shape ``(len(sequences), maxlen, *element_shape)``.

    Example:
        >>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
        [[2, 3], [0, 4]]
        >>> pad_sequences([[1], [2, 3]], padding="post", value=-1).tolist()
        [[1, -1], [2, 3]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: argument `sequences` must be a list of sequences.")
    _check_choice("padding", padding)
    _check_choice("truncating", truncating)
    if maxlen is not None and (not isinstance(maxlen, (int, np.integer)) or maxlen < 0):
        raise ValueError(
            f"pad_sequences: argument `maxlen` must be a non-negative int, received {maxlen!r}."
        )
    lengths, sample_shape = [], ()
    for i, s in enumerate(sequences):
        if not hasattr(s, "__len__"):
            raise ValueError(
                "pad_sequences: every element of `sequences` must be a sequence (list or "
                f"array); element {i} is {type(s).__name__} {s!r}."
            )
        lengths.append(len(s))
        if not sample_shape and len(s):
            sample_shape = np.asarray(s).shape[1:]
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_str = np.issubdtype(np.dtype(dtype), np.str_) or np.issubdtype(np.dtype(dtype), np.bytes_)
    if isinstance(value, str) and np.dtype(dtype) != object and not is_str:
        raise ValueError(
            f"pad_sequences: `dtype` {dtype} is not compatible with the string `value` "
            f"{value!r}; use dtype=object for variable-length strings."
        )
    out = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or maxlen == 0:
            continue
        trunc = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if trunc.shape[1:] != tuple(sample_shape):
            raise ValueError(
                f"pad_sequences: elements of sequence {i} have shape {trunc.shape[1:]}, "
                f"expected {tuple(sample_shape)} (the shape in the first non-empty sequence)."
            )
        if padding == "post":
            out[i, : len(trunc)] = trunc
        else:
            out[i, -len(trunc) :] = trunc
    return out
