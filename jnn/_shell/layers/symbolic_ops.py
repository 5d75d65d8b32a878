"""``jnn.ops`` on symbolic tensors: an op called on a ``KerasTensor`` becomes a graph node.

The ops themselves (:mod:`jnn._core.ops`) are pure functions of arrays. This module wraps each
of them for the public facade: called on concrete data, the wrapper is the core op; called
with a :class:`~jnn._shell.layers.graph.KerasTensor` anywhere in its arguments, it records a node of
the functional graph instead, as Keras 3 does, so ``x = ops.relu(inputs);
Model(inputs, x)`` works. The node's layer is an :class:`OpLayer`: no weights, the op named by
its place in ``jnn.ops`` (``"nn.relu"``) and the call's non-tensor arguments as its config, so
a model with op nodes survives ``get_config`` / ``from_config`` and ``.keras`` files without
bytecode. Each op gets its own ``OpLayer`` subclass named after it (``Relu``, ``Sum``,
``GetItem``), so ``summary()`` reads like Keras 3's (``relu (Relu)``).

Example:
    >>> import jnn
    >>> from jnn import ops
    >>> x = jnn.Input(shape=(3,))
    >>> y = ops.sum(ops.relu(x), axis=-1)
    >>> y.shape, type(y.node.layer).__name__
    ((None,), 'Sum')
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from jnn._core.layers.base import Layer
from jnn._shell.layers.graph import KerasTensor

# The families of jnn._core.ops (their names do not overlap; a test checks the top level
# against keras.ops).
FAMILIES = ("numpy", "linalg", "math", "nn", "core", "image")
# Families whose names are not part of the top-level namespace (keras.ops.image.*).
SUBMODULE_ONLY = ("image",)

# Called on a KerasTensor, these answer from its static description instead of making a node.
_STATIC: dict[str, Callable[[KerasTensor], Any]] = {
    "shape": lambda t: tuple(t.shape),
    "ndim": lambda t: len(t.shape),
    "dtype": lambda t: np.dtype(t.dtype).name,
}
# Never graph nodes: they take or return Python functions, or answer about the value itself.
_NOT_NODES = frozenset({"vectorize", "custom_gradient", "is_tensor", "convert_to_numpy"})


def core_module(family: str) -> Any:
    """The core module of an op family (``'nn'`` -> ``jnn._core.ops.nn``)."""
    return importlib.import_module(f"jnn._core.ops.{family}")


def core_op(qualified: str) -> Callable:
    """The core function for ``'family.name'`` (``'nn.relu'``)."""
    family, _, name = qualified.partition(".")
    if family not in FAMILIES:
        raise ValueError(f"Unknown jnn.ops family {family!r} in op {qualified!r}; expected one "
                         f"of {FAMILIES}.")  # fmt: skip
    fn = getattr(core_module(family), name, None)
    if not callable(fn):
        raise ValueError(f"jnn.ops.{family} has no op named {name!r} (from {qualified!r}).")
    return fn


# --- the node layer -------------------------------------------------------------------------


class _Slot:
    """Where the i-th symbolic tensor of a call goes back into its arguments."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"<tensor {self.index}>"


def _contains_symbolic(x: Any) -> bool:
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(_contains_symbolic(v) for v in x)
    if isinstance(x, dict):
        return any(_contains_symbolic(v) for v in x.values())
    return False


def _extract(x: Any, tensors: list[KerasTensor]) -> Any:
    """``x`` with every KerasTensor replaced by a :class:`_Slot` (collected into ``tensors``)."""
    if isinstance(x, KerasTensor):
        tensors.append(x)
        return _Slot(len(tensors) - 1)
    if isinstance(x, list):
        return [_extract(v, tensors) for v in x]
    if isinstance(x, tuple):
        return tuple(_extract(v, tensors) for v in x)
    if isinstance(x, dict):
        return {k: _extract(v, tensors) for k, v in x.items()}
    return x


