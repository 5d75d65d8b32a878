"""Keras-style custom layers (``build`` + ``add_weight`` + ``call``) on the pure protocol.

A user layer written the Keras way::

    class Linear(jnn.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):
            return inputs @ self.w + self.b

gets ``init`` / ``apply`` for free: ``init`` runs ``build`` in a scope where ``add_weight`` creates
arrays from the key; ``apply`` runs ``call`` with each weight attribute temporarily bound to the
array passed in ``variables`` (restored afterwards), so ``call`` stays a pure function of its
arguments under ``jit`` and ``grad``.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

import jax
import jax.numpy as jnp

_local = threading.local()


class WeightHandle:
    """What ``add_weight`` returns: a named reference to one of the layer's variables."""

    __slots__ = ("layer_name", "collection", "name", "shape", "dtype")

    def __init__(self, layer_name: str, collection: str, name: str, shape: tuple, dtype: Any):
        self.layer_name = layer_name
        self.collection = collection
        self.name = name
        self.shape = shape
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"<WeightHandle {self.layer_name}/{self.name} shape={self.shape}>"

    def _unbound(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            f"Weight '{self.layer_name}/{self.name}' was used outside the layer's call(): inside "
            "call() it is an array; outside, read it with layer.get_weights() or layer.weights."
        )

    __array__ = __add__ = __radd__ = __mul__ = __rmul__ = __matmul__ = __rmatmul__ = _unbound


class _BuildScope:
    def __init__(self, layer: Any, key: jax.Array):
        self.layer = layer
        self.key = key
        self.params: dict[str, Any] = {}
        self.state: dict[str, Any] = {}
        self.meta: dict[str, dict[str, Any]] = {}
        self.count = 0


def _scope() -> _BuildScope | None:
    return getattr(_local, "scope", None)


def add_weight(layer: Any, shape: Any = None, initializer: Any = None, dtype: Any = None,
               trainable: bool = True, regularizer: Any = None, constraint: Any = None,
               name: str | None = None, **kwargs: Any) -> WeightHandle:
    from jnn._core import constraints, initializers, regularizers

    scope = _scope()
    if scope is None or scope.layer is not layer:
        raise RuntimeError(
            f"Layer '{layer.name}': add_weight() can only be called from build(); jnn calls "
            "build when the layer first sees its input shape (in a model or on data)."
        )
    shape = tuple(int(d) for d in (shape or ()))
    dtype = jnp.dtype(dtype or layer.variable_dtype)
    if initializer is None:
        initializer = "glorot_uniform" if jnp.issubdtype(dtype, jnp.floating) else "zeros"
    init_fn = initializers.get(initializer)
    name = name or f"variable_{scope.count}" if scope.count else (name or "variable")
    if name in scope.params or name in scope.state:
        raise ValueError(f"Layer '{layer.name}': add_weight(name={name!r}) was used twice.")
    value = init_fn(jax.random.fold_in(scope.key, scope.count), shape, dtype)
    scope.count += 1
    collection = "params" if trainable else "state"
    (scope.params if trainable else scope.state)[name] = value
    scope.meta[name] = {
        "regularizer": regularizers.get(regularizer) if regularizer is not None else None,
        "constraint": constraints.get(constraint) if constraint is not None else None,
    }
    return WeightHandle(layer.name, collection, name, shape, dtype)


def keras_init(layer: Any, key: jax.Array, input_spec: Any) -> dict[str, Any]:
    """``init`` for a layer that defines ``build``: run build, collect add_weight calls."""
    scope = _BuildScope(layer, key)
    prev = _scope()
    _local.scope = scope
    try:
        shapes = jax.tree.map(lambda s: (None,) + tuple(s.shape[1:]), input_spec)
        if isinstance(shapes, list) and len(shapes) == 1 and not isinstance(input_spec, list):
            shapes = shapes[0]
        layer.build(shapes)
    finally:
        _local.scope = prev
    layer.__dict__["_keras_weight_meta"] = scope.meta
    return {"params": scope.params, "state": scope.state}


def _handle_attrs(layer: Any) -> dict[str, WeightHandle]:
    return {k: v for k, v in layer.__dict__.items() if isinstance(v, WeightHandle)}


def _accepts(fn: Any, arg: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return arg in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def keras_apply(layer: Any, variables: dict[str, Any], inputs: Any, *, training: bool,
                rng: jax.Array | None, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
    """``apply`` for a layer that defines ``call``: bind weights, run call, unbind."""
    handles = _handle_attrs(layer)
    params, state = variables.get("params", {}), variables.get("state", {})
    saved = dict(handles)
    try:
        for attr, h in handles.items():
            source = params if h.collection == "params" else state
            if h.name not in source:
                raise ValueError(
                    f"Layer '{layer.name}': variables have no weight {h.name!r}; expected "
                    f"{sorted(list(params) + list(state))}."
                )
            layer.__dict__[attr] = source[h.name]
        call_kwargs = {}
        if _accepts(layer.call, "training"):
            call_kwargs["training"] = training
        if "mask" in kwargs and kwargs["mask"] is not None and _accepts(layer.call, "mask"):
            call_kwargs["mask"] = kwargs.pop("mask")
        kwargs.pop("mask", None)
        layer.__dict__["_call_rng"] = rng
        outputs = layer.call(layer.cast_inputs(inputs), **call_kwargs, **kwargs)
    finally:
        layer.__dict__.update(saved)
        layer.__dict__.pop("_call_rng", None)
    return outputs, dict(state)
