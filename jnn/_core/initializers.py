"""Weight initializers with Keras 3 names, arguments, defaults and distributions.

An initializer is a small configuration object whose call is pure and Flax compatible::

    init(key, shape, dtype=jnp.float32) -> jax.Array

If the initializer was built with an integer ``seed``, the key is ignored and the values depend
only on the seed (as in Keras, the same seeded initializer always returns the same values).

For code written against Keras, the Keras-style call ``init(shape, dtype=None)`` (first argument
a tuple/list of ints) also works: it draws from ``jax.random.key(seed)``, or from
``jax.random.key(0)`` when no seed was given, so repeated unseeded Keras-style calls return the
same values (pass a key for fresh randomness).

Example:
    >>> import jax
    >>> from jnn import initializers
    >>> init = initializers.get("glorot_uniform")
    >>> init(jax.random.key(0), (3, 4)).shape
    (3, 4)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.layers import _validate

# Keras's correction: the std of a unit normal truncated to [-2, 2].
_TRUNCATED_STD = 0.87962566103423978
_KERAS_MODULE = "keras.initializers"


def _standardize_dtype(dtype: Any) -> jnp.dtype:
    return jnp.dtype(jnp.float32 if dtype is None else dtype)


def _is_shape(value: Any) -> bool:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return True
    return isinstance(value, (tuple, list)) and all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in value
    )


def _to_shape(shape: Any, owner: str) -> tuple[int, ...]:
    if not _is_shape(shape):
        raise ValueError(f"{owner}: argument `shape` must be a tuple of ints, received {shape!r}.")
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def compute_fans(
    shape: Sequence[int],
    input_axes: Sequence[int] | None = None,
    output_axes: Sequence[int] | None = None,
) -> tuple[int, int]:
    """Keras's ``(fan_in, fan_out)`` of a weight shape.

    Rank 2: ``(shape[0], shape[1])``; rank > 2 (conv kernels ``(*spatial, in, out)``): both are
    multiplied by the receptive field ``prod(shape[:-2])``; rank 1: ``(n, n)``; scalars ``(1, 1)``.
    ``input_axes`` / ``output_axes`` (both given) name the axes to multiply instead.

    Example:
        >>> compute_fans((3, 3, 8, 16))
        (72, 144)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (
            int(math.prod(shape[a] for a in input_axes)),
            int(math.prod(shape[a] for a in output_axes)),
        )
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive = math.prod(shape[:-2])
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


def _parse_call(owner: str, args: tuple, kwargs: dict) -> tuple[Any, tuple[int, ...], Any]:
    # Flax style (key, shape, dtype) or Keras style (shape, dtype).
    args = list(args)
    keras_style = (args and _is_shape(args[0])) or (not args and "key" not in kwargs)
    if keras_style:
        shape = args.pop(0) if args else kwargs.pop("shape", None)
        key = jax.random.key(0)
    else:
        key = args.pop(0) if args else kwargs.pop("key")
        shape = args.pop(0) if args else kwargs.pop("shape", None)
    dtype = args.pop(0) if args else kwargs.pop("dtype", None)
    if args or kwargs:
        raise TypeError(
            f"{owner}: unexpected arguments {args or ''}{sorted(kwargs) or ''}; call it as "
            "init(key, shape, dtype) or init(shape, dtype)."
        )
    # Every initializer call passes here: sizes are checked before anything is allocated.
    return key, _validate.weight_shape(owner, _to_shape(shape, owner)), dtype


class Initializer:
    """Base class: subclasses implement ``_sample(key, shape, dtype)`` and ``get_config``.

    Call it Flax style, ``init(key, shape, dtype=jnp.float32)``, or Keras style,
    ``init(shape, dtype=None)`` (see the module docstring for the key used then).

    Example:
        >>> import jax
        >>> Zeros()(jax.random.key(0), (2,))
        Array([0., 0.], dtype=float32)
    """

    seed: int | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> jax.Array:
        key, shape, dtype = _parse_call(type(self).__name__, args, kwargs)
        if self.seed is not None:
            key = jax.random.key(self.seed)
        return self._sample(key, shape, _standardize_dtype(dtype))

    def _sample(self, key: jax.Array, shape: tuple[int, ...], dtype: jnp.dtype) -> jax.Array:
        raise NotImplementedError(f"{type(self).__name__} must implement `_sample`.")

    def get_config(self) -> dict[str, Any]:
        """Returns the constructor arguments (Keras 3 keys)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """Builds an initializer from ``get_config()``'s output."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same configuration."""
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self)))


