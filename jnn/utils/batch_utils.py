"""Keras's batch tuple helpers: ``pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``.

Example:
    >>> unpack_x_y_sample_weight((1, 2))
    (1, 2, None)
    >>> pack_x_y_sample_weight(1, 2)
    (1, 2)
"""

from __future__ import annotations

from typing import Any

__all__ = ["pack_x_y_sample_weight", "unpack_x_y_sample_weight"]


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    A list is read as a tuple; anything else is ``x`` alone.

    Example:
        >>> unpack_x_y_sample_weight([1, 2, 3])
        (1, 2, 3)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found a tuple of {len(data)} elements: {data!r}"
    )


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """The batch tuple Keras's data adapters expect: ``x``, ``(x, y)`` or ``(x, y, sw)``.

    Example:
        >>> pack_x_y_sample_weight((1, 2))
        ((1, 2),)
    """
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)
