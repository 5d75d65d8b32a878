"""Hypothesis strategies for layer and model properties (needs ``hypothesis``).

* ``arrays(shape, dtype)``: inputs for a layer's input spec, mixing random values with the edge
  values layers get wrong (all zeros, ones, the smallest normal float, large values).
* ``input_shapes(...)``: small shapes with a batch dimension.
* ``layer_cases(name)``: configurations of the built-in layers (``LayerCase``: class, keyword
  arguments, input shape and dtype) ready for ``check_layer``; ``BUILTIN_CASES`` lists them.
* ``small_models()``: tiny Sequential models with a matching batch, for ``check_model``.

Example:
    >>> from hypothesis import given, settings
    >>> from jnn.testing import check_layer, strategies
    >>> @settings(max_examples=2, deadline=None)
    ... @given(case=strategies.layer_cases("Dense"))
    ... def test_dense(case):
    ...     check_layer(case.build(), case.input_shape, input_dtype=case.input_dtype)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "BUILTIN_CASES",
    "LayerCase",
    "arrays",
    "edge_values",
    "input_shapes",
    "layer_cases",
    "small_models",
]


def edge_values(dtype: Any = "float32") -> st.SearchStrategy[float]:
    """Scalars layers get wrong: 0, 1, -1, the smallest normal float and large values."""
    info = np.finfo(np.dtype(dtype))
    return st.sampled_from([0.0, 1.0, -1.0, float(info.tiny), 1e4, -1e4])


def arrays(shape: tuple[int, ...], dtype: Any = "float32", *, low: float = -10.0,
           high: float = 10.0) -> st.SearchStrategy[np.ndarray]:
    """Arrays of ``shape``: random values in ``[low, high]``, or a constant edge value.

    Integer dtypes draw from ``[0, 10)``; bool draws anything.
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        width = 32 if dtype.itemsize >= 4 else 16
        random = hnp.arrays(dtype, shape, elements=st.floats(low, high, width=width))
        constant = edge_values(dtype).map(lambda v: np.full(shape, v, dtype))
        return st.one_of(constant, random)
    if dtype.kind == "b":
        return hnp.arrays(dtype, shape)
    return hnp.arrays(dtype, shape, elements=st.integers(0, 9))


def input_shapes(*, rank: int = 2, batch: tuple[int, int] = (2, 3),
                 side: tuple[int, int] = (1, 5)) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes ``(batch, d1, ..., d_{rank-1})`` with small sides."""
    return st.tuples(st.integers(*batch), *[st.integers(*side) for _ in range(rank - 1)])


@dataclasses.dataclass
class LayerCase:
    """One configuration of a layer and an input for it.

    Attributes:
        cls: the layer class; ``kwargs``: its constructor arguments (``build()`` makes a fresh
            layer, wrapped layers included).
        input_shape: with the batch dimension (a list for multi-input layers).
        input_dtype: dtype of the random inputs.
        check: extra keyword arguments for ``check_layer`` (e.g. ``smooth=True``).
    """

    cls: type
    kwargs: dict[str, Any]
    input_shape: Any
    input_dtype: str = "float32"
    check: dict[str, Any] = dataclasses.field(default_factory=dict)
    make: Callable[[], Any] | None = None

    def build(self) -> Any:
        """A fresh layer of this configuration."""
        return self.make() if self.make is not None else self.cls(**self.kwargs)

    def __repr__(self) -> str:
        return f"LayerCase({self.cls.__name__}({self.kwargs}), {self.input_shape}, " \
               f"{self.input_dtype})"


def _layers() -> Any:
    import jnn.layers

    return jnn.layers


_ACTIVATIONS = ["relu", "tanh", "sigmoid", "softplus", "gelu", "elu", "selu", "swish", "linear"]
_B = st.integers(2, 3)  # batch
_S = st.integers(2, 4)  # small side


@st.composite
def _dense(draw):
    L = _layers()
    kw = {"units": draw(st.integers(1, 4)), "use_bias": draw(st.booleans()),
          "activation": draw(st.sampled_from(_ACTIVATIONS))}
    shape = draw(st.sampled_from([(draw(_B), draw(_S)), (draw(_B), 2, draw(_S))]))
    return LayerCase(L.Dense, kw, shape, check={"smooth": kw["activation"] in ("tanh", "linear")})


def _simple(name: str, kwargs: st.SearchStrategy | dict | None = None, rank: int = 2,
            dtype: str = "float32", n_inputs: int = 0, **check: Any):
    """A case strategy: ``name``'s layer with drawn kwargs on a drawn input of ``rank``."""

    @st.composite
    def case(draw):
        cls = getattr(_layers(), name)
        kw = draw(kwargs) if isinstance(kwargs, st.SearchStrategy) else dict(kwargs or {})
        shape = draw(input_shapes(rank=rank, side=(2, 4)))
        if n_inputs:
            shape = [shape] * n_inputs
        return LayerCase(cls, kw, shape, dtype, check=dict(check))

    return case()