def _fill(x: Any, values: list[Any]) -> Any:
    if isinstance(x, _Slot):
        return values[x.index]
    if isinstance(x, list):
        return [_fill(v, values) for v in x]
    if isinstance(x, tuple):
        return tuple(_fill(v, values) for v in x)
    if isinstance(x, dict):
        return {k: _fill(v, values) for k, v in x.items()}
    return x


def _count_slots(x: Any) -> int:
    if isinstance(x, _Slot):
        return 1
    if isinstance(x, (list, tuple)):
        return sum(_count_slots(v) for v in x)
    if isinstance(x, dict):
        return sum(_count_slots(v) for v in x.values())
    return 0


def _encode(x: Any, where: str) -> Any:
    """A JSON-friendly form of an op argument (tensor slots, tuples, slices, arrays, dtypes)."""
    if isinstance(x, _Slot):
        return {"__tensor__": x.index}
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, (np.integer, np.floating, np.bool_)):
        return x.item()
    if isinstance(x, list):
        return [_encode(v, where) for v in x]
    if isinstance(x, tuple):
        return {"__tuple__": [_encode(v, where) for v in x]}
    if isinstance(x, dict):
        return {"__dict__": {str(k): _encode(v, where) for k, v in x.items()}}
    if isinstance(x, slice):
        return {"__slice__": [_encode(x.start, where), _encode(x.stop, where),
                              _encode(x.step, where)]}  # fmt: skip
    if x is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(x, np.dtype) or (isinstance(x, type) and hasattr(x, "dtype")):
        return {"__dtype__": np.dtype(x).name}
    if isinstance(x, (np.ndarray, jax.Array)):
        arr = np.asarray(x)
        return {"__array__": arr.tolist(), "dtype": arr.dtype.name}
    raise ValueError(
        f"{where}: the argument {x!r} ({type(x).__name__}) of this op node cannot be saved in a "
        "model config (only tensors, numbers, strings, tuples/lists/dicts of them, slices, "
        "dtypes and arrays can). Wrap the computation in a jnn.layers.Lambda layer, or in a "
        "custom layer, to save such a model."
    )


def _decode(x: Any) -> Any:
    if isinstance(x, list):
        return [_decode(v) for v in x]
    if not isinstance(x, dict):
        return x
    if "__tensor__" in x:
        return _Slot(int(x["__tensor__"]))
    if "__tuple__" in x:
        return tuple(_decode(v) for v in x["__tuple__"])
    if "__dict__" in x:
        return {k: _decode(v) for k, v in x["__dict__"].items()}
    if "__slice__" in x:
        return slice(*(_decode(v) for v in x["__slice__"]))
    if "__ellipsis__" in x:
        return Ellipsis
    if "__dtype__" in x:
        return x["__dtype__"]
    if "__array__" in x:
        return np.asarray(x["__array__"], dtype=x.get("dtype"))
    return {k: _decode(v) for k, v in x.items()}


