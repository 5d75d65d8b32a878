"""Learning-rate schedules with Keras 3 names, arguments and values.

A schedule is a small configuration object whose call ``sched(step) -> lr`` is pure and
jit-safe (``step`` may be a traced integer). It returns a float32 scalar, like Keras, and is
also a valid optax schedule, so it can be given to any optax optimizer.

Example:
    >>> from jnn.optimizers.schedules import ExponentialDecay
    >>> sched = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> round(float(sched(10)), 6)
    0.05
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

_KERAS_MODULE = "keras.optimizers.schedules"


def _as_float(x: Any) -> jax.Array:
    return jnp.asarray(x, dtype=jnp.float32)


def _positive(owner: str, name: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or value <= 0:
        raise ValueError(f"{owner}: argument `{name}` must be > 0, received {value!r}.")
    return value


class LearningRateSchedule:
    """Base class of learning-rate schedules: a pure function of the optimizer step.

    Subclasses implement ``__call__(step)`` and ``get_config()``; ``from_config`` rebuilds them.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __call__(self, step):
        ...         return 0.1 * 0.5 ** jnp.asarray(step, jnp.float32)
        ...     def get_config(self):
        ...         return {}
        >>> round(float(Halving()(2)), 6)
        0.025
    """

    def __call__(self, step: Any) -> jax.Array:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(sorted(self.get_config().items()))))


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored if staircase).

    Example:
        >>> sched = ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)
        >>> float(sched(3))
        0.5
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive(type(self).__name__, "decay_steps", decay_steps)
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step: Any) -> jax.Array:
        p = _as_float(step) / _as_float(self.decay_steps)
        if self.staircase:
            p = jnp.floor(p)
        return _as_float(self.initial_learning_rate) * jnp.power(_as_float(self.decay_rate), p)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]`` (Keras's inclusive rule).

    Example:
        >>> sched = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.25])
        >>> [float(sched(s)) for s in (10, 11, 21)]
        [1.0, 0.5, 0.25]
    """

    def __init__(
        self,
        boundaries: Sequence[Any],
        values: Sequence[Any],
        name: str = "PiecewiseConstant",
    ) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay: the length of `boundaries` should be 1 less than the "
                f"length of `values`. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> jax.Array:
        step = jnp.asarray(step)
        values = jnp.asarray(self.values)
        if jnp.issubdtype(values.dtype, jnp.floating):
            values = values.astype(jnp.float32)
        boundaries = jnp.asarray(self.boundaries).astype(step.dtype)
        index = jnp.sum((step > boundaries).astype(jnp.int32))
        return values[index]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate`` over
    ``decay_steps`` (restarting with longer periods if ``cycle``).

    Example:
        >>> sched = PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.0)
        >>> float(sched(5)), float(sched(20))
        (0.5, 0.0)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive(type(self).__name__, "decay_steps", decay_steps)
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step: Any) -> jax.Array:
        initial = _as_float(self.initial_learning_rate)
        end = _as_float(self.end_learning_rate)
        step = _as_float(step)
        decay_steps = _as_float(self.decay_steps)
        if self.cycle:
            multiplier = jnp.where(step == 0, 1.0, jnp.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = jnp.minimum(step, decay_steps)
        p = step / decay_steps
        return (initial - end) * jnp.power(1 - p, _as_float(self.power)) + end

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (floored if staircase).

    Example:
        >>> sched = InverseTimeDecay(1.0, decay_steps=1, decay_rate=1.0)
        >>> float(sched(1))
        0.5
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive(type(self).__name__, "decay_steps", decay_steps)
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step: Any) -> jax.Array:
        p = _as_float(step) / _as_float(self.decay_steps)
        if self.staircase:
            p = jnp.floor(p)
        return _as_float(self.initial_learning_rate) / (1.0 + _as_float(self.decay_rate) * p)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


def _cosine(fraction: jax.Array) -> jax.Array:
    return 0.5 * (1.0 + jnp.cos(_as_float(math.pi) * fraction))


