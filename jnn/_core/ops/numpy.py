"""``keras.ops.numpy``: the NumPy API with Keras 3's names, defaults and result dtypes.

Each function converts its inputs (NumPy arrays, lists, scalars, JAX arrays, jnn Variables)
with :func:`convert_to_tensor` and calls ``jax.numpy`` / ``jax.lax``; where Keras 3 (JAX
backend) differs from ``jax.numpy`` the difference is applied here: creation functions
default to ``floatx()`` (``ones``, ``zeros``, ``eye``...), ``mean`` / ``var`` / ``std`` of
integers are float32, trigonometric and rounding functions of integers are float, ``clip``
of bools is int32, ``count_nonzero`` is int32, window functions are ``floatx()``. Operands of
different ranks broadcast as in NumPy (rank promotion is allowed inside the ops even where a
program turns JAX's implicit rank promotion into an error). All functions are pure and safe
under ``jax.jit``, ``jax.grad`` and ``jax.vmap`` (except those whose output shape depends on
values: ``nonzero``, ``unique`` without ``size``, ``histogram``... as in Keras).

Example:
    >>> from jnn._core.ops import numpy as knp
    >>> knp.ones((2,)).dtype, knp.arange(3).dtype, knp.mean(knp.arange(4)).dtype
    (dtype('float32'), dtype('int32'), dtype('float32'))
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core.ops._dtypes import cast, floatx, result_type, standardize_dtype
from jnn._core.ops._dtypes import convert_to_tensor as _t

ArrayLike = Any

_PUBLIC: list[str] = []


def _op(fn: Callable) -> Callable:
    """Registers a public op; broadcasting of different ranks is allowed inside it."""

    @functools.wraps(fn)
    def op(*args: Any, **kwargs: Any) -> Any:
        with jax.numpy_rank_promotion("allow"):
            return fn(*args, **kwargs)

    _PUBLIC.append(fn.__name__)
    return op


def _std(dtype: Any) -> str | None:
    return None if dtype is None else standardize_dtype(dtype)


def _to_float(x: ArrayLike) -> jax.Array:
    """``x`` as a tensor of Keras's float result type (ints and bools -> floatx)."""
    x = _t(x)
    return cast(x, result_type(x.dtype, float))


def _float_unary(jfn: Callable, name: str) -> Callable:
    def fn(x: ArrayLike) -> jax.Array:
        return jfn(_to_float(x))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Element-wise ``{name}``; integer and bool inputs give ``floatx()``.\n\n"
                  f"    Example:\n        >>> {name}([0.5]).dtype\n        dtype('float32')\n")
    return _op(fn)


def _unary(jfn: Callable, name: str, example: str = "[1.0, 2.0]") -> Callable:
    def fn(x: ArrayLike) -> jax.Array:
        return jfn(_t(x))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Element-wise ``{name}`` (``jax.numpy.{jfn.__name__}``).\n\n"
                  f"    Example:\n        >>> {name}({example}).shape\n        (2,)\n")
    return _op(fn)


def _binary(jfn: Callable, name: str, args: tuple[str, str] = ("x1", "x2"),
            doc: str | None = None) -> Callable:  # fmt: skip
    def fn(x1: ArrayLike, x2: ArrayLike) -> jax.Array:
        return jfn(_t(x1), _t(x2))

    if args != ("x1", "x2"):
        def fn(x: ArrayLike, y: ArrayLike) -> jax.Array:  # noqa: F811 - Keras's names
            return jfn(_t(x), _t(y))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc or (
        f"Element-wise ``{name}`` with NumPy broadcasting (``jax.numpy.{jfn.__name__}``)."
        f"\n\n    Example:\n        >>> {name}([1, 2], [3, 4]).shape\n        (2,)\n")
    return _op(fn)


def _float_binary(jfn: Callable, name: str) -> Callable:
    def fn(x1: ArrayLike, x2: ArrayLike) -> jax.Array:
        x1, x2 = _t(x1), _t(x2)
        dtype = result_type(x1.dtype, x2.dtype, float)
        return jfn(cast(x1, dtype), cast(x2, dtype))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Element-wise ``{name}``; integer inputs give ``floatx()``.\n\n"
                  f"    Example:\n        >>> {name}([1, 2], [3, 4]).dtype\n"
                  "        dtype('float32')\n")
    return _op(fn)


# --- element-wise, one argument -------------------------------------------------------------

absolute = _unary(jnp.absolute, "absolute")
abs = _unary(jnp.absolute, "abs")  # noqa: A001 - Keras's name
fabs = _unary(jnp.fabs, "fabs")
negative = _unary(jnp.negative, "negative")
square = _unary(jnp.square, "square")
sign = _unary(jnp.sign, "sign")
signbit = _unary(jnp.signbit, "signbit")
conjugate = _unary(jnp.conjugate, "conjugate")
conj = _unary(jnp.conjugate, "conj")
real = _unary(jnp.real, "real")
imag = _unary(jnp.imag, "imag")
copy = _unary(jnp.copy, "copy")
isfinite = _unary(jnp.isfinite, "isfinite")
isinf = _unary(jnp.isinf, "isinf")
isnan = _unary(jnp.isnan, "isnan")
isneginf = _unary(jnp.isneginf, "isneginf")
isposinf = _unary(jnp.isposinf, "isposinf")
isreal = _unary(jnp.isreal, "isreal")
logical_not = _unary(jnp.logical_not, "logical_not")
bitwise_invert = _unary(jnp.invert, "bitwise_invert", "[1, 2]")
bitwise_not = _unary(jnp.invert, "bitwise_not", "[1, 2]")
cbrt = _unary(jnp.cbrt, "cbrt")
deg2rad = _unary(jnp.deg2rad, "deg2rad")
rad2deg = _unary(jnp.rad2deg, "rad2deg")
reciprocal = _unary(jnp.reciprocal, "reciprocal")
ravel = _unary(jnp.ravel, "ravel")
flipud = _unary(jnp.flipud, "flipud")
exp = _float_unary(jnp.exp, "exp")
exp2 = _float_unary(jnp.exp2, "exp2")
expm1 = _float_unary(jnp.expm1, "expm1")
log = _float_unary(jnp.log, "log")
log10 = _float_unary(jnp.log10, "log10")
log1p = _float_unary(jnp.log1p, "log1p")
log2 = _float_unary(jnp.log2, "log2")
sqrt = _float_unary(jnp.sqrt, "sqrt")
sin = _float_unary(jnp.sin, "sin")
cos = _float_unary(jnp.cos, "cos")
tan = _float_unary(jnp.tan, "tan")
sinh = _float_unary(jnp.sinh, "sinh")
cosh = _float_unary(jnp.cosh, "cosh")
tanh = _float_unary(jnp.tanh, "tanh")
sinc = _float_unary(jnp.sinc, "sinc")
arcsin = _float_unary(jnp.arcsin, "arcsin")
arccos = _float_unary(jnp.arccos, "arccos")
arctan = _float_unary(jnp.arctan, "arctan")
arcsinh = _float_unary(jnp.arcsinh, "arcsinh")
arccosh = _float_unary(jnp.arccosh, "arccosh")
arctanh = _float_unary(jnp.arctanh, "arctanh")
ceil = _float_unary(jnp.ceil, "ceil")
floor = _float_unary(jnp.floor, "floor")
angle = _float_unary(jnp.angle, "angle")


