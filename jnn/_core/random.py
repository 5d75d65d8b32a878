"""Random draws with Keras 3's ``keras.random`` names, each from an explicit or contextual key.

Every function takes ``seed=``: an int (the same values every time), a :class:`SeedGenerator`
(a new key per call), a JAX key (used as is), or ``None``. Where the key comes from with
``seed=None`` (or a generator) is what makes training masks fresh at every step:

* inside a model's ``call`` (a layer running in ``fit`` / ``evaluate`` / a standalone training
  call), the key comes from the active :func:`key_scope`, which the model opens with the train
  state's per-step key (split per layer and per call site), so a traced, fused ``lax.scan``
  draws different values at every step - never values baked in at trace time;
* elsewhere, from jnn's global key sequence (``jnn.utils.set_random_seed``).

Example:
    >>> x = normal((2, 3), seed=1)
    >>> bool((x == normal((2, 3), seed=1)).all())
    True
    >>> with key_scope(jax.random.key(0)):
    ...     a, b = uniform((2,)), uniform((2,))
    >>> bool((a != b).all())
    True
"""

from __future__ import annotations

import contextlib
import numbers
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import jax
import jax.numpy as jnp

__all__ = [
    "SeedGenerator", "beta", "binomial", "categorical", "draw_key", "dropout", "gamma",
    "key_scope", "normal", "randint", "shuffle", "truncated_normal", "uniform",
]

_local = threading.local()
_MAX_SEED = 2**32


class _Hooks:
    """``next_key() -> key``: the global key sequence, installed by the shell (jnn._shell.runtime.rng)."""

    next_key: Any = None


hooks = _Hooks()
_fallback = {"key": None, "count": 0}


def _global_key() -> jax.Array:
    if hooks.next_key is not None:
        return hooks.next_key()
    if _fallback["key"] is None:
        _fallback["key"] = jax.random.key(int.from_bytes(os.urandom(4), "little"))
    _fallback["count"] += 1
    return jax.random.fold_in(_fallback["key"], _fallback["count"])


class _KeyScope:
    __slots__ = ("key", "count")

    def __init__(self, key: jax.Array | None):
        self.key = key
        self.count = 0

    def next(self) -> jax.Array:
        k = jax.random.fold_in(self.key, self.count)
        self.count += 1
        return k


@contextlib.contextmanager
def key_scope(key: jax.Array | None) -> Iterator[None]:
    """Draws with ``seed=None`` (and :class:`SeedGenerator` draws) inside come from ``key``.

    Each draw folds a call-site counter into ``key``; a ``None`` key opens no scope (the global
    sequence is used). Models open one per layer call with the step's key.

    Example:
        >>> with key_scope(jax.random.key(3)):
        ...     a = normal((2,))
        >>> with key_scope(jax.random.key(3)):
        ...     b = normal((2,))
        >>> bool((a == b).all())
        True
    """
    if key is None:
        yield
        return
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(_KeyScope(key))
    try:
        yield
    finally:
        stack.pop()


def _current_scope() -> _KeyScope | None:
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


def _check_int_seed(seed: Any, name: str = "seed") -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"Argument `{name}` must be an int, a jnn.random.SeedGenerator, a JAX key or None. "
            f"Received: {name}={seed!r} (of type {type(seed).__name__})"
        )
    if not 0 <= seed < _MAX_SEED:
        raise ValueError(f"Argument `{name}` must be an int in [0, 2**32). Received: {seed}")
    return int(seed)


def _key_from_array(seed: Any) -> jax.Array | None:
    if isinstance(seed, jax.Array) or hasattr(seed, "dtype") and hasattr(seed, "shape"):
        if jax.dtypes.issubdtype(seed.dtype, jax.dtypes.prng_key):
            return seed
        seed = jnp.asarray(seed)
        if seed.shape == (2,) and jnp.issubdtype(seed.dtype, jnp.integer):
            return jax.random.wrap_key_data(seed.astype(jnp.uint32))
        if seed.shape == () and jnp.issubdtype(seed.dtype, jnp.integer):
            return jax.random.key(seed)
    return None


def draw_key(seed: Any = None) -> jax.Array:
    """The key a draw with ``seed`` uses (see the module docstring); an int seed gives
    Keras 3's key ``[seed, 0]``.

    Example:
        >>> jax.random.key_data(draw_key(5)).tolist()
        [5, 0]
    """
    if seed is None:
        scope = _current_scope()
        return scope.next() if scope is not None else _global_key()
    if isinstance(seed, SeedGenerator):
        return seed.next()
    key = _key_from_array(seed)
    if key is not None:
        return key
    return _keras_key(_check_int_seed(seed), 0)


