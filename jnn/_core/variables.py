"""``Variable``: a named handle to one array of a variables pytree (Keras 3's ``keras.Variable``).

A handle does not own its array. It reads and writes through a *store* (any object with
``variables[collection][name]`` and ``set_one(collection, name, value)``): a layer's weights
store (kept by the shell's binding module), a metric's own state, or, for a variable created
directly with ``Variable(initializer, ...)``, a private one-entry store. Inside a traced pure
function (a metric's ``update``), :func:`override` redirects reads and ``assign`` writes of the
listed handles to traced values, so ``assign_add`` becomes a pure state update.

Example:
    >>> v = Variable(jnp.zeros((2,)), name="count")
    >>> _ = v.assign_add(jnp.ones((2,)))
    >>> v.numpy().tolist(), v.shape, v.name
    ([1.0, 1.0], (2,), 'count')
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core import initializers
from jnn._core import random as core_random

_local = threading.local()


class _OwnStore:
    """The one-entry store of a variable created directly (``jnn.Variable(value)``)."""

    __slots__ = ("variables",)

    def __init__(self, name: str, value: Any):
        self.variables = {"own": {name: value}}

    def set_one(self, collection: str, name: str, value: Any) -> None:
        old = self.variables[collection][name]
        self.variables[collection][name] = jnp.asarray(value, old.dtype)


def _overrides() -> list[dict[int, list[Any]]]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


@contextlib.contextmanager
def override(values: dict[Variable, Any]) -> Iterator[dict[Variable, Any]]:
    """Inside, the given handles read and ``assign`` the given (traced) values.

    Yields a dict that, on exit, holds ``{handle: its value after the writes}``.

    Example:
        >>> v = Variable(jnp.zeros(()))
        >>> with override({v: jnp.asarray(5.0)}) as cur:
        ...     _ = v.assign_add(1.0)
        >>> float(cur[v]), float(v.value)
        (6.0, 0.0)
    """
    frame = {id(v): [v, val] for v, val in values.items()}
    stack = _overrides()
    stack.append(frame)
    current: dict[Variable, Any] = {}
    try:
        yield current
    finally:
        stack.pop()
        current.update({v: val for v, val in frame.values()})


def _find(var: Variable) -> list[Any] | None:
    for frame in reversed(getattr(_local, "stack", ()) or ()):
        entry = frame.get(id(var))
        if entry is not None:
            return entry
    return None


def _binop(fn: Callable[[Any, Any], Any], reflected: bool = False) -> Callable[..., Any]:
    def method(self: Variable, other: Any) -> Any:
        value = self.value
        if isinstance(other, Variable):
            other = other.value
        elif isinstance(other, (list, tuple, np.ndarray)):
            other = np.asarray(other)
            if not isinstance(value, jax.core.Tracer):
                # Host data with a concrete weight: numpy arithmetic, as numpy-with-numpy in
                # the tutorials (``x @ layer.kernel + layer.bias`` broadcasts like numpy).
                value = np.asarray(value)
        return fn(other, value) if reflected else fn(value, other)

    return method


class Variable:
    """A named, typed handle to one array (Keras 3's ``keras.Variable`` API).

    Created by ``layer.add_weight`` / ``metric.add_variable``, returned by ``layer.weights``,
    or directly: ``Variable(initializer, shape=None, dtype=None, trainable=True, name=None)``
    where ``initializer`` is an array / number or an initializer (name or callable) used with
    ``shape``.

    Reads: ``.value``, ``.numpy()``, ``np.asarray(v)``, arithmetic operators (``x @ v + b``),
    ``jnp.asarray(v)``. Writes: ``assign``, ``assign_add``, ``assign_sub`` (shape-checked).

    Example:
        >>> v = Variable("ones", shape=(2, 2), name="w")
        >>> (jnp.ones((1, 2)) @ v).tolist()
        [[2.0, 2.0]]
    """

    __array_priority__ = 100  # numpy defers binary operators to ours

    def __init__(self, initializer: Any = None, shape: Any = None, dtype: Any = None,
                 trainable: bool = True, autocast: bool = True, aggregation: str = "none",
                 synchronization: str = "auto", name: str | None = None, **kwargs: Any) -> None:
        del autocast, aggregation, synchronization, kwargs
        if initializer is None:
            raise ValueError("jnn.Variable: `initializer` is required (an array or initializer).")
        value = _initial_value(initializer, shape, dtype)
        self._name = name or "variable"
        self._store: Any = _OwnStore(self._name, value)
        self._collection = "own"
        self._key = self._name
        self._trainable = bool(trainable)
        self._path = self._name

    @classmethod
    def _handle(cls, store: Any, collection: str, key: str, path: str,
                trainable: bool | None = None) -> Variable:
        """A handle onto ``store.variables[collection][key]`` (no array of its own)."""
        v = cls.__new__(cls)
        v._store, v._collection, v._key, v._name, v._path = store, collection, key, key, path
        v._trainable = trainable
        return v

    # --- identity -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def path(self) -> str:
        return self._path

    @property
    def trainable(self) -> bool:
        if self._trainable is None:
            return self._collection == "params"
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)

    # --- reads ----------------------------------------------------------------------------
    def _source(self) -> Any:
        store = self._store
        if store is None:
            raise ValueError(
                f"Variable '{self.path}' has no value yet: its layer is not built. Build the "
                "layer (call it on data, put it in a model, or call layer.build(input_shape))."
            )
        return store

    @property
    def value(self) -> jax.Array:
        entry = _find(self)
        if entry is not None:
            return entry[1]
        return self._source().variables[self._collection][self._key]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)

    @property
    def dtype(self) -> Any:
        # A numpy dtype compares equal both to Keras's string ("float32") and to np.float32.
        return jnp.dtype(self.value.dtype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def numpy(self) -> np.ndarray:
        return np.asarray(jax.device_get(self.value))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.numpy()
        return out.astype(dtype) if dtype is not None else out

    def __jax_array__(self) -> jax.Array:
        return self.value

    def __len__(self) -> int:
        return self.shape[0]

    def __bool__(self) -> bool:
        return bool(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    # --- writes ---------------------------------------------------------------------------
    def assign(self, value: Any) -> jax.Array:
        value = value.value if isinstance(value, Variable) else value
        current = self.value
        new = jnp.asarray(value, current.dtype)
        if tuple(new.shape) != tuple(current.shape):
            raise ValueError(
                f"Cannot assign a value of shape {tuple(new.shape)} to variable '{self.path}' "
                f"of shape {tuple(current.shape)}."
            )
        entry = _find(self)
        if entry is not None:
            entry[1] = new
        else:
            self._source().set_one(self._collection, self._key, new)
        return new  # Keras returns the assigned value

    def assign_add(self, value: Any) -> jax.Array:
        return self.assign(self.value + jnp.asarray(value, self.value.dtype))

    def assign_sub(self, value: Any) -> jax.Array:
        return self.assign(self.value - jnp.asarray(value, self.value.dtype))

    def __repr__(self) -> str:
        try:
            arr = repr(self.numpy())
            shape, dtype = self.shape, self.dtype.name
        except ValueError:
            return f"<jnn.Variable '{self.path}' (not built)>"
        # The tf.keras form the tutorials print (`<tf.Variable 'dense/kernel:0' shape=...`).
        return f"<jnn.Variable '{self.path}:0' shape={shape} dtype={dtype}, numpy={arr}>"

    # --- arithmetic: results are arrays -------------------------------------------------
    __add__ = _binop(lambda a, b: a + b)
    __radd__ = _binop(lambda a, b: a + b, True)
    __sub__ = _binop(lambda a, b: a - b)
    __rsub__ = _binop(lambda a, b: a - b, True)
    __mul__ = _binop(lambda a, b: a * b)
    __rmul__ = _binop(lambda a, b: a * b, True)
    __truediv__ = _binop(lambda a, b: a / b)
    __rtruediv__ = _binop(lambda a, b: a / b, True)
    __floordiv__ = _binop(lambda a, b: a // b)
    __rfloordiv__ = _binop(lambda a, b: a // b, True)
    __mod__ = _binop(lambda a, b: a % b)
    __rmod__ = _binop(lambda a, b: a % b, True)
    __pow__ = _binop(lambda a, b: a**b)
    __rpow__ = _binop(lambda a, b: a**b, True)
    __matmul__ = _binop(lambda a, b: a @ b)
    __rmatmul__ = _binop(lambda a, b: a @ b, True)
    __lt__ = _binop(lambda a, b: a < b)
    __le__ = _binop(lambda a, b: a <= b)
    __gt__ = _binop(lambda a, b: a > b)
    __ge__ = _binop(lambda a, b: a >= b)
    __and__ = _binop(lambda a, b: a & b)
    __or__ = _binop(lambda a, b: a | b)

    def __neg__(self) -> Any:
        return -self.value

    def __pos__(self) -> Any:
        return self.value

    def __abs__(self) -> Any:
        return jnp.abs(self.value)

    def __getitem__(self, idx: Any) -> Any:
        return self.value[idx]

    @property
    def T(self) -> Any:  # noqa: N802 - numpy's name
        return self.value.T

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> Any:  # elementwise, as arrays
        return self.value == (other.value if isinstance(other, Variable) else other)

    def __ne__(self, other: object) -> Any:
        return self.value != (other.value if isinstance(other, Variable) else other)


def _initial_value(initializer: Any, shape: Any, dtype: Any) -> jax.Array:
    if isinstance(initializer, (str, dict)) or (callable(initializer)
                                                and not hasattr(initializer, "shape")):
        if shape is None:
            raise ValueError(
                f"jnn.Variable: an initializer ({initializer!r}) needs `shape`."
            )
        fn = initializers.get(initializer)
        return jnp.asarray(fn(core_random.draw_key(None), tuple(int(d) for d in shape),
                              jnp.dtype(dtype or "float32")))
    value = jnp.asarray(initializer.value if isinstance(initializer, Variable) else initializer)
    if dtype is not None:
        value = value.astype(dtype)
    elif jnp.issubdtype(value.dtype, jnp.floating) and value.dtype != jnp.float32 and \
            not isinstance(initializer, (jax.Array, np.ndarray)):
        value = value.astype(jnp.float32)
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(
            f"jnn.Variable: initial value of shape {tuple(value.shape)} does not match "
            f"shape={tuple(shape)}."
        )
    return value