@_op
def i0(x: ArrayLike) -> jax.Array:
    """Modified Bessel function of the first kind, order 0 (float16/bfloat16 kept, else floatx).

    Example:
        >>> bool(abs(i0(0.0) - 1.0) < 1e-6)
        True
    """
    x = _t(x)
    dtype = standardize_dtype(x.dtype)
    if dtype not in ("bfloat16", "float16"):
        dtype = floatx()
    return jnp.i0(cast(x, dtype))


@_op
def fliplr(x: ArrayLike) -> jax.Array:
    """``x`` reversed along axis 1 (left/right).

    Example:
        >>> fliplr([[1, 2]]).tolist()
        [[2, 1]]
    """
    return jnp.fliplr(_t(x))


@_op
def trunc(x: ArrayLike) -> jax.Array:
    """Rounds towards zero; integer and bool inputs are returned unchanged.

    Example:
        >>> trunc([-1.7, 1.7]).tolist()
        [-1.0, 1.0]
    """
    x = _t(x)
    dtype = standardize_dtype(x.dtype)
    return x if ("int" in dtype or dtype == "bool") else jnp.trunc(x)


@_op
def round(x: ArrayLike, decimals: int = 0) -> jax.Array:  # noqa: A001 - Keras's name
    """Rounds half to even to ``decimals`` places (negative: tens, hundreds... for ints too).

    Example:
        >>> round([1.25, 2.5], decimals=1).tolist()
        [1.2000000476837158, 2.5]
    """
    x = _t(x)
    dtype = standardize_dtype(x.dtype)
    if "int" in dtype and decimals < 0:
        factor = jnp.asarray(10.0**decimals, floatx())
        return cast(jnp.round(cast(x, floatx()) * factor) / factor, dtype)
    return jnp.round(x, decimals=decimals)


# --- element-wise, two arguments -----------------------------------------------------------

add = _binary(jnp.add, "add")
subtract = _binary(jnp.subtract, "subtract")
multiply = _binary(jnp.multiply, "multiply")
divide = _binary(jnp.divide, "divide")
true_divide = _binary(jnp.divide, "true_divide")
floor_divide = _binary(jnp.floor_divide, "floor_divide")
power = _binary(jnp.power, "power")
mod = _binary(jnp.mod, "mod")
fmod = _binary(jnp.fmod, "fmod")
maximum = _binary(jnp.maximum, "maximum")
minimum = _binary(jnp.minimum, "minimum")
fmax = _binary(jnp.fmax, "fmax")
fmin = _binary(jnp.fmin, "fmin")
equal = _binary(jnp.equal, "equal")
not_equal = _binary(jnp.not_equal, "not_equal")
greater = _binary(jnp.greater, "greater")
greater_equal = _binary(jnp.greater_equal, "greater_equal")
less = _binary(jnp.less, "less")
less_equal = _binary(jnp.less_equal, "less_equal")
logical_and = _binary(jnp.logical_and, "logical_and")
logical_or = _binary(jnp.logical_or, "logical_or")
logical_xor = _binary(jnp.logical_xor, "logical_xor")
heaviside = _binary(jnp.heaviside, "heaviside")
hypot = _binary(jnp.hypot, "hypot")
gcd = _binary(jnp.gcd, "gcd")
lcm = _binary(jnp.lcm, "lcm")
nextafter = _binary(jnp.nextafter, "nextafter")
kron = _binary(jnp.kron, "kron", doc=(
    "Kronecker product (``jax.numpy.kron``).\n\n    Example:\n"
    "        >>> kron([1.0, 2.0], [3.0, 4.0]).shape\n        (4,)\n"))
outer = _binary(jnp.outer, "outer", doc=(
    "Outer product of the flattened inputs (``jax.numpy.outer``).\n\n    Example:\n"
    "        >>> outer([1.0, 2.0], [3.0, 4.0]).shape\n        (2, 2)\n"))
inner = _binary(jnp.inner, "inner", doc=(
    "Inner product over the last axes (``jax.numpy.inner``).\n\n    Example:\n"
    "        >>> inner([1.0, 2.0], [3.0, 4.0]).shape\n        ()\n"))
vdot = _binary(jnp.vdot, "vdot", doc=(
    "Dot product of the flattened inputs (conjugating the first) (``jax.numpy.vdot``).\n\n    Example:\n"
    "        >>> vdot([1.0, 2.0], [3.0, 4.0]).shape\n        ()\n"))
dot = _binary(jnp.dot, "dot", doc=(
    "Dot product (matrix product for 2-D, sum over the last / second-to-last axes) (``jax.numpy.dot``).\n\n    Example:\n"
    "        >>> dot([1.0, 2.0], [3.0, 4.0]).shape\n        ()\n"))
bitwise_and = _binary(jnp.bitwise_and, "bitwise_and", ("x", "y"))
bitwise_or = _binary(jnp.bitwise_or, "bitwise_or", ("x", "y"))
bitwise_xor = _binary(jnp.bitwise_xor, "bitwise_xor", ("x", "y"))
arctan2 = _float_binary(jnp.arctan2, "arctan2")
logaddexp = _float_binary(jnp.logaddexp, "logaddexp")
logaddexp2 = _float_binary(jnp.logaddexp2, "logaddexp2")


def _shift(jfn: Callable, name: str) -> Callable:
    def fn(x: ArrayLike, y: ArrayLike) -> jax.Array:
        return jfn(_t(x), y if isinstance(y, int) else _t(y))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Bitwise ``{name}`` of integers.\n\n    Example:\n"
                  f"        >>> {name}([4], 1).shape\n        (1,)\n")
    return _op(fn)


bitwise_left_shift = _shift(jnp.left_shift, "bitwise_left_shift")
left_shift = _shift(jnp.left_shift, "left_shift")
bitwise_right_shift = _shift(jnp.right_shift, "bitwise_right_shift")
right_shift = _shift(jnp.right_shift, "right_shift")


@_op
def divide_no_nan(x1: ArrayLike, x2: ArrayLike) -> jax.Array:
    """``x1 / x2``, with 0 wherever ``x2`` is 0 (no NaN, no inf, finite gradients).

    Example:
        >>> divide_no_nan([1.0, 2.0], [0.0, 4.0]).tolist()
        [0.0, 0.5]
    """
    x1, x2 = _t(x1), _t(x2)
    zero = x2 == 0
    return jnp.where(zero, 0, jnp.divide(x1, jnp.where(zero, 1, x2)))


