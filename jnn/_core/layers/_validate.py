"""Argument checks shared by layer constructors: each error names the layer and the argument.

Sizes are checked before anything is allocated: a size argument (``units``, ``filters``,
``input_dim``...) must fit JAX's int32 indexing, and one weight may hold at most
:func:`max_weight_elements` numbers (``weight_shape``, called by every jnn initializer), so
``Dense(10**12)`` or ``Conv2D(10**9, 3)`` fail at once with a message naming the layer instead
of exhausting memory.

Example:
    >>> positive_int("Dense", "units", 3)
    3
"""

from __future__ import annotations

import math
import numbers
import os
import sys
from typing import Any

MAX_DIM = 2**31 - 1
"""Largest size argument: JAX indexes with int32 unless x64 is enabled."""

_MAX_WEIGHT_ENV = "JNN_MAX_WEIGHT_ELEMENTS"
_DEFAULT_MAX_WEIGHT_ELEMENTS = 2**31 - 1  # 8 GiB of float32 in one weight


def _fail(owner: str, arg: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"{owner}: argument `{arg}` must be {expected}, received {value!r}.")


def positive_int(owner: str, arg: str, value: Any) -> int:
    """``value`` as an int in ``[1, MAX_DIM]`` (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise _fail(owner, arg, "a positive int", value)
    if value > MAX_DIM:
        raise _fail(owner, arg, f"a positive int of at most {MAX_DIM:,} (a size JAX can index)",
                    value)
    return int(value)


def max_weight_elements() -> int:
    """The most numbers one weight may hold: ``$JNN_MAX_WEIGHT_ELEMENTS``, default 2**31 - 1."""
    env = os.environ.get(_MAX_WEIGHT_ENV)
    if env:
        try:
            return int(float(env))
        except ValueError:
            raise ValueError(
                f"${_MAX_WEIGHT_ENV} must be a number of elements, received {env!r}."
            ) from None
    return _DEFAULT_MAX_WEIGHT_ELEMENTS


def _calling_layer() -> str | None:
    """The layers whose ``init`` is running, outermost first: ``'lstm' (LSTM) > 'cell' ...``.

    Models are left out (the layer inside them is the one at fault).
    """
    found: list[Any] = []
    frame = sys._getframe(2)
    while frame is not None:
        obj = frame.f_locals.get("self")
        if (
            obj is not None
            and not getattr(obj, "_is_model", False)
            and all(obj is not f for f in found)
            and any(
                c.__name__ == "Layer" and c.__module__ == "jnn._core.layers.base"
                for c in type(obj).__mro__
            )
        ):
            found.append(obj)
        frame = frame.f_back
    if not found:
        return None
    return " > ".join(f"'{getattr(o, 'name', '?')}' ({type(o).__name__})" for o in reversed(found))


def weight_shape(owner: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Refuses a weight shape with a negative or huge dimension or too many elements.

    Called before a weight is created; the error names the layer being initialised (found on
    the call stack) and the initializer ``owner``.

    Example:
        >>> weight_shape("GlorotUniform", (3, 4))
        (3, 4)
        >>> try:
        ...     weight_shape("GlorotUniform", (4, 10**12))
        ... except ValueError as exc:
        ...     print(str(exc)[:72])
        GlorotUniform: a weight of shape (4, 1000000000000) has 4,000,000,000,00
    """
    if any(d < 0 or d > 2**63 - 1 for d in shape):
        where = _calling_layer()
        raise ValueError(
            f"{'Layer ' + where + ', ' if where else ''}{owner}: a weight of shape {shape} has "
            "a dimension outside [0, 2**63 - 1]."
        )
    limit = max_weight_elements()
    size = math.prod(shape)
    if size > limit:
        where = _calling_layer()
        raise ValueError(
            f"{'Layer ' + where + ': ' if where else ''}{owner}: a weight of shape {shape} has "
            f"{size:,} elements, more than one weight may hold ({limit:,}; set "
            f"${_MAX_WEIGHT_ENV} to allow more). Check the layer's size arguments (units, "
            "filters, input_dim...) and its input shape."
        )
    return shape


def real(
    owner: str,
    arg: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    high_open: bool = False,
    allow_none: bool = False,
) -> float | None:
    """``value`` as a float in ``[low, high]`` (or ``[low, high)`` with ``high_open``)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(owner, arg, "a number" + (" or None" if allow_none else ""), value)
    value = float(value)
    too_low = low is not None and value < low
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f"[{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise _fail(owner, arg, f"a float in {interval}", value)
    return value


def optional_seed(owner: str, value: Any) -> int | None:
    """A seed: None or a non-negative int."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise _fail(owner, "seed", "None or a non-negative int", value)
    return int(value)


def data_format(owner: str, value: Any) -> str:
    """``None`` -> ``"channels_last"`` (Keras's default image data format)."""
    if value is None:
        return "channels_last"
    if value not in ("channels_last", "channels_first"):
        raise _fail(owner, "data_format", "'channels_last' or 'channels_first'", value)
    return value


def int_tuple(owner: str, arg: str, value: Any, *, allow_none: bool = False) -> tuple:
    """A tuple of ints (and None entries when ``allow_none``) from a list or tuple."""
    expected = "a tuple of ints" + (" or None" if allow_none else "")
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _fail(owner, arg, expected, value)
    out = []
    for d in value:
        if d is None and allow_none:
            out.append(None)
        elif isinstance(d, bool) or not isinstance(d, numbers.Integral):
            raise _fail(owner, arg, expected, value)
        else:
            out.append(int(d))
    return tuple(out)


def serialize_or_none(module: Any, obj: Any) -> Any:
    """``module.serialize(obj)``, with ``None`` kept as ``None`` (Keras's serialize does)."""
    return None if obj is None else module.serialize(obj)