class OpLayer(Layer):
    """A ``jnn.ops`` call recorded in a functional graph (no weights).

    Args:
        op: the op's place in ``jnn.ops``, ``'family.name'`` (``'numpy.add'``).
        args / kwargs: the call's arguments, symbolic tensors replaced by slots (in a config:
            ``{"__tensor__": i}``); the layer's inputs are the tensors, in slot order.

    Example:
        >>> import jax.numpy as jnp
        >>> layer = op_layer_class("numpy.add")(op="numpy.add",
        ...                                     args=[{"__tensor__": 0}, 1.0])
        >>> layer.apply({"params": {}, "state": {}}, jnp.zeros(2))[0].tolist()
        [1.0, 1.0]
    """

    def __init__(self, op: str, args: Any = (), kwargs: dict[str, Any] | None = None,
                 **layer_kwargs: Any) -> None:  # fmt: skip
        super().__init__(**layer_kwargs)
        self.op = op
        self._fn = core_op(op)
        self.args = tuple(_decode(list(args)) if isinstance(args, list) else args)
        self.kwargs = dict(_decode(kwargs) if kwargs else {})
        self._n_tensors = _count_slots((self.args, self.kwargs))

    def get_config(self) -> dict[str, Any]:
        where = f"op node '{self.name}' (jnn.ops.{self.op})"
        config = super().get_config()
        config.update(op=self.op, args=_encode(list(self.args), where),
                      kwargs={k: _encode(v, where) for k, v in self.kwargs.items()})
        return config

    def init(self, key: jax.Array, input_spec: Any) -> dict[str, Any]:
        del key, input_spec
        return {"params": {}, "state": {}}

    def apply(self, variables: Any, inputs: Any, *, training: bool = False,
              rng: jax.Array | None = None, **kwargs: Any) -> tuple[Any, dict]:  # fmt: skip
        del variables, training, rng, kwargs
        values = list(inputs) if self._n_tensors > 1 else [inputs]
        out = self._fn(*_fill(self.args, values), **_fill(self.kwargs, values))
        if isinstance(out, list):
            out = list(out)
        return out, {}

    def compute_output_spec(self, input_spec: Any, **kwargs: Any) -> Any:
        name = f"jnn.ops.{self.op.split('.')[-1]}"
        try:
            return super().compute_output_spec(input_spec, **kwargs)
        except _VALUE_DEPENDENT as exc:
            raise ValueError(
                f"{name} on symbolic inputs {input_spec}: its output shape (or an argument it "
                "needs) depends on the values of its inputs, which are not known while a "
                "functional graph is built. Pass static arguments (e.g. `size=` where the op "
                "takes one), or compute it inside a custom layer's call or a Lambda layer."
            ) from exc
        except Exception as exc:  # noqa: BLE001 - any failure gets the op's name and inputs
            message = f"{name} on symbolic inputs {input_spec}: {exc}"
            try:
                error = type(exc)(message)
            except Exception:  # noqa: BLE001 - exception types with other constructors
                error = ValueError(message)
            raise error from None


_VALUE_DEPENDENT = (
    jax.errors.ConcretizationTypeError,
    jax.errors.NonConcreteBooleanIndexError,
    jax.errors.TracerIntegerConversionError,
    jax.errors.TracerBoolConversionError,
)


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


_CLASSES: dict[str, type] = {}


def op_layer_class(op: str) -> type:
    """The :class:`OpLayer` subclass for ``'family.name'``, named after the op (``Relu``)."""
    cls = _CLASSES.get(op)
    if cls is None:
        name = _camel(op.partition(".")[2])
        cls = type(name, (OpLayer,), {"__module__": "jnn.ops", "__qualname__": name,
                                       "_op": op, "__doc__": f"Graph node of jnn.ops.{op}."})
        _CLASSES[op] = cls
        _CLASSES.setdefault(f"class:{name}", cls)
    return cls


def __getattr__(name: str) -> Any:
    """``symbolic_ops.Relu``: the node class of an op by its class name (used by loading)."""
    found = _CLASSES.get(f"class:{name}")
    if found is not None:
        return found
    if not name.startswith("_"):
        for family in available_families():
            for op_name in getattr(core_module(family), "__all__", ()):
                if _camel(op_name) == name:
                    return op_layer_class(f"{family}.{op_name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _record(qualified: str, args: tuple, kwargs: dict[str, Any]) -> Any:
    tensors: list[KerasTensor] = []
    template_args = _extract(args, tensors)
    template_kwargs = _extract(kwargs, tensors)
    layer = op_layer_class(qualified)(op=qualified, args=template_args, kwargs=template_kwargs)
    return layer(list(tensors) if len(tensors) > 1 else tensors[0])


def wrap(family: str, name: str, fn: Callable) -> Callable:
    """``fn`` (a core op) that records a graph node when called on a ``KerasTensor``."""
    if name in _NOT_NODES:
        return fn
    qualified = f"{family}.{name}"
    static = _STATIC.get(name)

    @functools.wraps(fn)
    def op(*args: Any, **kwargs: Any) -> Any:
        if _contains_symbolic(args) or _contains_symbolic(kwargs):
            if static is not None and args and isinstance(args[0], KerasTensor):
                return static(args[0])
            return _record(qualified, args, kwargs)
        return fn(*args, **kwargs)

    return op


@functools.cache
def namespace(family: str) -> dict[str, Callable]:
    """``{name: wrapped op}`` for one family (every name of the core module's ``__all__``)."""
    module = core_module(family)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")
                 and callable(getattr(module, n)) and getattr(getattr(module, n), "__module__",
                                                              "") == module.__name__]  # fmt: skip
    return {n: wrap(family, n, getattr(module, n)) for n in names}


