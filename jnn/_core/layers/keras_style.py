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

gets ``init`` / ``apply`` for free: ``init`` creates the weights declared in ``__init__`` (Keras 3
allows ``add_weight`` there) and runs ``build`` in a scope where ``add_weight`` creates arrays from
the key; ``apply`` runs ``call`` with each weight attribute temporarily bound to the array passed
in ``variables`` (restored afterwards), so ``call`` stays a pure function of its arguments under
``jit`` and ``grad``. Outside ``call`` a weight attribute is a :class:`jnn.Variable` handle that
reads and writes the layer's current weights (``layer.w.numpy()``, ``layer.w.assign(...)``).
Random draws in ``call`` (``jnn.random.*`` without a seed, or with a layer's ``SeedGenerator``)
take the call's key, fresh at every training step.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import random as core_random
from jnn._core import scopes
from jnn._core import variables as variables_lib
from jnn._core.variables import Variable

_local = threading.local()


class _LayerRef:
    """A layer's weight store, looked up when read (the layer may be built after the handle
    is made, and rebuilt); the store itself is the shell's binding."""

    __slots__ = ("layer",)

    def __init__(self, layer: Any):
        self.layer = layer

    def _store(self) -> Any:
        store = self.layer.__dict__.get("_binding")
        if store is None:
            raise ValueError(
                f"Layer '{self.layer.name}' is not built yet, so its weights have no value. "
                "Build it: call it on data, put it in a model, or call layer.build(input_shape)."
            )
        return store

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return self._store().variables

    def set_one(self, collection: str, name: str, value: Any) -> None:
        self._store().set_one(collection, name, value)


def _path(layer: Any, name: str) -> str:
    scope = scopes.current_path()  # jnn.name_scope active while the weight is created
    return f"{scope}/{layer.name}/{name}" if scope else f"{layer.name}/{name}"


def is_weight_of(value: Any, layer: Any) -> bool:
    """Whether ``value`` is a handle ``add_weight`` returned for ``layer``."""
    return isinstance(value, Variable) and isinstance(value._store, _LayerRef) and \
        value._store.layer is layer


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


def in_build_of(layer: Any) -> bool:
    """Whether ``layer``'s weights are being created right now (inside its ``init``)."""
    scope = _scope()
    return scope is not None and scope.layer is layer


def add_weight(layer: Any, shape: Any = None, initializer: Any = None, dtype: Any = None,
               trainable: bool = True, regularizer: Any = None, constraint: Any = None,
               name: str | None = None, **kwargs: Any) -> Variable:
    """Declares a weight of ``layer``; returns its :class:`Variable` handle.

    Called from ``build`` (inside ``init``) the array is created from the init key. Called
    from ``__init__`` (Keras 3 allows it) the declaration is kept and the array is created
    when the layer is built, before ``build`` runs.
    """
    scope = _scope()
    args = {"shape": shape, "initializer": initializer, "dtype": dtype, "trainable": trainable,
            "regularizer": regularizer, "constraint": constraint, "name": name}
    if scope is None or scope.layer is not layer:
        if layer.__dict__.get("_binding") is not None:
            raise RuntimeError(
                f"Layer '{layer.name}': add_weight() was called after the layer was built; "
                "declare weights in __init__ or build()."
            )
        pending = layer.__dict__.setdefault("_pending_weights", [])
        index = len(pending)
        name = name or ("variable" if index == 0 else f"variable_{index}")
        if any(p["name"] == name for p in pending):
            raise ValueError(f"Layer '{layer.name}': add_weight(name={name!r}) was used twice.")
        pending.append({**args, "name": name})
        collection = "params" if trainable else "state"
        return Variable._handle(_LayerRef(layer), collection, name, _path(layer, name),
                                bool(trainable))
    return _create(layer, scope, **args)


def _create(layer: Any, scope: _BuildScope, shape: Any, initializer: Any, dtype: Any,
            trainable: bool, regularizer: Any, constraint: Any, name: str | None) -> Variable:
    from jnn._core import constraints, initializers, regularizers

    try:
        shape = tuple(int(d) for d in (shape or ()))
    except (TypeError, ValueError):
        raise ValueError(
            f"Layer '{layer.name}': add_weight() needs a fully known `shape` (ints); received "
            f"shape={shape!r}."
        ) from None
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
    (scope.params if trainable else scope.state)[name] = jnp.asarray(value, dtype)
    scope.meta[name] = {
        "regularizer": regularizers.get(regularizer) if regularizer is not None else None,
        "constraint": constraints.get(constraint) if constraint is not None else None,
    }
    return Variable._handle(_LayerRef(layer), collection, name, _path(layer, name),
                            bool(trainable))


def keras_init(layer: Any, key: jax.Array, input_spec: Any) -> dict[str, Any]:
    """``init`` for a layer that defines ``build``: run build, collect add_weight calls."""
    scope = _BuildScope(layer, key)
    prev = _scope()
    _local.scope = scope
    try:
        for spec in layer.__dict__.get("_pending_weights", ()):  # declared in __init__
            _create(layer, scope, **spec)
        shapes = jax.tree.map(lambda s: (None,) + tuple(s.shape[1:]), input_spec)
        if isinstance(shapes, list) and len(shapes) == 1 and not isinstance(input_spec, list):
            shapes = shapes[0]
        layer.build(shapes)
    finally:
        _local.scope = prev
    layer.__dict__["_keras_weight_meta"] = scope.meta
    return {"params": scope.params, "state": scope.state}


def _handle_attrs(layer: Any) -> dict[str, Variable]:
    return {k: v for k, v in layer.__dict__.items() if is_weight_of(v, layer)}


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
    layer.__dict__.pop("_eager_losses", None)  # Keras: ``layer.losses`` are the last call's
    params, state = variables.get("params", {}), variables.get("state", {})
    saved = dict(handles)
    assigns = _call_assigns(type(layer))
    overrides: dict[Variable, Any] = {}
    new_state = dict(state)
    try:
        for attr, h in handles.items():
            source = params if h._collection == "params" else state
            if h._key not in source:
                raise ValueError(
                    f"Layer '{layer.name}': variables have no weight {h._key!r}; expected "
                    f"{sorted(list(params) + list(state))}."
                )
            if assigns and h._collection == "state":
                # ``self.count.assign_add(1)`` in call: the handle stays, reading and writing
                # this call's state; the writes come back as the layer's new state.
                overrides[h] = source[h._key]
            else:
                layer.__dict__[attr] = source[h._key]
        call_kwargs = {}
        if _accepts(layer.call, "training"):
            call_kwargs["training"] = training
        if "mask" in kwargs and kwargs["mask"] is not None and _accepts(layer.call, "mask"):
            call_kwargs["mask"] = kwargs.pop("mask")
        kwargs.pop("mask", None)
        layer.__dict__["_call_rng"] = rng
        with core_random.key_scope(rng), variables_lib.override(overrides) as written:
            outputs = layer.call(layer.cast_inputs(inputs), **call_kwargs, **kwargs)
        new_state.update({h._key: value for h, value in written.items()})
    finally:
        layer.__dict__.update(saved)
        layer.__dict__.pop("_call_rng", None)
    return outputs, new_state


_ASSIGNS: dict[type, bool] = {}


def _call_assigns(cls: type) -> bool:
    """Whether ``cls.call`` writes a variable (``.assign(``, ``.assign_add(`` ...)."""
    if cls not in _ASSIGNS:
        try:
            source = inspect.getsource(cls.call)
        except (OSError, TypeError):
            source = ""
        _ASSIGNS[cls] = ".assign" in source
    return _ASSIGNS[cls]