def _keras_key(seed: int, count: int) -> jax.Array:
    # Keras 3 (JAX) draws with the raw key [seed, count]: the same key gives the same values.
    return jax.random.wrap_key_data(jnp.array([seed, count], jnp.uint32))


class SeedGenerator:
    """A source of fresh keys from one seed (Keras 3's ``keras.random.SeedGenerator``).

    Outside a model, ``next()`` returns the key ``[seed, n]`` for n = 0, 1, 2, ... (the
    ``state``), as Keras 3 does: the same seed gives the same values as in Keras.
    Inside a model's ``call`` during training, each draw mixes the generator's seed into the
    step's key, so a layer that keeps a generator (``self.seed_generator = SeedGenerator(1337)``)
    gets new values at every step of a fused ``fit``, reproducibly for a given global seed.

    Args:
        seed: an int in ``[0, 2**32)``, or None for a seed drawn from jnn's global sequence.
        name: optional name.

    Example:
        >>> g = SeedGenerator(42)
        >>> a = normal((3,), seed=g)
        >>> b = normal((3,), seed=g)
        >>> bool((a != b).all()), int(g.state[1])
        (True, 2)
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        kwargs.pop("backend", None)
        if kwargs:
            raise TypeError(f"SeedGenerator: unrecognized keyword arguments {sorted(kwargs)}.")
        if seed is None:
            seed = int(jax.random.randint(_global_key(), (), 0, 2**31 - 1))
        self._seed = _check_int_seed(seed)
        self._count = 0
        self.name = name or "seed_generator"

    @property
    def state(self) -> jax.Array:
        """``[seed, number of keys drawn]`` (uint32), as Keras's generator state."""
        return jnp.array([self._seed, self._count], jnp.uint32)

    def next(self, ordered: bool = True) -> jax.Array:
        """A new key (the step's key mixed with this seed inside a training call)."""
        del ordered
        scope = _current_scope()
        if scope is not None:
            return jax.random.fold_in(scope.next(), self._seed)
        key = _keras_key(self._seed, self._count)
        self._count = (self._count + 1) % _MAX_SEED
        return key

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator seed={self._seed} drawn={self._count}>"


def _float_dtype(dtype: Any, fn: str) -> Any:
    dtype = jnp.dtype(dtype or "float32")
    if not jnp.issubdtype(dtype, jnp.floating):
        raise ValueError(f"jnn.random.{fn}: `dtype` must be a float dtype. Received: dtype={dtype}")
    return dtype


def _shape(shape: Any, fn: str) -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        out = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"jnn.random.{fn}: `shape` must be a tuple of ints. Received: shape={shape!r}"
        ) from None
    if any(d < 0 for d in out):
        raise ValueError(f"jnn.random.{fn}: negative dimension in shape={shape!r}.")
    return out


def normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> jax.Array:
    """Samples from a normal distribution.

    Example:
        >>> normal((2, 2), stddev=2.0, seed=0).shape
        (2, 2)
    """
    dtype = _float_dtype(dtype, "normal")
    x = jax.random.normal(draw_key(seed), _shape(shape, "normal"), dtype)
    return (x * jnp.asarray(stddev, dtype) + jnp.asarray(mean, dtype)).astype(dtype)


