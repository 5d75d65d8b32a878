"""Keras 3's core ops (``keras.ops.shape``, ``cast``, ``cond``, ``scan``, ``scatter``, ...) on JAX.

Control flow maps one to one onto ``jax.lax`` (``cond``, ``switch``, ``scan``, ``fori_loop``,
``while_loop``, ``map``, ``associative_scan``), so every op here is safe under ``jax.jit``,
``jax.grad`` and ``jax.vmap``. Dtype decisions go through :mod:`jnn._core.ops._dtypes`.

Public names (the facade ``jnn.ops`` re-exports them all): ``associative_scan``, ``cast``,
``cond``, ``convert_to_numpy``, ``convert_to_tensor``, ``custom_gradient``, ``dtype``,
``fori_loop``, ``is_tensor``, ``map``, ``rearrange`` (Keras's ``keras.ops.rearrange``, einops
style), ``saturate_cast``, ``scan``, ``scatter``,
``scatter_update``, ``shape``, ``slice``, ``slice_update``, ``stop_gradient``, ``switch``,
``unstack``, ``vectorized_map``, ``while_loop`` (see ``__all__``).

Example:
    >>> import jax.numpy as jnp
    >>> from jnn._core.ops import core
    >>> core.scan(lambda c, x: (c + x, c), 0.0, jnp.arange(3.0))[0]
    Array(3., dtype=float32)
"""

from __future__ import annotations

import builtins
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np

from jnn._core.ops import _dtypes

__all__ = [
    "associative_scan",
    "cast",
    "cond",
    "convert_to_numpy",
    "convert_to_tensor",
    "custom_gradient",
    "dtype",
    "fori_loop",
    "is_tensor",
    "map",
    "rearrange",
    "saturate_cast",
    "scan",
    "scatter",
    "scatter_update",
    "shape",
    "slice",
    "slice_update",
    "stop_gradient",
    "switch",
    "unstack",
    "vectorized_map",
    "while_loop",
]


def _unwrap(x: Any) -> Any:
    """A Variable handle's current value (anything with ``assign`` and ``value``), else ``x``."""
    if hasattr(x, "assign") and hasattr(x, "value") and not isinstance(x, jax.Array):
        return x.value
    return x


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None,
                      ragged: bool | None = None) -> jax.Array:  # fmt: skip
    """Converts a NumPy array, list, scalar, Variable or JAX array to a ``jax.Array``.

    Example:
        >>> convert_to_tensor([1.0, 2.0]).dtype
        dtype('float32')
    """
    return _dtypes.convert_to_tensor(x, dtype=dtype, sparse=sparse, ragged=ragged)


