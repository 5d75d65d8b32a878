"""Argument checks shared by layer constructors: each error names the layer and the argument.

Example:
    >>> positive_int("Dense", "units", 3)
    3
"""

from __future__ import annotations

import numbers
from typing import Any


def _fail(owner: str, arg: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"{owner}: argument `{arg}` must be {expected}, received {value!r}.")


def positive_int(owner: str, arg: str, value: Any) -> int:
    """``value`` as an int > 0 (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise _fail(owner, arg, "a positive int", value)
    return int(value)


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
