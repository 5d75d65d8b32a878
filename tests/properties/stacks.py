"""Hypothesis strategies for small random layer stacks (Dense, Conv, Pool) and their models.

A stack is a plain tuple of layer specs so that hypothesis can print and shrink it; ``build``
turns it into a jnn Sequential model.
"""

from __future__ import annotations

from hypothesis import strategies as st

import jnn
from jnn import layers as L

IMAGE = (6, 6, 2)  # one sample (H, W, C)

_conv = st.tuples(
    st.just("conv"),
    st.integers(1, 3),  # filters
    st.integers(1, 3),  # kernel size
    st.sampled_from(["valid", "same"]),
    st.integers(1, 2),  # strides
)
_pool = st.tuples(
    st.just("pool"),
    st.sampled_from(["max", "avg"]),
    st.integers(1, 2),  # pool size
    st.sampled_from(["valid", "same"]),
)
_dense = st.tuples(st.just("dense"), st.integers(1, 4), st.sampled_from([None, "relu", "tanh"]))

# Up to three conv/pool layers on images, a Flatten, then up to two Dense layers.
stacks = st.tuples(
    st.lists(st.one_of(_conv, _pool), max_size=3).map(tuple),
    st.lists(_dense, min_size=1, max_size=2).map(tuple),
)


def _layer(spec):
    kind = spec[0]
    if kind == "conv":
        _, filters, kernel, padding, strides = spec
        return L.Conv2D(filters, kernel, strides=strides, padding=padding, activation="relu")
    if kind == "pool":
        _, how, size, padding = spec
        cls = L.MaxPooling2D if how == "max" else L.AveragePooling2D
        return cls(size, padding=padding)
    _, units, activation = spec
    return L.Dense(units, activation=activation)


def _out(size: int, window: int, strides: int, padding: str) -> int:
    return -(-size // strides) if padding == "same" else (size - window) // strides + 1


def build(stack) -> jnn.Sequential:
    """A Sequential model for ``stack`` on IMAGE inputs. A layer whose window no longer fits
    the image uses 'same' padding, so every drawn stack is valid."""
    convs, denses = stack
    layers, size = [L.Input(IMAGE)], IMAGE[0]
    for spec in convs:
        window, strides = (spec[2], spec[4]) if spec[0] == "conv" else (spec[2], spec[2])
        padding = spec[3] if size >= window else "same"
        size = _out(size, window, strides, padding)
        layers.append(_layer(spec[:3] + (padding,) + spec[4:]))
    layers.append(L.Flatten())
    layers.extend(_layer(spec) for spec in denses)
    return jnn.Sequential(layers)