def convert_to_numpy(x: Any) -> np.ndarray:
    """Converts an array (JAX, Variable, list) to a NumPy array (bfloat16 kept as ml_dtypes').

    Example:
        >>> convert_to_numpy(jnp.ones(2)).tolist()
        [1.0, 1.0]
    """
    x = _unwrap(x)
    if isinstance(x, jax.core.Tracer):
        raise ValueError(
            "convert_to_numpy: cannot convert a traced value (inside jax.jit / grad / vmap) "
            "to NumPy; call it outside the transformed function."
        )
    if isinstance(x, jax.Array) and x.dtype == jnp.bfloat16:
        return np.array(x, dtype=ml_dtypes.bfloat16)
    return np.array(x)


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is a backend tensor (a ``jax.Array``, traced or concrete).

    Example:
        >>> is_tensor(jnp.ones(2)), is_tensor(np.ones(2))
        (True, False)
    """
    return isinstance(x, jax.Array)


def shape(x: Any) -> tuple:
    """The shape of ``x`` as a tuple (``None`` for unknown dimensions of symbolic tensors).

    Example:
        >>> shape(jnp.zeros((2, 3)))
        (2, 3)
    """
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return tuple(np.shape(x))


def dtype(x: Any) -> str:
    """The Keras dtype name of ``x`` (``'float32'``, ``'int32'``, ...).

    Example:
        >>> dtype(jnp.ones(2, "int8"))
        'int8'
    """
    x = _unwrap(x)
    if hasattr(x, "dtype"):
        return _dtypes.standardize_dtype(x.dtype)
    return _dtypes.standardize_dtype(convert_to_tensor(x).dtype)


def cast(x: Any, dtype: Any) -> jax.Array:
    """Casts ``x`` to ``dtype`` (a Keras dtype name or any NumPy/JAX dtype).

    Example:
        >>> cast(jnp.array([1.7]), "int32")
        Array([1], dtype=int32)
    """
    return _dtypes.cast(_unwrap(x), dtype)


def _limits(name: str) -> tuple[Any, Any]:
    if name == "bool":
        return 0, 1
    if "int" in name:
        info = ml_dtypes.iinfo(name)
        return info.min, info.max
    info = ml_dtypes.finfo(name)
    return info.min, info.max


def saturate_cast(x: Any, dtype: Any) -> jax.Array:
    """Casts ``x`` to ``dtype``, first clipping values to the range ``dtype`` can hold.

    Example:
        >>> saturate_cast(jnp.array([-1.0, 300.0]), "uint8")
        Array([  0, 255], dtype=uint8)
    """
    target = _dtypes.standardize_dtype(dtype)
    x = convert_to_tensor(_unwrap(x))
    source = _dtypes.standardize_dtype(x.dtype)
    in_lo, in_hi = _limits(source)
    out_lo, out_hi = _limits(target)
    # Bounds must be representable in the *input* dtype; nudge inwards when rounding moved
    # them outside the target's range (e.g. float32 cannot hold int32's maximum).
    lo = np.asarray(np.maximum(in_lo, out_lo)).astype(source)
    if lo < out_lo:
        lo = np.nextafter(lo, 0, dtype=source)
    hi = np.asarray(np.minimum(in_hi, out_hi)).astype(source)
    if hi > out_hi:
        hi = np.nextafter(hi, 0, dtype=source)
    return jnp.clip(x, lo, hi).astype(target)


def stop_gradient(variable: Any) -> jax.Array:
    """Returns ``variable`` with no gradient flowing back through it.

    Example:
        >>> jax.grad(lambda x: stop_gradient(x) * x)(3.0)
        Array(3., dtype=float32, weak_type=True)
    """
    return jax.lax.stop_gradient(_unwrap(variable))


def cond(pred: Any, true_fn: Callable, false_fn: Callable) -> Any:
    """Calls ``true_fn()`` if ``pred`` else ``false_fn()`` (``jax.lax.cond``; both branches must
    return the same structure, shapes and dtypes).

    Example:
        >>> cond(jnp.array(True), lambda: 1.0, lambda: 2.0)
        Array(1., dtype=float32, weak_type=True)
    """
    return jax.lax.cond(pred, true_fn, false_fn)


def switch(index: Any, branches: Sequence[Callable], *operands: Any) -> Any:
    """Calls ``branches[index](*operands)``; ``index`` is clamped to the valid range.

    Example:
        >>> switch(1, [lambda x: x + 1, lambda x: x * 10], 2)
        Array(20, dtype=int32, weak_type=True)
    """
    return jax.lax.switch(index, branches, *operands)


def scan(f: Callable, init: Any, xs: Any = None, length: int | None = None,
         reverse: bool = False, unroll: int | bool = 1) -> tuple[Any, Any]:  # fmt: skip
    """Loops ``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns
    ``(final_carry, stacked_ys)`` (``jax.lax.scan``).

    Example:
        >>> scan(lambda c, x: (c + x, c * 2), 0, jnp.arange(4))[1].tolist()
        [0, 0, 2, 6]
    """
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError(
            f"scan: argument `unroll` must be a positive int or a bool, received {unroll!r}."
        )
    return jax.lax.scan(f, init, xs, length=length, reverse=reverse, unroll=unroll)


def associative_scan(f: Callable, elems: Any, reverse: bool = False, axis: int = 0) -> Any:
    """Parallel prefix scan of an associative binary ``f`` along ``axis``.

    Example:
        >>> associative_scan(lambda a, b: a + b, jnp.arange(4))
        Array([0, 1, 3, 6], dtype=int32)
    """
    return jax.lax.associative_scan(f, elems, reverse=reverse, axis=axis)


def map(f: Callable, xs: Any) -> Any:  # noqa: A001 - Keras's name
    """Applies ``f`` to each slice of ``xs`` along the leading axis, stacking the results.

    Example:
        >>> map(lambda x: x * 2, jnp.arange(3))
        Array([0, 2, 4], dtype=int32)
    """
    return jax.lax.map(f, xs)


def vectorized_map(function: Callable, elements: Any) -> Any:
    """``function`` mapped over the leading axis of ``elements`` with ``jax.vmap``.

    Example:
        >>> vectorized_map(jnp.sum, jnp.ones((2, 3)))
        Array([3., 3.], dtype=float32)
    """
    return jax.vmap(function)(elements)


def fori_loop(lower: Any, upper: Any, body_fun: Callable, init_val: Any) -> Any:
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)`` (``jax.lax.fori_loop``).

    Example:
        >>> fori_loop(0, 4, lambda i, v: v + i, 0)
        Array(6, dtype=int32, weak_type=True)
    """
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