def _fixed(name: str, kwargs: dict, shape: Any, dtype: str = "float32", make=None, **check):
    def build():
        return LayerCase(getattr(_layers(), name), kwargs, shape, dtype, check=dict(check),
                         make=make)

    return st.builds(build)


def _kw(**fields: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({k: v if isinstance(v, st.SearchStrategy) else st.just(v)
                                  for k, v in fields.items()})


@st.composite
def _conv(draw, name: str, rank: int, transpose: bool = False):
    cls = getattr(_layers(), name)
    kw = {"filters": draw(st.integers(1, 3)), "kernel_size": draw(st.integers(1, 2)),
          "padding": draw(st.sampled_from(["valid", "same"])),
          "use_bias": draw(st.booleans())}
    if transpose:
        kw["strides"] = draw(st.integers(1, 2))
    side = 3
    shape = (draw(_B), *([side] * rank), draw(st.integers(1, 2)))
    return LayerCase(cls, kw, shape, check={"smooth": rank == 1})


@st.composite
def _depthwise(draw, name: str, rank: int, separable: bool):
    cls = getattr(_layers(), name)
    kw = {"kernel_size": draw(st.integers(1, 2)), "depth_multiplier": draw(st.integers(1, 2)),
          "padding": draw(st.sampled_from(["valid", "same"]))}
    if separable:
        kw["filters"] = draw(st.integers(1, 3))
    shape = (draw(_B), *([3] * rank), 2)
    return LayerCase(cls, kw, shape)


@st.composite
def _pool(draw, name: str, rank: int):
    cls = getattr(_layers(), name)
    kw = {"pool_size": draw(st.integers(1, 2)), "padding": draw(st.sampled_from(["valid", "same"]))}
    shape = (draw(_B), *([draw(st.integers(2, 3))] * rank), 2)
    return LayerCase(cls, kw, shape)


@st.composite
def _global_pool(draw, name: str, rank: int):
    cls = getattr(_layers(), name)
    kw = {"keepdims": draw(st.booleans())}
    shape = (draw(_B), *([draw(st.integers(2, 3))] * rank), 2)
    return LayerCase(cls, kw, shape)


@st.composite
def _rnn(draw, name: str):
    cls = getattr(_layers(), name)
    kw = {"units": draw(st.integers(1, 3)), "return_sequences": draw(st.booleans()),
          "go_backwards": draw(st.booleans())}
    return LayerCase(cls, kw, (draw(_B), 3, 2))


@st.composite
def _wrapped(draw, name: str):
    L = _layers()
    if name == "Bidirectional":
        inner = draw(st.sampled_from(["LSTM", "GRU", "SimpleRNN"]))
        units = draw(st.integers(1, 2))
        merge = draw(st.sampled_from(["concat", "sum", "ave", "mul"]))
        seq = draw(st.booleans())

        def make():
            return L.Bidirectional(getattr(L, inner)(units, return_sequences=seq),
                                   merge_mode=merge)

        return LayerCase(L.Bidirectional, {"layer": inner, "merge_mode": merge}, (2, 3, 2),
                         make=make)
    if name == "RNN":
        units = draw(st.integers(1, 3))
        cell = draw(st.sampled_from(["SimpleRNNCell", "LSTMCell", "GRUCell"]))
        return LayerCase(L.RNN, {"cell": cell}, (2, 3, 2),
                         make=lambda: L.RNN(getattr(L, cell)(units)))
    units = draw(st.integers(1, 3))
    return LayerCase(L.TimeDistributed, {"layer": "Dense"}, (2, 3, 2),
                     make=lambda: L.TimeDistributed(L.Dense(units)))


def _attention(name: str):
    @st.composite
    def case(draw):
        L = _layers()
        b, tq, tv, d = draw(_B), draw(_S), draw(_S), draw(st.integers(2, 3))
        if name == "MultiHeadAttention":
            kw = {"num_heads": draw(st.integers(1, 2)), "key_dim": draw(st.integers(1, 3))}
        elif name == "Attention":
            kw = {"use_scale": draw(st.booleans()), "score_mode": draw(st.sampled_from(
                ["dot", "concat"]))}
        else:
            kw = {"use_scale": draw(st.booleans())}
        return LayerCase(getattr(L, name), kw, [(b, tq, d), (b, tv, d)])

    return case()


def _image(name: str, kwargs: st.SearchStrategy | dict, **check):
    @st.composite
    def case(draw):
        kw = draw(kwargs) if isinstance(kwargs, st.SearchStrategy) else dict(kwargs)
        return LayerCase(getattr(_layers(), name), kw, (2, 4, 4, 2), check=dict(check))

    return case()


def _flax_layer():
    def make():
        import flax.linen as nn

        return _layers().FlaxLayer(nn.Dense(3))

    return _fixed("FlaxLayer", {"module": "flax.linen.Dense(3)"}, (2, 4), make=make)


_RATE = st.floats(0.1, 0.6)

#: Built-in layer name -> strategy of ``LayerCase`` (aliases such as ``Convolution2D`` share
#: their class's entry).
BUILTIN_CASES: dict[str, st.SearchStrategy[LayerCase]] = {
    "Dense": _dense(),
    "Activation": _simple("Activation", _kw(activation=st.sampled_from(_ACTIVATIONS))),
    "Identity": _simple("Identity"),
    "ELU": _simple("ELU", _kw(alpha=st.floats(0.1, 2.0))),
    "LeakyReLU": _simple("LeakyReLU", _kw(negative_slope=st.floats(0.0, 0.5))),
    "PReLU": _simple("PReLU", rank=3),
    "ReLU": _simple("ReLU", _kw(max_value=st.sampled_from([None, 6.0]),
                                negative_slope=st.sampled_from([0.0, 0.1]))),
    "Softmax": _simple("Softmax", _kw(axis=st.sampled_from([-1, 1])), rank=3),
    "Add": _simple("Add", n_inputs=2),
    "Average": _simple("Average", n_inputs=2),
    "Maximum": _simple("Maximum", n_inputs=2),
    "Minimum": _simple("Minimum", n_inputs=2),
    "Multiply": _simple("Multiply", n_inputs=2),
    "Subtract": _simple("Subtract", n_inputs=2),
    "Concatenate": _simple("Concatenate", _kw(axis=st.sampled_from([-1, 1])), rank=3,
                           n_inputs=2),
    "Dot": _simple("Dot", _kw(axes=st.sampled_from([-1, 1]), normalize=st.booleans()),
                   rank=2, n_inputs=2),
    "ActivityRegularization": _simple("ActivityRegularization", _kw(l1=0.01, l2=0.01)),
    "AlphaDropout": _simple("AlphaDropout", _kw(rate=_RATE)),
    "Dropout": _simple("Dropout", _kw(rate=_RATE)),
    "GaussianDropout": _simple("GaussianDropout", _kw(rate=_RATE)),
    "GaussianNoise": _simple("GaussianNoise", _kw(stddev=st.floats(0.1, 1.0))),
    "SpatialDropout1D": _simple("SpatialDropout1D", _kw(rate=_RATE), rank=3),
    "SpatialDropout2D": _simple("SpatialDropout2D", _kw(rate=_RATE), rank=4),
    "SpatialDropout3D": _simple("SpatialDropout3D", _kw(rate=_RATE), rank=5),
    "Flatten": _simple("Flatten", rank=3),
    "Permute": _fixed("Permute", {"dims": (2, 1)}, (2, 3, 4)),
    "RepeatVector": _simple("RepeatVector", _kw(n=st.integers(1, 3))),
    "Reshape": _fixed("Reshape", {"target_shape": (2, -1)}, (2, 3, 4)),
    "Rescaling": _simple("Rescaling", _kw(scale=st.floats(-2, 2), offset=st.floats(-1, 1))),
    "Masking": _simple("Masking", _kw(mask_value=st.sampled_from([0.0, 1.0])), rank=3),
    "Attention": _attention("Attention"),
    "AdditiveAttention": _attention("AdditiveAttention"),
    "MultiHeadAttention": _attention("MultiHeadAttention"),
    "BatchNormalization": _simple("BatchNormalization", _kw(center=st.booleans(),
                                                            scale=st.booleans())),
    "GroupNormalization": _fixed("GroupNormalization", {"groups": 2}, (2, 3, 4)),
    "LayerNormalization": _simple("LayerNormalization", _kw(center=st.booleans(),
                                                            scale=st.booleans()), rank=3),
    "RMSNormalization": _simple("RMSNormalization", rank=3),
    "UnitNormalization": _simple("UnitNormalization", rank=3),
    "Normalization": _fixed("Normalization", {"mean": 0.5, "variance": 2.0}, (2, 3)),
    "Embedding": _simple("Embedding", _kw(input_dim=10, output_dim=st.integers(1, 3),
                                          mask_zero=st.booleans()), dtype="int32"),
    "CategoryEncoding": _simple("CategoryEncoding", _kw(num_tokens=10, output_mode=st.sampled_from(
        ["multi_hot", "count", "one_hot"])), rank=2, dtype="int32"),
    "Discretization": _fixed("Discretization", {"bin_boundaries": [-1.0, 0.0, 1.0]}, (2, 3)),
    "IntegerLookup": _fixed("IntegerLookup", {"vocabulary": [1, 2, 3, 5]}, (2, 3), "int32"),
    "GRU": _rnn("GRU"),
    "LSTM": _rnn("LSTM"),
    "SimpleRNN": _rnn("SimpleRNN"),
    "RNN": _wrapped("RNN"),
    "Bidirectional": _wrapped("Bidirectional"),
    "TimeDistributed": _wrapped("TimeDistributed"),
    "Cropping1D": _fixed("Cropping1D", {"cropping": (1, 0)}, (2, 3, 2)),
    "Cropping2D": _fixed("Cropping2D", {"cropping": ((1, 0), (0, 1))}, (2, 3, 3, 2)),
    "Cropping3D": _fixed("Cropping3D", {"cropping": 1}, (2, 3, 3, 3, 1)),
    "ZeroPadding1D": _fixed("ZeroPadding1D", {"padding": 1}, (2, 3, 2)),
    "ZeroPadding2D": _fixed("ZeroPadding2D", {"padding": 1}, (2, 2, 2, 1)),
    "ZeroPadding3D": _fixed("ZeroPadding3D", {"padding": 1}, (2, 2, 2, 2, 1)),
    "UpSampling1D": _fixed("UpSampling1D", {"size": 2}, (2, 3, 2)),
    "UpSampling2D": _fixed("UpSampling2D", {"size": 2}, (2, 2, 2, 1)),
    "UpSampling3D": _fixed("UpSampling3D", {"size": 2}, (2, 2, 2, 2, 1)),
    "CenterCrop": _image("CenterCrop", {"height": 2, "width": 3}),
    "Resizing": _image("Resizing", _kw(height=st.integers(2, 5), width=st.integers(2, 5),
                                       interpolation=st.sampled_from(["bilinear", "nearest"]))),
    "RandomFlip": _image("RandomFlip", _kw(mode=st.sampled_from(
        ["horizontal", "vertical", "horizontal_and_vertical"]))),
    "RandomRotation": _image("RandomRotation", {"factor": 0.1}),
    "RandomTranslation": _image("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.2}),
    "RandomZoom": _image("RandomZoom", {"height_factor": 0.2}),
    "FlaxLayer": _flax_layer(),
    "StochasticDepth": _simple("StochasticDepth", _kw(drop_path_rate=_RATE), rank=3),
    "LayerScale": _fixed("LayerScale", {"init_values": 0.1, "projection_dim": 4}, (2, 3, 4)),
}
for _rank in (1, 2, 3):
    BUILTIN_CASES[f"Conv{_rank}D"] = _conv(f"Conv{_rank}D", _rank)
    BUILTIN_CASES[f"Conv{_rank}DTranspose"] = _conv(f"Conv{_rank}DTranspose", _rank, True)
    for _kind in ("Average", "Max"):
        BUILTIN_CASES[f"{_kind}Pooling{_rank}D"] = _pool(f"{_kind}Pooling{_rank}D", _rank)
        BUILTIN_CASES[f"Global{_kind}Pooling{_rank}D"] = _global_pool(
            f"Global{_kind}Pooling{_rank}D", _rank)
for _rank in (1, 2):
    BUILTIN_CASES[f"DepthwiseConv{_rank}D"] = _depthwise(f"DepthwiseConv{_rank}D", _rank, False)
    BUILTIN_CASES[f"SeparableConv{_rank}D"] = _depthwise(f"SeparableConv{_rank}D", _rank, True)
del _rank, _kind


def layer_cases(name: str | None = None) -> st.SearchStrategy[LayerCase]:
    """Configurations of the built-in layer ``name`` (any built-in layer when None)."""
    if name is None:
        return st.sampled_from(sorted(BUILTIN_CASES)).flatmap(BUILTIN_CASES.__getitem__)
    if name not in BUILTIN_CASES:
        raise ValueError(f"layer_cases: no strategy for {name!r}; known: {sorted(BUILTIN_CASES)}")
    return BUILTIN_CASES[name]


@st.composite
def small_models(draw, *, features: tuple[int, int] = (2, 4), batch: int = 8) -> Any:
    """``(model, x, y)``: a tiny Sequential regression model (Dense stacks, maybe with Dropout /
    BatchNormalization / LayerNormalization) and a batch for it."""
    import jnn

    L = _layers()
    n_in = draw(st.integers(*features))
    hidden = draw(st.lists(st.integers(2, 6), min_size=0, max_size=2))
    extras = draw(st.lists(st.sampled_from(["dropout", "batchnorm", "layernorm"]), max_size=1))
    stack: list[Any] = [jnn.Input((n_in,))]
    for units in hidden:
        stack.append(L.Dense(units, activation=draw(st.sampled_from(["relu", "tanh"]))))
        for e in extras:
            stack.append({"dropout": lambda: L.Dropout(0.1),
                          "batchnorm": L.BatchNormalization,
                          "layernorm": L.LayerNormalization}[e]())
    stack.append(L.Dense(1))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((batch, n_in)).astype(np.float32)
    y = (x @ rng.standard_normal((n_in, 1))).astype(np.float32)
    return jnn.Sequential(stack), x, y