class CosineDecay(LearningRateSchedule):
    """Cosine decay over ``decay_steps`` down to ``alpha * initial``, after an optional linear
    warmup of ``warmup_steps`` from ``initial_learning_rate`` to ``warmup_target``.

    Example:
        >>> sched = CosineDecay(1.0, decay_steps=10)
        >>> float(sched(0)), round(float(sched(5)), 6), float(sched(10))
        (1.0, 0.5, 0.0)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive(type(self).__name__, "decay_steps", decay_steps)
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step: jax.Array, decay_from: jax.Array) -> jax.Array:
        decayed = (1 - self.alpha) * _cosine(step / _as_float(self.decay_steps)) + self.alpha
        return decay_from * decayed

    def __call__(self, step: Any) -> jax.Array:
        initial = _as_float(self.initial_learning_rate)
        decay_steps = _as_float(self.decay_steps)
        step = _as_float(step)
        if self.warmup_target is None:
            return self._decay(jnp.minimum(step, decay_steps), initial)
        target = _as_float(self.warmup_target)
        warmup_steps = _as_float(self.warmup_steps)
        step = jnp.minimum(step, decay_steps + warmup_steps)
        warm = (target - initial) * (step / warmup_steps) + initial
        return jnp.where(step < warmup_steps, warm, self._decay(step - warmup_steps, target))

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by ``t_mul``, peaks by ``m_mul``.

    Example:
        >>> sched = CosineDecayRestarts(1.0, first_decay_steps=10)
        >>> float(sched(0)), float(sched(10))
        (1.0, 1.0)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = _positive(
            type(self).__name__, "first_decay_steps", first_decay_steps
        )
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def _restart(self, fraction: jax.Array) -> tuple[jax.Array, jax.Array]:
        if self._t_mul == 1.0:
            i_restart = jnp.floor(fraction)
            return i_restart, fraction - i_restart
        t_mul = _as_float(self._t_mul)
        i_restart = jnp.floor(jnp.log(1.0 - fraction * (1.0 - t_mul)) / jnp.log(t_mul))
        sum_r = (1.0 - jnp.power(t_mul, i_restart)) / (1.0 - t_mul)
        return i_restart, (fraction - sum_r) / jnp.power(t_mul, i_restart)

    def __call__(self, step: Any) -> jax.Array:
        fraction = _as_float(step) / _as_float(self.first_decay_steps)
        i_restart, fraction = self._restart(fraction)
        alpha = _as_float(self.alpha)
        cosine_decayed = jnp.power(_as_float(self._m_mul), i_restart) * _cosine(fraction)
        return _as_float(self.initial_learning_rate) * ((1 - alpha) * cosine_decayed + alpha)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


ALL_SCHEDULES = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """Keras's serialized form ``{'module', 'class_name', 'config', 'registered_name'}``.

    Example:
        >>> serialize(ExponentialDecay(0.1, 10, 0.9))["class_name"]
        'ExponentialDecay'
    """
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(
            f"serialize: expected a LearningRateSchedule, received {type(schedule).__name__}."
        )
    return {
        "module": _KERAS_MODULE,
        "class_name": type(schedule).__name__,
        "config": schedule.get_config(),
        "registered_name": None,
    }


def deserialize(
    config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> LearningRateSchedule:
    """Rebuilds a schedule from :func:`serialize`'s output (or ``{'class_name', 'config'}``).

    Example:
        >>> deserialize(serialize(ExponentialDecay(0.1, 10, 0.9))).decay_rate
        0.9
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "deserialize: expected a dict with keys 'class_name' and 'config', "
            f"received {config!r}."
        )
    classes = {**ALL_SCHEDULES, **(custom_objects or {})}
    name = config["class_name"]
    if name not in classes:
        raise ValueError(
            f"Could not interpret learning rate schedule: {name!r}. "
            f"Valid schedules: {sorted(ALL_SCHEDULES)}."
        )
    return classes[name].from_config(dict(config.get("config", {})))
