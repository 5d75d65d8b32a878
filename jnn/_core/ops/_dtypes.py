"""Keras 3's dtype rules on JAX: names, promotion lattice, ``floatx``, tensor conversion.

Every op in :mod:`jnn._core.ops` decides its result dtype here, so ``ops.add(int8, 1.5)`` or
``ops.mean(int32)`` give what Keras 3 (JAX backend) gives: Python scalars are *weak* (they
take the other operand's type), 64-bit results are narrowed to 32 bits (JAX's default), and a
weak float alone resolves to ``floatx()``.

For the other op families: ``convert_to_tensor`` turns any input into a ``jax.Array``,
``dtype_of`` gives an input's Keras dtype (``"int"`` / ``"float"`` for Python scalars, the weak
types), ``result_type`` promotes dtypes, and ``float_dtype_of`` is the dtype a float-valued op
(``mean``, ``sqrt``, ``softmax``) returns for an input.

Example:
    >>> from jnn._core.ops import _dtypes
    >>> _dtypes.result_type("int8", float)
    'float32'
    >>> _dtypes.result_type("bfloat16", int)
    'bfloat16'
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

BOOL_TYPES = ("bool",)
INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
WEAK_TYPES = ("int", "float")
COMPLEX_TYPES = ("complex64", "complex128")
FLOAT8_TYPES = ("float8_e4m3fn", "float8_e5m2")
ALLOWED_DTYPES = (
    BOOL_TYPES + INT_TYPES + FLOAT_TYPES + COMPLEX_TYPES + FLOAT8_TYPES + ("string",)
)

_FLOATX = ["float32"]


def floatx() -> str:
    """The default float dtype of ops (Keras's ``backend.floatx()``), ``'float32'`` by default.

    Example:
        >>> floatx()
        'float32'
    """
    return _FLOATX[0]


def set_floatx(value: str) -> None:
    """Sets the default float dtype (``'float16'``, ``'bfloat16'``, ``'float32'``, ``'float64'``).

    Example:
        >>> set_floatx("float32")
    """
    value = standardize_dtype(value)
    if value not in FLOAT_TYPES:
        raise ValueError(f"floatx must be one of {FLOAT_TYPES}; received floatx={value!r}.")
    _FLOATX[0] = value


_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string",
                  "int": "int32", complex: "complex64"}  # fmt: skip


def standardize_dtype(dtype: Any) -> str:
    """A dtype's Keras name: ``None`` -> ``floatx()``, ``int`` -> ``'int32'``, ``jnp.float16`` ->
    ``'float16'``.

    Example:
        >>> standardize_dtype(jnp.int8)
        'int8'
    """
    if dtype is None:
        return floatx()
    if isinstance(dtype, (type, str)) and dtype in _PYTHON_DTYPES:
        return _PYTHON_DTYPES[dtype]
    name = dtype
    if hasattr(dtype, "name"):
        name = dtype.name
    elif hasattr(dtype, "__name__"):
        name = dtype.__name__
    elif "jax.numpy" in str(dtype) or "torch" in str(dtype):
        name = str(dtype).split(".")[-1]
    if name not in ALLOWED_DTYPES:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            pass
    if name not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype!r}. Expected one of {ALLOWED_DTYPES}.")
    return name


def _lattice() -> dict[str, list[str]]:
    # Each type's immediate successors; adapted from JAX's promotion lattice, as Keras does.
    return {
        "bool": ["int"],
        "uint8": ["int16", "uint16"],
        "uint16": ["int32", "uint32"],
        "uint32": ["int64", "uint64"],
        "uint64": ["float"],
        "int": ["uint8", "int8", "complex64"],
        "int8": ["int16"],
        "int16": ["int32"],
        "int32": ["int64"],
        "int64": ["float"],
        "float": ["bfloat16", "float16"],
        "bfloat16": ["float32"],
        "float16": ["float32"],
        "float32": ["float64", "complex64"],
        "float64": ["complex128"],
        "complex64": ["complex128"],
        "complex128": [],
    }


def _upper_bounds() -> dict[str, set[str]]:
    lattice = _lattice()
    bounds = {n: {n} for n in lattice}
    for n in lattice:
        while True:
            grown = set().union(*(lattice[b] for b in bounds[n])) | bounds[n]
            if grown == bounds[n]:
                break
            bounds[n] = grown
    return bounds


_UPPER = _upper_bounds()


@functools.lru_cache(512)
def _least_upper_bound(*nodes: str) -> str:
    try:
        bounds = [_UPPER[n] for n in nodes]
    except KeyError:
        bad = next(n for n in nodes if n not in _UPPER)
        raise ValueError(f"dtype={bad!r} is not a valid dtype for Keras type promotion.") from None
    common = set.intersection(*bounds)
    least = (common & set(nodes)) or {c for c in common if common <= _UPPER[c]}
    if len(least) != 1:
        raise ValueError(
            f"Input dtypes {nodes} have no implicit dtype promotion path. Cast the inputs "
            "explicitly to the dtype you want."
        )
    return least.pop()


def _as_weak(dtype: str) -> str:
    if dtype == "bool":
        return dtype
    if "float" in dtype:
        return "float"
    if "int" in dtype:
        return "int"
    return "complex" if "complex" in dtype else dtype


_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


def _resolve_weak(dtype: str) -> str:
    precision = floatx()[-2:]
    if dtype == "int":
        return f"int{precision}"
    if dtype == "float":
        return f"float{precision}"
    return dtype


def result_type(*dtypes: Any) -> str:
    """The dtype Keras 3 (JAX backend) gives to an op over inputs of ``dtypes``.

    Arguments are dtypes or dtype names; the Python types ``int`` and ``float`` stand for weak
    Python scalars (``'int'`` / ``'float'`` strings too); ``None`` means ``floatx()``. 64-bit
    results are narrowed to 32 bits, as JAX does without x64.

    Example:
        >>> result_type("int32", "float16")
        'float16'
        >>> result_type("uint8", int)
        'uint8'
    """
    if not dtypes:
        return floatx()
    parsed = []
    for d in dtypes:
        weak = d is int or d is float or d in WEAK_TYPES
        if d is None:
            name = floatx()
        elif isinstance(d, str) and d in WEAK_TYPES:
            name = "int32" if d == "int" else "float32"
        else:
            name = standardize_dtype(d)
        if name in FLOAT8_TYPES:
            raise ValueError(
                "There are no implicit conversions from float8 dtypes to others; cast "
                f"explicitly. Received: {dtypes}"
            )
        parsed.append((name, weak))
    names = [n for n, _ in parsed]
    weaks = [w for _, w in parsed]
    if len(parsed) == 1:
        out, out_weak = names[0], weaks[0]
    elif len(set(names)) == 1 and not all(weaks):
        out, out_weak = names[0], False
    elif all(weaks):
        out, out_weak = _least_upper_bound(*sorted(set(names))), True
    else:
        nodes = {(_as_weak(n) if w else n) for n, w in parsed}
        out = _least_upper_bound(*sorted(nodes))
        out_weak = out in WEAK_TYPES
    if out != "bool" and out_weak:
        out = _resolve_weak(_as_weak(out)) if out not in WEAK_TYPES else _resolve_weak(out)
    return _NARROW.get(out, out)


def dtype_of(x: Any) -> Any:
    """An input's dtype for :func:`result_type`: Python ``int`` / ``float`` scalars are weak.

    Example:
        >>> dtype_of(2), dtype_of(jnp.ones(2, "int8"))
        (<class 'int'>, 'int8')
    """
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return int
    if isinstance(x, float):
        return float
    if isinstance(x, complex):
        return "complex64"
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return standardize_dtype(dtype)
    return standardize_dtype(jnp.asarray(x).dtype)


def is_float(dtype: Any) -> bool:
    """Whether a dtype is a floating one (bfloat16, float8 included)."""
    name = standardize_dtype(dtype)
    return "float" in name


def is_int(dtype: Any) -> bool:
    """Whether a dtype is a (signed or unsigned) integer one."""
    return "int" in standardize_dtype(dtype)


def float_dtype_of(*xs: Any) -> str:
    """The dtype of a float-valued op over ``xs``: ints and bools become ``floatx()``.

    Example:
        >>> float_dtype_of(jnp.ones(2, "int8")), float_dtype_of(jnp.ones(2, "float16"))
        ('float32', 'float16')
    """
    return result_type(*(dtype_of(x) for x in xs), float)


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None,
                      ragged: bool | None = None) -> jax.Array:  # fmt: skip
    """Any array-like (numpy, list, scalar, jax array, jnn Variable) as a ``jax.Array``.

    Args:
        x: the value.
        dtype: target dtype; ``None`` keeps the value's own (NumPy float64 becomes float32,
            int64 int32, as JAX does without x64).
        sparse: ``False`` or ``None`` (sparse tensors are not supported; ``True`` raises).
        ragged: ``False`` or ``None`` (ragged tensors are not supported on JAX).

    Example:
        >>> convert_to_tensor([1, 2]).dtype
        dtype('int32')
    """
    if ragged:
        raise ValueError("ragged=True is not supported on the JAX backend.")
    if sparse:
        raise ValueError("sparse=True is not supported by jnn.ops (JAX arrays are dense).")
    if dtype is not None:
        dtype = standardize_dtype(dtype)
    if isinstance(x, jax.Array) and (dtype is None or x.dtype == dtype):
        return x
    value = getattr(x, "value", None)
    if value is not None and not isinstance(x, (np.ndarray, np.generic)) and hasattr(
        x, "assign"
    ):
        x = value  # a Variable handle
    if dtype == "bfloat16" and not isinstance(x, jax.Array):
        return jnp.asarray(x).astype(dtype)
    return jnp.asarray(x, dtype=dtype)


def cast(x: Any, dtype: Any) -> jax.Array:
    """``x`` converted and cast to ``dtype`` (Keras names accepted).

    Example:
        >>> cast([1.7], "int32").tolist()
        [1]
    """
    dtype = standardize_dtype(dtype)
    x = convert_to_tensor(x)
    return x if x.dtype == dtype else x.astype(dtype)
