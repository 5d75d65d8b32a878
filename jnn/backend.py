"""Backend utilities, as ``keras.backend``: ``clear_session``, ``eval``, ``floatx``."""

from __future__ import annotations

import gc
from typing import Any

import jax
import numpy as np

from jnn._shell.runtime import naming


def clear_session() -> None:
    """Resets automatic layer and model names (``dense``, ``sequential``...) and frees memory.

    Example:
        >>> import jnn
        >>> jnn.backend.clear_session()
        >>> jnn.layers.Dense(2).name
        'dense'
    """
    naming.reset()
    gc.collect()


def eval(x: Any) -> np.ndarray:  # noqa: A001 - Keras's name
    """The value of an array (jax array, weight view, list) as numpy (``K.eval``)."""
    if isinstance(x, jax.Array):
        return np.asarray(jax.device_get(x))
    return np.asarray(x)


def get_value(x: Any) -> np.ndarray:
    """Alias of :func:`eval`."""
    return eval(x)


def floatx() -> str:
    """The default float dtype of ``jnn.ops``: ``'float32'``."""
    from jnn._core.ops import _dtypes

    return _dtypes.floatx()


def epsilon() -> float:
    """Keras's fuzz factor ``1e-7``."""
    return 1e-7


def backend() -> str:
    """The name of the array backend: ``'jax'``."""
    return "jax"


__all__ = ["backend", "clear_session", "epsilon", "eval", "floatx", "get_value"]