def available_families() -> list[str]:
    """The families whose core module exists (all of :data:`FAMILIES` once complete)."""
    return [f for f in FAMILIES if importlib.util.find_spec(f"jnn._core.ops.{f}") is not None]


def top_level() -> dict[str, Callable]:
    """The ``jnn.ops`` namespace: every family's ops except the submodule-only ones."""
    out: dict[str, Callable] = {}
    for family in available_families():
        if family not in SUBMODULE_ONLY:
            out.update(namespace(family))
    return out


# --- Python operators on KerasTensors -------------------------------------------------------

_OPERATORS = {
    "__add__": ("numpy.add", False),
    "__radd__": ("numpy.add", True),
    "__sub__": ("numpy.subtract", False),
    "__rsub__": ("numpy.subtract", True),
    "__mul__": ("numpy.multiply", False),
    "__rmul__": ("numpy.multiply", True),
    "__truediv__": ("numpy.true_divide", False),
    "__getitem__": ("numpy.get_item", False),
    "__neg__": ("numpy.negative", None),
    "__pos__": ("numpy.copy", None),
    "__abs__": ("numpy.absolute", None),
    "__invert__": ("numpy.logical_not", None),
    "__matmul__": ("numpy.matmul", False),
    "__rmatmul__": ("numpy.matmul", True),
    "__pow__": ("numpy.power", False),
    "__rpow__": ("numpy.power", True),
    "__floordiv__": ("numpy.floor_divide", False),
    "__rfloordiv__": ("numpy.floor_divide", True),
    "__mod__": ("numpy.mod", False),
    "__rmod__": ("numpy.mod", True),
    "__rtruediv__": ("numpy.true_divide", True),
    "__lt__": ("numpy.less", False),
    "__le__": ("numpy.less_equal", False),
    "__gt__": ("numpy.greater", False),
    "__ge__": ("numpy.greater_equal", False),
    "__and__": ("numpy.logical_and", False),
    "__rand__": ("numpy.logical_and", True),
    "__or__": ("numpy.logical_or", False),
    "__ror__": ("numpy.logical_or", True),
    "__xor__": ("numpy.logical_xor", False),
    "__rxor__": ("numpy.logical_xor", True),
}
_OPERAND_TYPES = (KerasTensor, int, float, bool, np.ndarray, np.generic, jax.Array)


def _operator(op: str, reflected: bool | None) -> Callable:
    if reflected is None:
        def unary(self: KerasTensor) -> Any:
            return _record(op, (self,), {})

        return unary

    def binary(self: KerasTensor, other: Any) -> Any:
        if op != "numpy.get_item" and not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return _record(op, (other, self) if reflected else (self, other), {})

    return binary


def _no_iteration(self: KerasTensor) -> Any:
    raise TypeError(
        f"A symbolic KerasTensor {self!r} cannot be iterated over (its length is not known "
        "while the graph is built); index it (x[:, 0]) or use jnn.ops.unstack / ops.split."
    )


def install_operators() -> None:
    """Gives KerasTensor the Python operators Keras 3's has (``x[:, 0]``, ``-x``, ``x @ w``,
    ``x ** 2``, comparisons...) as op nodes; operators KerasTensor defines itself are kept."""
    for dunder, (op, reflected) in _OPERATORS.items():
        if dunder not in KerasTensor.__dict__:
            setattr(KerasTensor, dunder, _operator(op, reflected))
    if "__iter__" not in KerasTensor.__dict__:
        KerasTensor.__iter__ = _no_iteration  # type: ignore[method-assign]


install_operators()