def _check_float(owner: str, dtype: jnp.dtype) -> None:
    if not jnp.issubdtype(dtype, jnp.floating):
        raise ValueError(f"{owner}: argument `dtype` must be a float dtype, received {dtype}.")


class Zeros(Initializer):
    """All zeros.

    Example:
        >>> Zeros()((2,))
        Array([0., 0.], dtype=float32)
    """

    def _sample(self, key, shape, dtype):
        return jnp.zeros(shape, dtype)


class Ones(Initializer):
    """All ones.

    Example:
        >>> Ones()((2,))
        Array([1., 1.], dtype=float32)
    """

    def _sample(self, key, shape, dtype):
        return jnp.ones(shape, dtype)


class Constant(Initializer):
    """Every entry equal to ``value`` (a scalar, or an array broadcastable to the shape).

    Example:
        >>> Constant(2.0)((2,))
        Array([2., 2.], dtype=float32)
    """

    def __init__(self, value: Any = 0.0):
        self.value = value

    def _sample(self, key, shape, dtype):
        return jnp.broadcast_to(jnp.asarray(self.value, dtype), shape)

    def get_config(self):
        value = self.value
        if isinstance(value, (np.ndarray, jax.Array)):
            value = np.asarray(value).tolist()
        return {"value": value}


class Identity(Initializer):
    """``gain`` times the (possibly rectangular) identity matrix; 2D shapes only.

    Example:
        >>> Identity()((2, 2))
        Array([[1., 0.],
               [0., 1.]], dtype=float32)
    """

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def _sample(self, key, shape, dtype):
        if len(shape) != 2:
            raise ValueError(
                "Identity: the shape must be 2D (a matrix), received "
                f"shape={shape} of rank {len(shape)}."
            )
        return (self.gain * jnp.eye(*shape, dtype=dtype)).astype(dtype)

    def get_config(self):
        return {"gain": self.gain}


IdentityInitializer = Identity