@_op
def ldexp(x1: ArrayLike, x2: ArrayLike) -> jax.Array:
    """``x1 * 2**x2`` for an integer exponent ``x2``.

    Example:
        >>> ldexp([1.0], [3]).tolist()
        [8.0]
    """
    x1, x2 = _t(x1), _t(x2)
    if "int" not in standardize_dtype(x2.dtype):
        raise TypeError(f"ldexp: the exponent x2 must be of an integer dtype; received {x2.dtype}.")
    return jnp.ldexp(x1, x2)


@_op
def clip(x: ArrayLike, x_min: ArrayLike, x_max: ArrayLike) -> jax.Array:
    """Limits values to ``[x_min, x_max]``; bool inputs are clipped as int32.

    Example:
        >>> clip([-2.0, 0.5, 3.0], 0, 1).tolist()
        [0.0, 0.5, 1.0]
    """
    x = _t(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.clip(x, x_min, x_max)


@_op
def isclose(x1: ArrayLike, x2: ArrayLike, rtol: float = 1e-5, atol: float = 1e-8,
            equal_nan: bool = False) -> jax.Array:  # fmt: skip
    """Element-wise ``|x1 - x2| <= atol + rtol * |x2|``.

    Example:
        >>> isclose([1.0], [1.0 + 1e-7]).tolist()
        [True]
    """
    return jnp.isclose(_t(x1), _t(x2), rtol, atol, equal_nan)


@_op
def allclose(x1: ArrayLike, x2: ArrayLike, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> jax.Array:  # fmt: skip
    """Whether all elements are close (:func:`isclose`).

    Example:
        >>> bool(allclose([1.0], [1.0]))
        True
    """
    return jnp.allclose(_t(x1), _t(x2), rtol, atol, equal_nan)


@_op
def where(condition: ArrayLike, x1: ArrayLike | None = None,
          x2: ArrayLike | None = None) -> Any:  # fmt: skip
    """``x1`` where ``condition``, else ``x2``; with only a condition, its nonzero indices.

    Example:
        >>> where([True, False], 1.0, 0.0).tolist()
        [1.0, 0.0]
    """
    if (x1 is None) != (x2 is None):
        raise ValueError("where: give both x1 and x2, or neither (then the indices of the "
                         f"nonzero elements are returned); received x1={x1!r}, x2={x2!r}.")
    if x1 is None:
        return jnp.nonzero(_t(condition))
    return jnp.where(_t(condition), x1 if isinstance(x1, (int, float)) else _t(x1),
                     x2 if isinstance(x2, (int, float)) else _t(x2))


@_op
def select(condlist: list, choicelist: list, default: ArrayLike = 0) -> jax.Array:
    """The element of the first choice whose condition holds, else ``default``.

    Example:
        >>> select([jnp.array([True, False])], [jnp.array([1, 2])], 0).tolist()
        [1, 0]
    """
    return jnp.select([_t(c) for c in condlist], [_t(c) for c in choicelist], default=default)


# --- creation -------------------------------------------------------------------------------


def _dtype_or_floatx(dtype: Any) -> str:
    return standardize_dtype(dtype) if dtype is not None else floatx()


@_op
def ones(shape: Any, dtype: Any = None) -> jax.Array:
    """An array of ones (``floatx()`` by default).

    Example:
        >>> ones((2, 1)).tolist()
        [[1.0], [1.0]]
    """
    return jnp.ones(shape, dtype=_dtype_or_floatx(dtype))


@_op
def zeros(shape: Any, dtype: Any = None) -> jax.Array:
    """An array of zeros (``floatx()`` by default).

    Example:
        >>> zeros(2).tolist()
        [0.0, 0.0]
    """
    return jnp.zeros(shape, dtype=_dtype_or_floatx(dtype))


@_op
def empty(shape: Any, dtype: Any = None) -> jax.Array:
    """An array of the shape (zeros on JAX; ``floatx()`` by default).

    Example:
        >>> empty((2,)).shape
        (2,)
    """
    return jnp.empty(shape, dtype=_dtype_or_floatx(dtype))


@_op
def full(shape: Any, fill_value: ArrayLike, dtype: Any = None) -> jax.Array:
    """An array filled with ``fill_value`` (``floatx()`` by default).

    Example:
        >>> full((2,), 3).tolist()
        [3.0, 3.0]
    """
    return jnp.full(shape, fill_value, dtype=_dtype_or_floatx(dtype))


@_op
def ones_like(x: ArrayLike, dtype: Any = None) -> jax.Array:
    """Ones with the shape (and, by default, the dtype) of ``x``.

    Example:
        >>> ones_like([1, 2]).tolist()
        [1, 1]
    """
    return jnp.ones_like(_t(x), dtype=_std(dtype))


@_op
def zeros_like(x: ArrayLike, dtype: Any = None) -> jax.Array:
    """Zeros with the shape (and, by default, the dtype) of ``x``.

    Example:
        >>> zeros_like([1.5]).tolist()
        [0.0]
    """
    return jnp.zeros_like(_t(x), dtype=_std(dtype))


@_op
def empty_like(x: ArrayLike, dtype: Any = None) -> jax.Array:
    """An array with the shape (and, by default, the dtype) of ``x``.

    Example:
        >>> empty_like([1, 2]).shape
        (2,)
    """
    return jnp.empty_like(_t(x), dtype=_std(dtype))


@_op
def full_like(x: ArrayLike, fill_value: ArrayLike, dtype: Any = None) -> jax.Array:
    """``fill_value`` with the shape (and, by default, the dtype) of ``x``.

    Example:
        >>> full_like([1, 2], 7).tolist()
        [7, 7]
    """
    return jnp.full_like(_t(x), fill_value, dtype=_std(dtype))


@_op
def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> jax.Array:  # noqa: N803
    """A 2-D array with ones on the ``k``-th diagonal (``floatx()`` by default).

    Example:
        >>> eye(2).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    return jnp.eye(N, M=M, k=k, dtype=_dtype_or_floatx(dtype))


@_op
def identity(n: int, dtype: Any = None) -> jax.Array:
    """The ``n x n`` identity matrix (``floatx()`` by default).

    Example:
        >>> identity(2).shape
        (2, 2)
    """
    return jnp.identity(n, dtype=_dtype_or_floatx(dtype))


@_op
def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> jax.Array:  # noqa: N803
    """Ones at and below the ``k``-th diagonal (``floatx()`` by default).

    Example:
        >>> tri(2).tolist()
        [[1.0, 0.0], [1.0, 1.0]]
    """
    return jnp.tri(N, M=M, k=k, dtype=_dtype_or_floatx(dtype))


def _py_dtype(x: Any) -> Any:
    if hasattr(x, "dtype"):
        return x.dtype
    return type(x)


@_op
def arange(start: ArrayLike, stop: ArrayLike | None = None, step: ArrayLike | None = None,
           dtype: Any = None) -> jax.Array:  # fmt: skip
    """Evenly spaced values in ``[start, stop)``; int32 for int bounds, float32 for floats.

    Example:
        >>> arange(3).tolist(), arange(0, 1, 0.5).dtype
        ([0, 1, 2], dtype('float32'))
    """
    if dtype is None:
        dtype = result_type(*(_py_dtype(v) for v in (start, stop, step) if v is not None))
    return jnp.arange(start, stop, step=step, dtype=standardize_dtype(dtype))


@_op
def array(x: ArrayLike, dtype: Any = None) -> jax.Array:
    """A tensor from ``x`` (Python lists of ints become int32, of floats float32).

    Example:
        >>> array([1, 2]).dtype
        dtype('int32')
    """
    return jnp.array(x, dtype=_std(dtype))


@_op
def linspace(start: ArrayLike, stop: ArrayLike, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0) -> Any:  # fmt: skip
    """``num`` evenly spaced values from ``start`` to ``stop``.

    Example:
        >>> linspace(0, 1, 3).tolist()
        [0.0, 0.5, 1.0]
    """
    return jnp.linspace(start, stop, num=num, endpoint=endpoint, retstep=retstep,
                        dtype=_std(dtype), axis=axis)  # fmt: skip


@_op
def logspace(start: ArrayLike, stop: ArrayLike, num: int = 50, endpoint: bool = True,
             base: float = 10, dtype: Any = None, axis: int = 0) -> jax.Array:  # fmt: skip
    """``base ** linspace(start, stop, num)``.

    Example:
        >>> logspace(0, 2, 3).tolist()
        [1.0, 10.0, 100.0]
    """
    return jnp.logspace(start, stop, num=num, endpoint=endpoint, base=base, dtype=_std(dtype),
                        axis=axis)  # fmt: skip


@_op
def geomspace(start: ArrayLike, stop: ArrayLike, num: int = 50, endpoint: bool = True,
              dtype: Any = None, axis: int = 0) -> jax.Array:  # fmt: skip
    """``num`` values spaced evenly on a log scale from ``start`` to ``stop``.

    Example:
        >>> geomspace(1, 100, 3).shape
        (3,)
    """
    return jnp.geomspace(start, stop, num=num, endpoint=endpoint, dtype=_std(dtype), axis=axis)


def _window(jfn: Callable, name: str) -> Callable:
    def fn(x: int) -> jax.Array:
        return cast(jfn(_t(x)), floatx())

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"The {name.capitalize()} window of ``x`` points (``floatx()``).\n\n"
                  f"    Example:\n        >>> {name}(4).shape\n        (4,)\n")
    return _op(fn)


bartlett = _window(jnp.bartlett, "bartlett")
blackman = _window(jnp.blackman, "blackman")
hamming = _window(jnp.hamming, "hamming")
hanning = _window(jnp.hanning, "hanning")


@_op
def kaiser(x: int, beta: float) -> jax.Array:
    """The Kaiser window of ``x`` points with shape parameter ``beta`` (``floatx()``).

    Example:
        >>> kaiser(4, 5.0).shape
        (4,)
    """
    return cast(jnp.kaiser(_t(x), beta), floatx())


@_op
def meshgrid(*x: ArrayLike, indexing: str = "xy") -> list[jax.Array]:
    """Coordinate matrices from coordinate vectors (``indexing`` ``'xy'`` or ``'ij'``).

    Example:
        >>> [g.shape for g in meshgrid([1, 2, 3], [4, 5])]
        [(2, 3), (2, 3)]
    """
    return jnp.meshgrid(*(_t(v) for v in x), indexing=indexing)


@_op
def vander(x: ArrayLike, N: int | None = None, increasing: bool = False) -> jax.Array:  # noqa: N803
    """The Vandermonde matrix of ``x`` (columns are powers of ``x``).

    Example:
        >>> vander([1, 2], 2).tolist()
        [[1, 1], [2, 1]]
    """
    return jnp.vander(_t(x), N=N, increasing=increasing)


# --- reductions -----------------------------------------------------------------------------


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _reduction(jfn: Callable, name: str) -> Callable:
    def fn(x: ArrayLike, axis: Any = None, keepdims: bool = False) -> jax.Array:
        return jfn(_t(x), axis=_axis(axis), keepdims=keepdims)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``{name}`` over ``axis`` (all axes by default).\n\n    Example:\n"
                  f"        >>> {name}(jnp.ones((2, 3)), axis=1).shape\n        (2,)\n")
    return _op(fn)


sum = _reduction(jnp.sum, "sum")  # noqa: A001 - Keras's name
all = _reduction(jnp.all, "all")  # noqa: A001
any = _reduction(jnp.any, "any")  # noqa: A001
amax = _reduction(jnp.amax, "amax")
amin = _reduction(jnp.amin, "amin")
ptp = _reduction(jnp.ptp, "ptp")
nanmax = _reduction(jnp.nanmax, "nanmax")
nanmin = _reduction(jnp.nanmin, "nanmin")
nansum = _reduction(jnp.nansum, "nansum")
nanprod = _reduction(jnp.nanprod, "nanprod")
nanmean = _reduction(jnp.nanmean, "nanmean")
nanstd = _reduction(jnp.nanstd, "nanstd")
nanvar = _reduction(jnp.nanvar, "nanvar")
nanmedian = _reduction(jnp.nanmedian, "nanmedian")
nanargmax = _reduction(jnp.nanargmax, "nanargmax")
nanargmin = _reduction(jnp.nanargmin, "nanargmin")


@_op
def max(x: ArrayLike, axis: Any = None, keepdims: bool = False,  # noqa: A001
        initial: ArrayLike | None = None) -> jax.Array:  # fmt: skip
    """The maximum over ``axis``; ``initial`` is a lower bound (and the result of empty input).

    Example:
        >>> max([1, 3, 2]).tolist()
        3
    """
    return jnp.max(_t(x), axis=_axis(axis), keepdims=keepdims, initial=initial)


@_op
def min(x: ArrayLike, axis: Any = None, keepdims: bool = False,  # noqa: A001
        initial: ArrayLike | None = None) -> jax.Array:  # fmt: skip
    """The minimum over ``axis``; ``initial`` is an upper bound.

    Example:
        >>> min([1, 3, 2]).tolist()
        1
    """
    return jnp.min(_t(x), axis=_axis(axis), keepdims=keepdims, initial=initial)


@_op
def prod(x: ArrayLike, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> jax.Array:
    """The product over ``axis``.

    Example:
        >>> prod([1, 2, 3]).tolist()
        6
    """
    return jnp.prod(_t(x), axis=_axis(axis), keepdims=keepdims, dtype=_std(dtype))


@_op
def mean(x: ArrayLike, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """The mean over ``axis``; integer and bool inputs give float32 (computed in float32).

    Example:
        >>> mean([1, 2]).tolist()
        1.5
    """
    x = _t(x)
    dtype = standardize_dtype(x.dtype)
    compute = result_type(dtype, "float32")
    out = jnp.mean(x, axis=_axis(axis), keepdims=keepdims, dtype=compute)
    return cast(out, compute if ("int" in dtype or dtype == "bool") else dtype)


@_op
def var(x: ArrayLike, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """The (population) variance over ``axis``; integer inputs give float32.

    Example:
        >>> var([1.0, 3.0]).tolist()
        1.0
    """
    x = _t(x)
    out = jnp.var(x, axis=_axis(axis), keepdims=keepdims,
                  dtype=result_type(x.dtype, "float32"))  # fmt: skip
    return cast(out, result_type(x.dtype, float))


@_op
def std(x: ArrayLike, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """The (population) standard deviation over ``axis``.

    Example:
        >>> std([1.0, 3.0]).tolist()
        1.0
    """
    return jnp.std(_t(x), axis=_axis(axis), keepdims=keepdims)


@_op
def average(x: ArrayLike, axis: Any = None, weights: ArrayLike | None = None) -> jax.Array:
    """The (weighted) average over ``axis``; float result.

    Example:
        >>> average([1.0, 3.0], weights=[3.0, 1.0]).tolist()
        1.5
    """
    x = _t(x)
    dtypes = [x.dtype, float]
    if weights is not None:
        weights = _t(weights)
        dtypes.append(weights.dtype)
    dtype = result_type(*dtypes)
    return jnp.average(cast(x, dtype), axis=_axis(axis),
                       weights=None if weights is None else cast(weights, dtype))  # fmt: skip


@_op
def median(x: ArrayLike, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """The median over ``axis``.

    Example:
        >>> median([1.0, 5.0, 2.0]).tolist()
        2.0
    """
    x = _t(x)
    out = jnp.median(x, axis=_axis(axis), keepdims=keepdims)
    if keepdims and axis is None:
        out = jnp.reshape(out, (1,) * x.ndim)
    return out


def _quantile_fn(jfn: Callable, name: str, keep_fix: bool) -> Callable:
    def fn(x: ArrayLike, q: ArrayLike, axis: Any = None, method: str = "linear",
           keepdims: bool = False) -> jax.Array:  # fmt: skip
        x, q = _t(x), _t(q)
        out = jfn(x, q, axis=_axis(axis), method=method, keepdims=keepdims)
        if keep_fix and keepdims and axis is None:
            out = jnp.reshape(out, q.shape + (1,) * x.ndim)
        return out

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"The ``q``-th {name} of ``x`` over ``axis``.\n\n    Example:\n"
                  f"        >>> {name}(jnp.arange(5.0), 0.5).shape\n        ()\n")
    return _op(fn)


quantile = _quantile_fn(jnp.quantile, "quantile", True)
percentile = _quantile_fn(jnp.percentile, "percentile", False)
nanquantile = _quantile_fn(jnp.nanquantile, "nanquantile", False)
nanpercentile = _quantile_fn(jnp.nanpercentile, "nanpercentile", False)


@_op
def count_nonzero(x: ArrayLike, axis: Any = None) -> jax.Array:
    """The number of nonzero elements over ``axis`` (int32).

    Example:
        >>> count_nonzero([0, 1, 2]).tolist()
        2
    """
    return cast(jnp.count_nonzero(_t(x), axis=_axis(axis)), "int32")


def _arg_reduction(jfn: Callable, name: str) -> Callable:
    def fn(x: ArrayLike, axis: int | None = None, keepdims: bool = False) -> jax.Array:
        x = _t(x)
        if "float" in standardize_dtype(x.dtype) and x.ndim:
            # -0.0 ranks below +0.0 (as Keras does on CPU, where XLA treats them as equal).
            x = jnp.where((x == 0) & jnp.signbit(x), -jnp.finfo(x.dtype).tiny, x)
        return jfn(x, axis=axis, keepdims=keepdims)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"The index of the {name[3:]}imum over ``axis`` (flattened by default).\n\n"
                  f"    Example:\n        >>> {name}([1, 3, 2]).tolist()\n"
                  f"        {1 if name == 'argmax' else 0}\n")
    return _op(fn)


argmax = _arg_reduction(jnp.argmax, "argmax")
argmin = _arg_reduction(jnp.argmin, "argmin")


def _cumulative(jfn: Callable, name: str) -> Callable:
    def fn(x: ArrayLike, axis: int | None = None, dtype: Any = None) -> jax.Array:
        return jfn(_t(x), axis=axis, dtype=_std(dtype))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Cumulative ``{name}`` along ``axis`` (flattened by default).\n\n"
                  f"    Example:\n        >>> {name}([1, 2, 3]).shape\n        (3,)\n")
    return _op(fn)


cumsum = _cumulative(jnp.cumsum, "cumsum")
cumprod = _cumulative(jnp.cumprod, "cumprod")
nancumsum = _cumulative(jnp.nancumsum, "nancumsum")
nancumprod = _cumulative(jnp.nancumprod, "nancumprod")


@_op
def trace(x: ArrayLike, offset: int = 0, axis1: int = 0, axis2: int = 1) -> jax.Array:
    """The sum along a diagonal.

    Example:
        >>> trace(jnp.eye(3)).tolist()
        3.0
    """
    return jnp.trace(_t(x), offset=offset, axis1=axis1, axis2=axis2)


@_op
def trapezoid(y: ArrayLike, x: ArrayLike | None = None, dx: float = 1.0,
              axis: int = -1) -> jax.Array:  # fmt: skip
    """The integral of ``y`` by the trapezoidal rule.

    Example:
        >>> trapezoid([1.0, 2.0, 3.0]).tolist()
        4.0
    """
    return jnp.trapezoid(_t(y), None if x is None else _t(x), dx=_t(dx), axis=axis)


# --- linear algebra and products ------------------------------------------------------------


def _int8_accumulator(*xs: jax.Array) -> str | None:
    return "int32" if builtins.all(standardize_dtype(x.dtype) == "int8" for x in xs) else None


@_op
def matmul(x1: ArrayLike, x2: ArrayLike) -> jax.Array:
    """Matrix product with NumPy's broadcasting of batch dimensions (int8 x int8 -> int32).

    Example:
        >>> matmul(jnp.ones((2, 3)), jnp.ones((3, 4))).shape
        (2, 4)
    """
    x1, x2 = _t(x1), _t(x2)
    return jnp.matmul(x1, x2, preferred_element_type=_int8_accumulator(x1, x2))


@_op
def einsum(subscripts: str, *operands: ArrayLike, **kwargs: Any) -> jax.Array:
    """Einstein summation (``jax.numpy.einsum``; int8 operands accumulate in int32).

    Example:
        >>> einsum("ij,jk->ik", jnp.ones((2, 3)), jnp.ones((3, 4))).shape
        (2, 4)
    """
    ops = [_t(x) for x in operands]
    kwargs["preferred_element_type"] = _int8_accumulator(*ops)
    return jnp.einsum(subscripts, *ops, **kwargs)


@_op
def tensordot(x1: ArrayLike, x2: ArrayLike, axes: Any = 2) -> jax.Array:
    """Tensor dot product over ``axes``.

    Example:
        >>> tensordot(jnp.ones((2, 3)), jnp.ones((3, 4)), axes=1).shape
        (2, 4)
    """
    return jnp.tensordot(_t(x1), _t(x2), axes=axes)


@_op
def cross(x1: ArrayLike, x2: ArrayLike, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> jax.Array:  # fmt: skip
    """The cross product of 2- or 3-element vectors.

    Example:
        >>> cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]).tolist()
        [0.0, 0.0, 1.0]
    """
    return jnp.cross(_t(x1), _t(x2), axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


@_op
def correlate(x1: ArrayLike, x2: ArrayLike, mode: str = "valid") -> jax.Array:
    """Cross-correlation of two 1-D sequences (``mode`` ``'valid'``, ``'same'``, ``'full'``).

    Example:
        >>> correlate([1.0, 2.0, 3.0], [1.0, 1.0]).tolist()
        [3.0, 5.0]
    """
    return jnp.correlate(_t(x1), _t(x2), mode)


@_op
def corrcoef(x: ArrayLike) -> jax.Array:
    """Pearson correlation coefficients of the rows of ``x``.

    Example:
        >>> corrcoef(jnp.ones((2, 3)) + jnp.arange(3.0)).shape
        (2, 2)
    """
    return jnp.corrcoef(_t(x))


@_op
def slogdet(x: ArrayLike) -> tuple[jax.Array, jax.Array]:
    """``(sign, log|det|)`` of square matrices.

    Example:
        >>> [float(v) for v in slogdet(2 * jnp.eye(2))]
        [1.0, 1.3862943649291992]
    """
    return tuple(jnp.linalg.slogdet(_t(x)))


@_op
def diag(x: ArrayLike, k: int = 0) -> jax.Array:
    """The ``k``-th diagonal of a matrix, or a diagonal matrix from a vector.

    Example:
        >>> diag([1, 2]).tolist()
        [[1, 0], [0, 2]]
    """
    return jnp.diag(_t(x), k=k)


@_op
def diagflat(x: ArrayLike, k: int = 0) -> jax.Array:
    """A matrix with the flattened ``x`` on its ``k``-th diagonal.

    Example:
        >>> diagflat([[1, 2]]).shape
        (2, 2)
    """
    return jnp.diagflat(_t(x), k=k)


@_op
def diagonal(x: ArrayLike, offset: int = 0, axis1: int = 0, axis2: int = 1) -> jax.Array:
    """The diagonal of ``x`` in the plane of ``axis1`` and ``axis2``.

    Example:
        >>> diagonal(jnp.eye(2)).tolist()
        [1.0, 1.0]
    """
    return jnp.diagonal(_t(x), offset=offset, axis1=axis1, axis2=axis2)


@_op
def tril(x: ArrayLike, k: int = 0) -> jax.Array:
    """``x`` with the elements above the ``k``-th diagonal zeroed.

    Example:
        >>> tril(jnp.ones((2, 2))).tolist()
        [[1.0, 0.0], [1.0, 1.0]]
    """
    return jnp.tril(_t(x), k=k)


@_op
def triu(x: ArrayLike, k: int = 0) -> jax.Array:
    """``x`` with the elements below the ``k``-th diagonal zeroed.

    Example:
        >>> triu(jnp.ones((2, 2))).tolist()
        [[1.0, 1.0], [0.0, 1.0]]
    """
    return jnp.triu(_t(x), k=k)


# --- shape manipulation ---------------------------------------------------------------------


@_op
def reshape(x: ArrayLike, newshape: Any) -> jax.Array:
    """``x`` with a new shape (one dimension may be ``-1``).

    Example:
        >>> reshape(jnp.arange(6), (2, -1)).shape
        (2, 3)
    """
    if isinstance(newshape, int):
        newshape = (newshape,)
    newshape = tuple(-1 if d is None else d for d in newshape)
    return jnp.reshape(_t(x), newshape)


@_op
def expand_dims(x: ArrayLike, axis: Any) -> jax.Array:
    """``x`` with new size-1 axes at ``axis`` (an int or a tuple).

    Example:
        >>> expand_dims(jnp.ones(3), 0).shape
        (1, 3)
    """
    return jnp.expand_dims(_t(x), _axis(axis))


@_op
def squeeze(x: ArrayLike, axis: Any = None) -> jax.Array:
    """``x`` without its size-1 axes (or only those in ``axis``).

    Example:
        >>> squeeze(jnp.ones((1, 3, 1))).shape
        (3,)
    """
    return jnp.squeeze(_t(x), axis=_axis(axis))


@_op
def transpose(x: ArrayLike, axes: Any = None) -> jax.Array:
    """``x`` with its axes permuted (reversed by default).

    Example:
        >>> transpose(jnp.ones((2, 3))).shape
        (3, 2)
    """
    return jnp.transpose(_t(x), axes=None if axes is None else tuple(axes))


@_op
def moveaxis(x: ArrayLike, source: Any, destination: Any) -> jax.Array:
    """``x`` with axes moved from ``source`` to ``destination``.

    Example:
        >>> moveaxis(jnp.ones((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    return jnp.moveaxis(_t(x), source=_axis(source), destination=_axis(destination))


@_op
def swapaxes(x: ArrayLike, axis1: int, axis2: int) -> jax.Array:
    """``x`` with two axes interchanged.

    Example:
        >>> swapaxes(jnp.ones((2, 3)), 0, 1).shape
        (3, 2)
    """
    return jnp.swapaxes(_t(x), axis1, axis2)


@_op
def broadcast_to(x: ArrayLike, shape: Any) -> jax.Array:
    """``x`` broadcast to ``shape``.

    Example:
        >>> broadcast_to([1, 2], (3, 2)).shape
        (3, 2)
    """
    return jnp.broadcast_to(_t(x), tuple(shape))


@_op
def flip(x: ArrayLike, axis: Any = None) -> jax.Array:
    """``x`` reversed along ``axis`` (all axes by default).

    Example:
        >>> flip([1, 2, 3]).tolist()
        [3, 2, 1]
    """
    return jnp.flip(_t(x), axis=_axis(axis))


@_op
def rot90(array: ArrayLike, k: int = 1, axes: tuple[int, int] = (0, 1)) -> jax.Array:
    """``array`` rotated by 90 degrees ``k`` times in the plane of ``axes``.

    Example:
        >>> rot90(jnp.ones((2, 3))).shape
        (3, 2)
    """
    array = _t(array)
    if array.ndim < 2:
        raise ValueError(f"rot90: the array must have at least 2 dimensions; received "
                         f"shape {array.shape}.")
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError(f"rot90: axes must be two different dimensions; received {axes}.")
    return jnp.rot90(array, k=k, axes=tuple(axes))


@_op
def roll(x: ArrayLike, shift: Any, axis: Any = None) -> jax.Array:
    """``x`` rolled by ``shift`` along ``axis`` (flattened by default).

    Example:
        >>> roll([1, 2, 3], 1).tolist()
        [3, 1, 2]
    """
    return jnp.roll(_t(x), shift, axis=_axis(axis))


@_op
def tile(x: ArrayLike, repeats: Any) -> jax.Array:
    """``x`` repeated ``repeats`` times along each axis.

    Example:
        >>> tile([1, 2], 2).tolist()
        [1, 2, 1, 2]
    """
    return jnp.tile(_t(x), repeats)


@_op
def repeat(x: ArrayLike, repeats: Any, axis: int | None = None) -> jax.Array:
    """Each element of ``x`` repeated ``repeats`` times (flattened by default).

    Example:
        >>> repeat([1, 2], 2).tolist()
        [1, 1, 2, 2]
    """
    return jnp.repeat(_t(x), repeats, axis=axis)


@_op
def pad(x: ArrayLike, pad_width: Any, mode: str = "constant",
        constant_values: ArrayLike | None = None) -> jax.Array:  # fmt: skip
    """``x`` padded by ``pad_width`` (``mode`` as NumPy's; ``constant_values`` for 'constant').

    Example:
        >>> pad([1, 2], 1).tolist()
        [0, 1, 2, 0]
    """
    kwargs = {}
    if constant_values is not None:
        if mode != "constant":
            raise ValueError("pad: constant_values can only be given with mode='constant'; "
                             f"received mode={mode!r}.")
        kwargs["constant_values"] = constant_values
    return jnp.pad(_t(x), pad_width, mode=mode, **kwargs)


@_op
def concatenate(xs: Any, axis: int | None = 0) -> jax.Array:
    """The arrays of ``xs`` joined along ``axis``.

    Example:
        >>> concatenate([jnp.ones(2), jnp.zeros(1)]).tolist()
        [1.0, 1.0, 0.0]
    """
    return jnp.concatenate([_t(x) for x in xs], axis=axis)


@_op
def append(x1: ArrayLike, x2: ArrayLike, axis: int | None = None) -> jax.Array:
    """``x2`` appended to ``x1`` along ``axis`` (both flattened by default).

    Example:
        >>> append([1, 2], [3]).tolist()
        [1, 2, 3]
    """
    return jnp.append(_t(x1), _t(x2), axis=axis)


@_op
def stack(x: Any, axis: int = 0) -> jax.Array:
    """The arrays of ``x`` stacked along a new ``axis``.

    Example:
        >>> stack([jnp.ones(2), jnp.zeros(2)]).shape
        (2, 2)
    """
    return jnp.stack([_t(v) for v in x], axis=axis)


def _stacker(jfn: Callable, name: str) -> Callable:
    def fn(xs: Any) -> jax.Array:
        return jfn([_t(v) for v in xs])

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"The arrays of ``xs`` joined as ``numpy.{name}``.\n\n    Example:\n"
                  f"        >>> {name}([jnp.ones((2, 2)), jnp.ones((2, 2))]).ndim >= 2\n"
                  "        True\n")
    return _op(fn)


hstack = _stacker(jnp.hstack, "hstack")
vstack = _stacker(jnp.vstack, "vstack")
dstack = _stacker(jnp.dstack, "dstack")


def _splitter(jfn: Callable, name: str) -> Callable:
    def fn(x: ArrayLike, indices_or_sections: Any) -> list[jax.Array]:
        return jfn(_t(x), indices_or_sections)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``x`` split as ``numpy.{name}``.\n\n    Example:\n"
                  f"        >>> len({name}(jnp.ones((2, 2, 2)), 2))\n        2\n")
    return _op(fn)


hsplit = _splitter(jnp.hsplit, "hsplit")
vsplit = _splitter(jnp.vsplit, "vsplit")
dsplit = _splitter(jnp.dsplit, "dsplit")


@_op
def split(x: ArrayLike, indices_or_sections: Any, axis: int = 0) -> list[jax.Array]:
    """``x`` split into equal sections or at indices along ``axis``.

    Example:
        >>> [p.tolist() for p in split([1, 2, 3, 4], 2)]
        [[1, 2], [3, 4]]
    """
    return jnp.split(_t(x), indices_or_sections, axis=axis)


@_op
def array_split(x: ArrayLike, indices_or_sections: Any, axis: int = 0) -> list[jax.Array]:
    """Like :func:`split`, sections may differ in size by one.

    Example:
        >>> [p.tolist() for p in array_split([1, 2, 3], 2)]
        [[1, 2], [3]]
    """
    return jnp.array_split(_t(x), indices_or_sections, axis=axis)


# --- indexing, sorting, searching -----------------------------------------------------------


@_op
def get_item(x: ArrayLike, key: Any) -> jax.Array:
    """``x[key]``.

    Example:
        >>> get_item(jnp.arange(4), 2).tolist()
        2
    """
    return _t(x)[key]


@_op
def take(x: ArrayLike, indices: ArrayLike, axis: int | None = None) -> jax.Array:
    """Elements of ``x`` at ``indices`` along ``axis`` (flattened by default).

    Example:
        >>> take([10, 20, 30], [2, 0]).tolist()
        [30, 10]
    """
    return jnp.take(_t(x), _t(indices), axis=axis)


@_op
def take_along_axis(x: ArrayLike, indices: ArrayLike, axis: int | None = None) -> jax.Array:
    """Elements of ``x`` at matching ``indices`` along ``axis``.

    Example:
        >>> take_along_axis(jnp.array([[1, 2]]), jnp.array([[1, 0]]), axis=1).tolist()
        [[2, 1]]
    """
    return jnp.take_along_axis(_t(x), _t(indices), axis=axis)


@_op
def sort(x: ArrayLike, axis: int = -1) -> jax.Array:
    """``x`` sorted along ``axis``.

    Example:
        >>> sort([3, 1, 2]).tolist()
        [1, 2, 3]
    """
    return jnp.sort(_t(x), axis=axis)


@_op
def argsort(x: ArrayLike, axis: int | None = -1) -> jax.Array:
    """The indices that sort ``x`` along ``axis`` (stable).

    Example:
        >>> argsort([3, 1, 2]).tolist()
        [1, 2, 0]
    """
    x = _t(x)
    return jnp.argsort(x, axis=None if x.ndim == 0 else axis)


@_op
def argpartition(x: ArrayLike, kth: int, axis: int | None = -1) -> jax.Array:
    """Indices that partition ``x`` around its ``kth`` element along ``axis``.

    Example:
        >>> argpartition([3, 1, 2], 1).shape
        (3,)
    """
    x = _t(x)
    if axis is None:
        return jnp.argpartition(jnp.ravel(x), kth, axis=0)
    return jnp.argpartition(x, kth, axis=axis)


@_op
def searchsorted(sorted_sequence: ArrayLike, values: ArrayLike, side: str = "left") -> jax.Array:
    """Indices where ``values`` would be inserted into the 1-D ``sorted_sequence``.

    Example:
        >>> searchsorted([1, 3, 5], [2, 5]).tolist()
        [1, 2]
    """
    seq = _t(sorted_sequence)
    if seq.ndim != 1:
        raise ValueError("searchsorted: sorted_sequence must be 1-D (use vectorized_map for "
                         f"N-D); received shape {seq.shape}.")
    return jnp.searchsorted(seq, _t(values), side=side)


@_op
def digitize(x: ArrayLike, bins: ArrayLike) -> jax.Array:
    """The index of the bin of each value of ``x``.

    Example:
        >>> digitize([0.5, 1.5], [0.0, 1.0, 2.0]).tolist()
        [1, 2]
    """
    return jnp.digitize(_t(x), _t(bins))


@_op
def nonzero(x: ArrayLike) -> tuple[jax.Array, ...]:
    """The indices of the nonzero elements, one array per axis (not under ``jit``).

    Example:
        >>> nonzero([0, 3, 4])[0].tolist()
        [1, 2]
    """
    return jnp.nonzero(_t(x))


@_op
def isin(x1: ArrayLike, x2: ArrayLike, assume_unique: bool = False,
         invert: bool = False) -> jax.Array:  # fmt: skip
    """Whether each element of ``x1`` is in ``x2``.

    Example:
        >>> isin([1, 2, 3], [2]).tolist()
        [False, True, False]
    """
    return jnp.isin(_t(x1), _t(x2), assume_unique=assume_unique, invert=invert)


@_op
def unique(x: ArrayLike, sorted: bool = True, return_index: bool = False,  # noqa: A002
           return_inverse: bool = False, return_counts: bool = False, axis: int | None = None,
           size: int | None = None, fill_value: ArrayLike | None = None) -> Any:  # fmt: skip
    """The unique elements of ``x`` (give ``size`` to use it under ``jit``).

    Example:
        >>> unique([3, 1, 3]).tolist()
        [1, 3]
    """
    return jnp.unique(_t(x), return_index=return_index, return_inverse=return_inverse,
                      return_counts=return_counts, axis=axis, equal_nan=False, size=size,
                      sorted=sorted, fill_value=fill_value)  # fmt: skip


@_op
def unravel_index(indices: ArrayLike, shape: Any) -> tuple[jax.Array, ...]:
    """Flat ``indices`` as a tuple of coordinate arrays for ``shape``.

    Example:
        >>> [int(i) for i in unravel_index(5, (2, 3))]
        [1, 2]
    """
    return jnp.unravel_index(_t(indices), tuple(shape))


@_op
def bincount(x: ArrayLike, weights: ArrayLike | None = None, minlength: int = 0,
             sparse: bool = False) -> jax.Array:  # fmt: skip
    """Counts of each non-negative int (per row for 2-D ``x``), optionally weighted.

    Example:
        >>> bincount([0, 1, 1]).tolist()
        [1, 2]
    """
    if sparse:
        raise ValueError("bincount: sparse=True is not supported by jnn (JAX arrays are dense).")
    x = _t(x)
    w = None if weights is None else _t(weights)
    if x.ndim == 2:
        rows = [jnp.bincount(x[i], weights=None if w is None else w[i], minlength=minlength)
                for i in range(x.shape[0])]  # fmt: skip
        return jnp.stack(rows)
    return jnp.bincount(x, weights=w, minlength=minlength)


@_op
def histogram(x: ArrayLike, bins: int = 10,
              range: tuple[float, float] | None = None) -> tuple[jax.Array, jax.Array]:  # noqa: A002
    """``(counts, bin_edges)`` of the values of 1-D ``x``.

    Example:
        >>> histogram(jnp.arange(4.0), bins=2)[0].tolist()
        [2.0, 2.0]
    """
    x = _t(x)
    if x.ndim != 1:
        raise ValueError(f"histogram: x must be 1-D; received shape {x.shape}.")
    return jnp.histogram(x, bins=bins, range=range)


@_op
def nan_to_num(x: ArrayLike, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> jax.Array:  # fmt: skip
    """``x`` with NaN, +inf and -inf replaced by finite numbers.

    Example:
        >>> nan_to_num(jnp.array([jnp.nan, 1.0])).tolist()
        [0.0, 1.0]
    """
    return jnp.nan_to_num(_t(x), nan=nan, posinf=posinf, neginf=neginf)


# --- introspection and misc -----------------------------------------------------------------


@_op
def ndim(x: ArrayLike) -> int:
    """The number of dimensions of ``x``.

    Example:
        >>> ndim(jnp.ones((2, 3)))
        2
    """
    return jnp.ndim(x)


@_op
def size(x: ArrayLike) -> int:
    """The number of elements of ``x``.

    Example:
        >>> size(jnp.ones((2, 3)))
        6
    """
    return jnp.size(x)


@_op
def view(x: ArrayLike, dtype: Any = None) -> jax.Array:
    """``x``'s bytes reinterpreted as ``dtype``.

    Example:
        >>> view(jnp.ones(1, "int32"), "float32").dtype
        dtype('float32')
    """
    x = _t(x)
    return x.view(_std(dtype)) if dtype is not None else x


@_op
def diff(a: ArrayLike, n: int = 1, axis: int = -1) -> jax.Array:
    """The ``n``-th discrete difference along ``axis``.

    Example:
        >>> diff([1, 4, 9]).tolist()
        [3, 5]
    """
    return jnp.diff(_t(a), n=n, axis=axis)


def vectorize(pyfunc: Callable, *, excluded: Any = None, signature: str | None = None) -> Callable:
    """``pyfunc`` vectorized over its array arguments (``jax.numpy.vectorize``).

    Example:
        >>> vectorize(lambda a, b: a + b)(jnp.ones(2), 1.0).tolist()
        [2.0, 2.0]
    """
    return jnp.vectorize(pyfunc, excluded=set() if excluded is None else excluded,
                         signature=signature)  # fmt: skip


_PUBLIC.append("vectorize")

__all__ = sorted(_PUBLIC)