def uniform(shape: Sequence[int], minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> jax.Array:
    """Samples uniformly in ``[minval, maxval)``.

    Example:
        >>> bool((uniform((4,), 2.0, 3.0, seed=0) >= 2.0).all())
        True
    """
    dtype = _float_dtype(dtype, "uniform")
    return jax.random.uniform(draw_key(seed), _shape(shape, "uniform"), dtype, minval, maxval)


def randint(shape: Sequence[int], minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> jax.Array:
    """Samples integers uniformly in ``[minval, maxval)``.

    Example:
        >>> randint((3,), 0, 2, seed=0).dtype
        dtype('int32')
    """
    dtype = jnp.dtype(dtype)
    if not jnp.issubdtype(dtype, jnp.integer):
        raise ValueError(f"jnn.random.randint: `dtype` must be an integer dtype. Received: {dtype}")
    return jax.random.randint(draw_key(seed), _shape(shape, "randint"), minval, maxval, dtype)


def truncated_normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0,
                     dtype: Any = None, seed: Any = None) -> jax.Array:
    """A normal distribution with draws beyond two standard deviations redrawn.

    Example:
        >>> bool((abs(truncated_normal((100,), seed=0)) <= 2.0).all())
        True
    """
    dtype = _float_dtype(dtype, "truncated_normal")
    x = jax.random.truncated_normal(draw_key(seed), -2.0, 2.0, _shape(shape, "truncated_normal"),
                                    dtype)
    return (x * jnp.asarray(stddev, dtype) + jnp.asarray(mean, dtype)).astype(dtype)


def dropout(inputs: Any, rate: float, noise_shape: Sequence[int | None] | None = None,
            seed: Any = None) -> jax.Array:
    """Zeroes a fraction ``rate`` of ``inputs`` and scales the rest by ``1 / (1 - rate)``.

    ``noise_shape`` (``None`` entries take the input's size) shares one mask along its size-1
    dimensions, as in Keras.

    Example:
        >>> y = dropout(jnp.ones((2, 4)), 0.5, seed=0)
        >>> sorted(set(y.ravel().tolist())) in ([0.0, 2.0], [2.0], [0.0])
        True
    """
    inputs = jnp.asarray(inputs)
    if not 0.0 <= float(rate) < 1.0:
        raise ValueError(f"jnn.random.dropout: `rate` must be in [0, 1). Received: rate={rate}")
    if noise_shape is None:
        noise_shape = inputs.shape
    else:
        if len(noise_shape) != inputs.ndim:
            raise ValueError(
                f"jnn.random.dropout: `noise_shape` {tuple(noise_shape)} must have the rank of "
                f"the inputs {inputs.shape}."
            )
        noise_shape = tuple(d if n is None else int(n) for n, d in zip(noise_shape, inputs.shape))
    keep = 1.0 - float(rate)
    mask = jax.random.bernoulli(draw_key(seed), keep, noise_shape)
    mask = jnp.broadcast_to(mask, inputs.shape)
    return jnp.where(mask, inputs / jnp.asarray(keep, inputs.dtype), jnp.zeros_like(inputs))


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> jax.Array:
    """Shuffles ``x`` along ``axis``, each vector along it independently (as Keras 3 on JAX).

    Example:
        >>> sorted(shuffle(jnp.arange(5), seed=0).tolist())
        [0, 1, 2, 3, 4]
    """
    return jax.random.permutation(draw_key(seed), jnp.asarray(x), axis=axis, independent=True)


def categorical(logits: Any, num_samples: int, dtype: Any = "int32",
                seed: Any = None) -> jax.Array:
    """Draws ``num_samples`` class indices per row of ``logits`` (shape ``(batch, classes)``).

    Example:
        >>> categorical(jnp.zeros((2, 3)), 4, seed=0).shape
        (2, 4)
    """
    logits = jnp.asarray(logits)
    if logits.ndim != 2:
        raise ValueError(
            "jnn.random.categorical: `logits` should be a 2-D tensor with shape "
            f"(batch_size, num_classes). Received: logits.shape={logits.shape}"
        )
    out = jax.random.categorical(draw_key(seed), logits[..., None], axis=1,
                                 shape=(logits.shape[0], int(num_samples)))
    return out.astype(dtype)


def gamma(shape: Sequence[int], alpha: float, dtype: Any = None, seed: Any = None) -> jax.Array:
    """Samples from a gamma distribution of concentration ``alpha``.

    Example:
        >>> bool((gamma((5,), 2.0, seed=0) > 0).all())
        True
    """
    dtype = _float_dtype(dtype, "gamma")
    return jax.random.gamma(draw_key(seed), alpha, _shape(shape, "gamma"), dtype)


def binomial(shape: Sequence[int], counts: Any, probabilities: Any, dtype: Any = None,
             seed: Any = None) -> jax.Array:
    """Samples the number of successes of ``counts`` trials with success ``probabilities``.

    Example:
        >>> bool((binomial((5,), 3, 0.5, seed=0) <= 3).all())
        True
    """
    dtype = _float_dtype(dtype, "binomial")
    return jax.random.binomial(draw_key(seed), jnp.array(counts), jnp.array(probabilities),
                               _shape(shape, "binomial"), dtype)


def beta(shape: Sequence[int], alpha: Any, beta: Any, dtype: Any = None,
         seed: Any = None) -> jax.Array:
    """Samples from a beta distribution with parameters ``alpha`` and ``beta``.

    Example:
        >>> x = beta((5,), 2.0, 3.0, seed=0)
        >>> bool(((x > 0) & (x < 1)).all())
        True
    """
    dtype = _float_dtype(dtype, "beta")
    return jax.random.beta(draw_key(seed), jnp.array(alpha), jnp.array(beta),
                           _shape(shape, "beta"), dtype)