class RandomInitializer(Initializer):
    """Base of the random initializers: validates and stores ``seed`` (an int or None)."""

    def __init__(self, seed: int | None = None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(
                f"{type(self).__name__}: argument `seed` must be an int or None, received {seed!r}."
            )
        self.seed = None if seed is None else int(seed)

    def __call__(self, *args: Any, **kwargs: Any) -> jax.Array:
        key, shape, dtype = _parse_call(type(self).__name__, args, kwargs)
        dtype = _standardize_dtype(dtype)
        _check_float(type(self).__name__, dtype)
        if self.seed is not None:
            key = jax.random.key(self.seed)
        return self._sample(key, shape, dtype)

    def get_config(self):
        return {"seed": self.seed}


def _flat(draw: Callable[..., jax.Array], key, shape, dtype, *args) -> jax.Array:
    # Drawing the flat vector gives the same values as drawing `shape` directly, and compiles
    # once per size rather than once per shape.
    return draw(key, *args, (math.prod(shape),), dtype).reshape(shape)


def _uniform(key, shape, dtype, minval, maxval):
    flat = jax.random.uniform(key, (math.prod(shape),), dtype, minval, maxval)
    return flat.reshape(shape)


def _normal(key, shape, dtype, mean, stddev):
    return (_flat(jax.random.normal, key, shape, dtype) * stddev + mean).astype(dtype)


def _truncated_normal(key, shape, dtype, mean, stddev):
    # Two-standard-deviation truncation, as Keras (and TensorFlow) define it.
    sample = _flat(jax.random.truncated_normal, key, shape, dtype, -2.0, 2.0)
    return (sample * stddev + mean).astype(dtype)


class RandomNormal(RandomInitializer):
    """Normal distribution with ``mean`` and ``stddev``.

    Example:
        >>> import jax
        >>> RandomNormal(stddev=1.0)(jax.random.key(0), (2, 3)).shape
        (2, 3)
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def _sample(self, key, shape, dtype):
        return _normal(key, shape, dtype, self.mean, self.stddev)

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal with ``mean`` and ``stddev``, redrawn beyond two ``stddev`` of the mean.

    Example:
        >>> import jax
        >>> w = TruncatedNormal(stddev=1.0)(jax.random.key(0), (1000,))
        >>> bool(abs(w).max() <= 2.0)
        True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def _sample(self, key, shape, dtype):
        return _truncated_normal(key, shape, dtype, self.mean, self.stddev)

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform distribution on ``[minval, maxval)``.

    Example:
        >>> import jax
        >>> w = RandomUniform(-1.0, 1.0)(jax.random.key(0), (100,))
        >>> bool((w >= -1).all() and (w < 1).all())
        True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    def _sample(self, key, shape, dtype):
        return _uniform(key, shape, dtype, self.minval, self.maxval)

    def get_config(self):
        return {"seed": self.seed, "minval": self.minval, "maxval": self.maxval}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(RandomInitializer):
    """Samples with variance ``scale / n``, ``n`` the fan chosen by ``mode``.

    ``distribution`` is ``'truncated_normal'`` (``'normal'`` is accepted as its alias; the stddev
    is divided by 0.8796... so the truncated sample has the intended variance),
    ``'untruncated_normal'`` or ``'uniform'`` (limit ``sqrt(3 * scale / n)``). Fans follow
    :func:`compute_fans`.

    Example:
        >>> import jax
        >>> VarianceScaling(2.0, "fan_in", "uniform")(jax.random.key(0), (4, 5)).shape
        (4, 5)
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ):
        name = type(self).__name__
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or scale <= 0.0:
            raise ValueError(
                f"{name}: argument `scale` must be a positive float, received {scale!r}."
            )
        if mode not in _MODES:
            raise ValueError(
                f"{name}: argument `mode` must be one of {list(_MODES)}, received {mode!r}."
            )
        dist = distribution.lower() if isinstance(distribution, str) else distribution
        dist = "truncated_normal" if dist == "normal" else dist
        if dist not in _DISTRIBUTIONS:
            raise ValueError(
                f"{name}: argument `distribution` must be one of {list(_DISTRIBUTIONS)}, "
                f"received {distribution!r}."
            )
        self.scale = float(scale)
        self.mode = mode
        self.distribution = dist
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed)

    def _variance(self, shape: tuple[int, ...]) -> float:
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        return self.scale / max(1.0, fan[self.mode])

    def _sample(self, key, shape, dtype):
        variance = self._variance(shape)
        if self.distribution == "truncated_normal":
            return _truncated_normal(key, shape, dtype, 0.0, math.sqrt(variance) / _TRUNCATED_STD)
        if self.distribution == "untruncated_normal":
            return _normal(key, shape, dtype, 0.0, math.sqrt(variance))
        limit = math.sqrt(3.0 * variance)
        return _uniform(key, shape, dtype, -limit, limit)

    def get_config(self):
        return {
            "seed": self.seed,
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _FixedVarianceScaling(VarianceScaling):
    _SCALE = 1.0
    _MODE = "fan_in"
    _DISTRIBUTION = "truncated_normal"

    def __init__(
        self,
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ):
        super().__init__(self._SCALE, self._MODE, self._DISTRIBUTION, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    """Glorot / Xavier uniform: limit ``sqrt(6 / (fan_in + fan_out))`` (Keras's kernel default).

    Example:
        >>> import jax
        >>> GlorotUniform(seed=0)(jax.random.key(1), (2, 2)).shape
        (2, 2)
    """

    _MODE, _DISTRIBUTION = "fan_avg", "uniform"


class GlorotNormal(_FixedVarianceScaling):
    """Glorot / Xavier truncated normal: stddev ``sqrt(2 / (fan_in + fan_out))``.

    Example:
        >>> import jax
        >>> GlorotNormal()(jax.random.key(0), (2, 2)).shape
        (2, 2)
    """

    _MODE = "fan_avg"


class HeUniform(_FixedVarianceScaling):
    """He uniform: limit ``sqrt(6 / fan_in)``.

    Example:
        >>> import jax
        >>> HeUniform()(jax.random.key(0), (2, 2)).shape
        (2, 2)
    """

    _SCALE, _DISTRIBUTION = 2.0, "uniform"


class HeNormal(_FixedVarianceScaling):
    """He truncated normal: stddev ``sqrt(2 / fan_in)``.

    Example:
        >>> import jax
        >>> HeNormal()(jax.random.key(0), (2, 2)).shape
        (2, 2)
    """

    _SCALE = 2.0


class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: limit ``sqrt(3 / fan_in)``.

    Example:
        >>> import jax
        >>> LecunUniform()(jax.random.key(0), (2, 2)).shape
        (2, 2)
    """

    _DISTRIBUTION = "uniform"


class LecunNormal(_FixedVarianceScaling):
    """LeCun truncated normal: stddev ``sqrt(1 / fan_in)``.

    Example:
        >>> import jax
        >>> LecunNormal()(jax.random.key(0), (2, 2)).shape
        (2, 2)
    """


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``, from the QR decomposition of a normal sample.

    Shapes of rank > 2 are flattened to ``(prod(shape[:-1]), shape[-1])``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> q = Orthogonal()(jax.random.key(0), (3, 3))
        >>> bool(jnp.allclose(q.T @ q, jnp.eye(3), atol=1e-5))
        True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        self.gain = gain
        super().__init__(seed)

    def _sample(self, key, shape, dtype):
        if len(shape) < 2:
            raise ValueError(
                "Orthogonal: the shape must be at least 2D, received "
                f"shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        # QR runs in at least float32 (LAPACK has no half-precision kernels), then casts.
        work = jnp.promote_types(dtype, jnp.float32)
        a = _normal(key, (max(rows, cols), min(rows, cols)), work, 0.0, 1.0)
        q, r = jnp.linalg.qr(a)
        q = q * jnp.sign(jnp.diagonal(r))[None, :]
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype)

    def get_config(self):
        return {"seed": self.seed, "gain": self.gain}


OrthogonalInitializer = Orthogonal


def _snake(name: str) -> str:
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return out


_CLASSES: tuple[type[Initializer], ...] = (
    Zeros,
    Ones,
    Constant,
    Identity,
    RandomNormal,
    TruncatedNormal,
    RandomUniform,
    VarianceScaling,
    GlorotUniform,
    GlorotNormal,
    HeUniform,
    HeNormal,
    LecunUniform,
    LecunNormal,
    Orthogonal,
)
_BY_NAME: dict[str, type[Initializer]] = {}
for _cls in _CLASSES:
    _BY_NAME[_cls.__name__] = _cls
    _BY_NAME[_snake(_cls.__name__)] = _cls
_BY_NAME.update(
    {
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "one": Ones,
        "zero": Zeros,
    }
)
del _cls

InitializerLike = Initializer | Callable[..., jax.Array]


def _unknown(identifier: Any) -> ValueError:
    return ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. "
        f"Valid identifiers: {sorted(_BY_NAME)}"
    )


def serialize(initializer: InitializerLike) -> dict[str, Any] | str:
    """Keras 3 serialized form: ``{"module", "class_name", "config", "registered_name"}``.

    A plain function serializes to its ``__name__``.

    Example:
        >>> serialize(Zeros())["class_name"]
        'Zeros'
    """
    if isinstance(initializer, Initializer):
        return {
            "module": _KERAS_MODULE,
            "class_name": type(initializer).__name__,
            "config": initializer.get_config(),
            "registered_name": None,
        }
    name = getattr(initializer, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize initializer {initializer!r}.")
    return name


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> InitializerLike:
    """Builds an initializer from a name or a ``{"class_name": ..., "config": ...}`` dict.

    Example:
        >>> deserialize({"class_name": "Constant", "config": {"value": 3.0}})
        Constant(value=3.0)
    """
    if isinstance(config, str):
        name, kwargs = config, {}
    elif isinstance(config, dict) and isinstance(config.get("class_name"), str):
        name, kwargs = config["class_name"], dict(config.get("config") or {})
    else:
        raise _unknown(config)
    objects = {**_BY_NAME, **(custom_objects or {})}
    if name not in objects:
        raise _unknown(name)
    obj = objects[name]
    if isinstance(obj, type) and issubclass(obj, Initializer):
        return obj.from_config(kwargs)
    if isinstance(obj, type):
        return obj(**kwargs)
    return obj


def _from_array(value: Any) -> Callable[..., jax.Array]:
    array = np.asarray(value)

    def initialize_fn(*args: Any, **kwargs: Any) -> jax.Array:
        _, shape, dtype = _parse_call("initializer", args, kwargs)
        if tuple(shape) != array.shape:
            raise ValueError(
                f"Expected `shape` to be {array.shape} for an array used as initializer, "
                f"received shape={shape}."
            )
        return jnp.asarray(array, _standardize_dtype(dtype))

    return initialize_fn


def get(identifier: Any) -> InitializerLike | None:
    """Resolves an initializer identifier.

    Accepts ``None`` (returned as is), an :class:`Initializer` instance (returned as is), an
    initializer class (instantiated with defaults), any Keras name (``'glorot_uniform'``,
    ``'GlorotUniform'``, ``'zeros'``, ``'he_normal'``...), a serialized dict, an array (used as
    the value, shape checked) or a plain callable ``(key, shape, dtype)`` (returned as is).

    Example:
        >>> get("he_normal")
        HeNormal(seed=None, input_axes=None, output_axes=None)
    """
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, (np.ndarray, np.generic, jax.Array)):
        return _from_array(identifier)
    if callable(identifier):
        return identifier
    raise _unknown(identifier)