def while_loop(cond: Callable, body: Callable, loop_vars: Any,
               maximum_iterations: int | None = None) -> Any:  # fmt: skip
    """Runs ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``, at most
    ``maximum_iterations`` times. A tuple/list ``loop_vars`` is unpacked into the calls.

    Example:
        >>> while_loop(lambda i: i < 5, lambda i: i + 2, 0)
        Array(6, dtype=int32, weak_type=True)
    """
    is_tuple = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if is_tuple else (loop_vars,)

    def as_tuple(out: Any) -> tuple:
        return tuple(out) if is_tuple else (out,)

    if maximum_iterations is None:
        out = jax.lax.while_loop(lambda s: cond(*s), lambda s: as_tuple(body(*s)), state)
    else:
        def bounded_cond(s: tuple) -> Any:
            return jnp.logical_and(cond(*s[:-1]), s[-1] < maximum_iterations)

        def bounded_body(s: tuple) -> tuple:
            return as_tuple(body(*s[:-1])) + (s[-1] + 1,)

        out = jax.lax.while_loop(bounded_cond, bounded_body, state + (0,))[:-1]
    return out if is_tuple else out[0]


def _start_indices(start_indices: Any) -> Any:
    if isinstance(start_indices, (list, tuple)):
        return tuple(start_indices)
    return convert_to_tensor(start_indices)


def slice(inputs: Any, start_indices: Any, shape: Sequence[int]) -> jax.Array:  # noqa: A001
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices`` (``-1`` in
    ``shape`` takes the rest of that axis; starts may be traced).

    Example:
        >>> slice(jnp.arange(6).reshape(2, 3), (0, 1), (2, 2)).tolist()
        [[1, 2], [4, 5]]
    """
    x = convert_to_tensor(_unwrap(inputs))
    starts = _start_indices(start_indices)
    sizes = tuple(
        x.shape[i] - int(starts[i]) if s == -1 else int(s) for i, s in enumerate(shape)
    )
    return jax.lax.dynamic_slice(x, starts, sizes)


def slice_update(inputs: Any, start_indices: Any, updates: Any) -> jax.Array:
    """``inputs`` with the block starting at ``start_indices`` replaced by ``updates``.

    Example:
        >>> slice_update(jnp.zeros(4), (1,), jnp.ones(2)).tolist()
        [0.0, 1.0, 1.0, 0.0]
    """
    x = convert_to_tensor(_unwrap(inputs))
    updates = convert_to_tensor(_unwrap(updates))
    return jax.lax.dynamic_update_slice(x, updates.astype(x.dtype), _start_indices(start_indices))


def scatter(indices: Any, values: Any, shape: Sequence[int]) -> jax.Array:
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (``(N, k)`` index rows;
    duplicates sum).

    Example:
        >>> scatter([[0], [2], [0]], jnp.array([1.0, 2.0, 3.0]), (3,)).tolist()
        [4.0, 0.0, 2.0]
    """
    values = convert_to_tensor(_unwrap(values))
    indices = convert_to_tensor(indices)
    zeros = jnp.zeros(tuple(shape), values.dtype)
    return zeros.at[tuple(jnp.moveaxis(indices, -1, 0))].add(values)


_REDUCTIONS = ("add", "max", "min", "mul")


def scatter_update(inputs: Any, indices: Any, updates: Any, reduction: str | None = None
                   ) -> jax.Array:  # fmt: skip
    """``inputs`` with ``updates`` written at ``indices`` (``(N, k)`` index rows); with
    ``reduction`` (``'add'``, ``'max'``, ``'min'``, ``'mul'``) combined instead of replaced.

    Example:
        >>> scatter_update(jnp.zeros(3), [[1]], jnp.array([5.0])).tolist()
        [0.0, 5.0, 0.0]
    """
    x = convert_to_tensor(_unwrap(inputs))
    key = tuple(jnp.asarray(indices).T)
    ref = x.at[key]
    if reduction is None:
        return ref.set(updates)
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"scatter_update: argument `reduction` must be None or one of {_REDUCTIONS}, "
            f"received {reduction!r}."
        )
    op = {"add": ref.add, "max": ref.max, "min": ref.min, "mul": ref.multiply}[reduction]
    return op(updates)


