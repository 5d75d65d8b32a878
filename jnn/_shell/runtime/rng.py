"""The shell's global randomness: one seed, and a counter that derives a fresh key per call.

Standalone layer calls and model initialisation without an explicit key draw their keys
here. ``next_key()`` returns ``fold_in(key(seed), counter)`` and increments the counter,
so after ``set_seed(s)`` the sequence of keys is reproducible. Without ``set_seed`` the
seed comes from OS entropy, once, at the first draw.
"""

from __future__ import annotations

import numbers
import os
import threading

import jax

from jnn._core import random as _core_random

__all__ = ["get_seed", "make_key", "next_key", "set_seed"]

_MAX_SEED = 2**32  # jax.random.key silently wraps larger seeds when x64 is off.

_lock = threading.Lock()
_seed: int | None = None  # the explicit seed, None until set_seed is called
_base_key: jax.Array | None = None
_counter = 0


def _check_seed(seed: object, name: str = "seed") -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"Expected `{name}` argument to be an integer. "
            f"Received: {name}={seed!r} (of type {type(seed)})"
        )
    if not 0 <= seed < _MAX_SEED:
        raise ValueError(f"Argument `{name}` must be an int in [0, 2**32), received {name}={seed}.")
    return int(seed)


def set_seed(seed: int) -> None:
    """Sets jnn's global seed and restarts the key sequence.

    Args:
        seed: An int in ``[0, 2**32)``.

    Example:
        >>> set_seed(42)
        >>> a = next_key()
        >>> set_seed(42)
        >>> bool((jax.random.key_data(a) == jax.random.key_data(next_key())).all())
        True
    """
    global _seed, _base_key, _counter
    seed = _check_seed(seed)
    with _lock:
        _seed, _base_key, _counter = seed, None, 0


def get_seed() -> int | None:
    """Returns the seed given to ``set_seed``, or ``None`` when none was set.

    Example:
        >>> set_seed(7)
        >>> get_seed()
        7
    """
    return _seed


def next_key() -> jax.Array:
    """Returns a new key on each call, derived from the global seed and a counter.

    Example:
        >>> set_seed(0)
        >>> k1, k2 = next_key(), next_key()
        >>> bool((jax.random.key_data(k1) != jax.random.key_data(k2)).any())
        True
    """
    global _base_key, _counter
    with _lock:
        if _base_key is None:
            seed = _seed if _seed is not None else int.from_bytes(os.urandom(4), "little")
            _base_key = jax.random.key(seed)
        base_key, counter = _base_key, _counter
        _counter = (_counter + 1) % _MAX_SEED  # fold_in takes a uint32
    return jax.random.fold_in(base_key, counter)


def make_key(seed: int | jax.Array | None) -> jax.Array:
    """Returns a fixed key for an explicit ``seed``, else the next global key.

    Args:
        seed: An int in ``[0, 2**32)`` (always the same key), ``None`` (the next key of
            the global sequence, see ``next_key``), or a JAX key: a typed key is returned
            as is, a raw ``uint32[2]`` key (``jax.random.PRNGKey``) is wrapped.

    Example:
        >>> k = make_key(3)
        >>> bool((jax.random.key_data(k) == jax.random.key_data(jax.random.key(3))).all())
        True
    """
    if seed is None:
        return next_key()
    if isinstance(seed, jax.Array):
        if jax.dtypes.issubdtype(seed.dtype, jax.dtypes.prng_key):
            return seed
        if seed.dtype == "uint32" and seed.shape == (2,):
            return jax.random.wrap_key_data(seed)
    return jax.random.key(_check_seed(seed))


# jnn.random's unseeded draws outside a model use this module's global key sequence.
_core_random.hooks.next_key = next_key
