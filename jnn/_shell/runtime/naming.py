"""Automatic Keras names (``dense``, ``dense_1``, ``sequential``, ``model``, ``input_1``).

Counters are per prefix and process-wide, as in Keras; ``jnn.backend.clear_session()`` resets
them.
"""

from __future__ import annotations

import threading
from collections import defaultdict

_lock = threading.Lock()
_counters: defaultdict[str, int] = defaultdict(int)

# Keras 2 numbers inputs from 1 (input_1, input_2); every other prefix starts bare.
_ONE_BASED = {"input"}


def unique_name(prefix: str) -> str:
    """Returns ``prefix``, then ``prefix_1``, ``prefix_2``... (``input_1``, ``input_2``...).

    Example:
        >>> reset(); unique_name("dense"), unique_name("dense")
        ('dense', 'dense_1')
    """
    with _lock:
        n = _counters[prefix]
        _counters[prefix] = n + 1
    if prefix in _ONE_BASED:
        return f"{prefix}_{n + 1}"
    return prefix if n == 0 else f"{prefix}_{n}"


def reset() -> None:
    """Forgets every counter (used by ``clear_session``)."""
    with _lock:
        _counters.clear()