def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[jax.Array]:
    """Splits ``x`` along ``axis`` into a list of tensors of one rank less.

    Example:
        >>> [a.tolist() for a in unstack(jnp.array([[1, 2], [3, 4]]))]
        [[1, 2], [3, 4]]
    """
    x = convert_to_tensor(_unwrap(x))
    size = x.shape[axis]
    if num is not None and num != size:
        raise ValueError(
            f"unstack: argument `num` ({num}) must equal the size of axis {axis} "
            f"({size}) of the input with shape {x.shape}."
        )
    return [jax.lax.index_in_dim(x, i, axis, keepdims=False) for i in builtins.range(size)]


def custom_gradient(f: Callable) -> Callable:
    """Decorates ``f(*args) -> (y, grad_fn)`` so that ``jax.grad`` uses ``grad_fn(upstream)``
    (Keras's ``grad(*args, upstream=None)`` form works too).

    Example:
        >>> @custom_gradient
        ... def clipped(x):
        ...     return x, lambda g: jnp.clip(g, -1.0, 1.0)
        >>> jax.grad(lambda x: 5.0 * clipped(x))(2.0)
        Array(1., dtype=float32, weak_type=True)
    """
    wrapped = jax.custom_gradient(f)

    def call(*args: Any, **kwargs: Any) -> Any:
        args, kwargs = jax.tree_util.tree_map(
            _unwrap, (args, kwargs), is_leaf=lambda v: hasattr(v, "assign")
        )
        return wrapped(*args, **kwargs)

    call.__name__ = getattr(f, "__name__", "custom_gradient")
    call.__doc__ = getattr(f, "__doc__", None)
    return call


def _axis_groups(side: str) -> list[list[str]]:
    """``'b (h w) c'`` -> ``[['b'], ['h', 'w'], ['c']]``."""
    groups = []
    for token in re.findall(r"\w+|\([^)]*\)|\S", side):
        if token.startswith("("):
            groups.append(token[1:-1].split())
        elif re.fullmatch(r"\w+", token):
            groups.append([token])
        else:
            raise ValueError(
                f"rearrange: unsupported token {token!r} in pattern side {side!r} (named axes "
                "and parenthesised groups only; no '...')."
            )
    return groups


def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> jax.Array:
    """Reorders, merges and splits axes with an einops pattern such as
    ``"b (h1 h) w c -> (b h1) h w c"``; ``axes_lengths`` give sizes of split axes.

    Example:
        >>> rearrange(jnp.zeros((2, 4, 6, 3)), "b h w c -> b (c h w)").shape
        (2, 72)
    """
    x = convert_to_tensor(_unwrap(tensor))
    if "->" not in pattern:
        raise ValueError(f"rearrange: `pattern` must contain '->', received {pattern!r}.")
    left, right = (side.strip() for side in pattern.split("->", 1))
    inputs, outputs = _axis_groups(left), _axis_groups(right)
    if len(inputs) != x.ndim:
        raise ValueError(
            f"rearrange: the pattern's input {left!r} has {len(inputs)} axes but the tensor "
            f"has shape {x.shape}."
        )
    sizes = dict(axes_lengths)
    for group, dim in zip(inputs, x.shape):
        unknown = [a for a in group if a not in sizes]
        if len(unknown) > 1:
            raise ValueError(
                f"rearrange: cannot infer the sizes of {unknown} in group {group}; pass all "
                "but one of them as keyword arguments."
            )
        known = math.prod(sizes[a] for a in group if a in sizes)
        if unknown:
            sizes[unknown[0]] = dim // known
        if math.prod(sizes[a] for a in group) != dim:
            raise ValueError(
                f"rearrange: axis group {group} of sizes {[sizes[a] for a in group]} does not "
                f"match the dimension {dim} of shape {x.shape}."
            )
    flat_in = [a for g in inputs for a in g]
    flat_out = [a for g in outputs for a in g]
    if sorted(flat_in) != sorted(flat_out):
        raise ValueError(
            f"rearrange: the two sides of {pattern!r} must name the same axes, received "
            f"{flat_in} and {flat_out}."
        )
    x = x.reshape([sizes[a] for a in flat_in])
    x = jnp.transpose(x, [flat_in.index(a) for a in flat_out])
    return x.reshape([math.prod(sizes[a] for a in g) for g in outputs])
