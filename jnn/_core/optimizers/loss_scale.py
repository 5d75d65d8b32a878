"""Dynamic loss scaling for mixed float16 training (Keras's ``LossScaleOptimizer``).

Example:
    >>> import jax.numpy as jnp
    >>> from jnn.optimizers import SGD, LossScaleOptimizer
    >>> opt = LossScaleOptimizer(SGD(0.1), initial_scale=8.0)
    >>> state = opt.tx.init(jnp.zeros(()))
    >>> float(opt.scale_loss(jnp.float32(1.0), state))
    8.0
    >>> updates, state = opt.tx.update(jnp.float32(8.0), state, jnp.zeros(()))
    >>> round(float(updates), 6)
    -0.1
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from jnn._core.optimizers.base import Optimizer, check_number

# ``serialize`` / ``deserialize`` of the optimizer registry, for the inner optimizer's config.
# The registry lists this class, so it installs its functions here when imported (and
# ``jnn._core.optimizers`` always imports it); this module never imports the registry back.
_registry: dict[str, Any] = {}

_COMMON_DEFAULTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


class LossScaleState(NamedTuple):
    """State of :class:`LossScaleOptimizer`: the inner state, the scale and the growth counter."""

    inner: Any
    dynamic_scale: jax.Array
    step_counter: jax.Array


def _all_finite(tree: Any) -> jax.Array:
    leaves = [jnp.all(jnp.isfinite(g)) for g in jax.tree.leaves(tree)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.asarray(True)


class LossScaleOptimizer(Optimizer):
    """Wraps an optimizer with Keras's dynamic loss scaling.

    Multiply the loss by :meth:`scale_loss` before differentiating; the update divides the
    gradients by the scale and applies the inner optimizer when they are all finite. Otherwise
    the step is skipped (zero updates, inner state unchanged) and the scale halves. After
    ``dynamic_growth_steps`` finite steps in a row the scale doubles.

    Args:
        inner_optimizer: the :class:`Optimizer` to wrap (its ``loss_scale_factor`` is ignored).
        initial_scale: starting loss scale (default ``2**15``).
        dynamic_growth_steps: finite steps before the scale doubles (default 2000).
        name: optimizer name.

    Example:
        >>> from jnn.optimizers import Adam
        >>> LossScaleOptimizer(Adam()).get_config()["initial_scale"]
        32768.0
    """

    def __init__(
        self,
        inner_optimizer: Optimizer,
        initial_scale: float = 2.0**15,
        dynamic_growth_steps: int = 2000,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, set "
                "`loss_scale_factor` directly on the `inner_optimizer`."
            )
        for key, default in _COMMON_DEFAULTS.items():
            if key in kwargs and kwargs.pop(key) != default:
                raise ValueError(
                    f"LossScaleOptimizer does not support `{key}`. "
                    f"Instead, set `{key}` on the `inner_optimizer`."
                )
        if kwargs:
            raise TypeError(
                f"LossScaleOptimizer: unrecognized keyword argument(s) {sorted(kwargs)}."
            )
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError(
                "LossScaleOptimizer: argument `inner_optimizer` must be an Optimizer, "
                f"received {inner_optimizer!r}."
            )
        super().__init__(learning_rate=0.0, name=name or "LossScaleOptimizer")
        self.inner_optimizer = inner_optimizer
        self.initial_scale = check_number(
            "LossScaleOptimizer", "initial_scale", initial_scale, low=0.0, low_open=True
        )
        self.dynamic_growth_steps = self._check_int("dynamic_growth_steps", dynamic_growth_steps, 1)

    # Everything about the learning rate and iterations is the inner optimizer's.
    @property
    def learning_rate(self) -> Any:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self.inner_optimizer.learning_rate = value
        self._tx = None

    def get_learning_rate(self, opt_state: Any) -> jax.Array:
        return self.inner_optimizer.get_learning_rate(opt_state)

    def set_learning_rate(self, opt_state: Any, value: Any) -> Any:
        return self.inner_optimizer.set_learning_rate(opt_state, value)

    def get_iterations(self, opt_state: Any) -> jax.Array:
        return self.inner_optimizer.get_iterations(opt_state)

    def ema_params(self, opt_state: Any) -> Any:
        return self.inner_optimizer.ema_params(opt_state)

    def finalize_params(self, params: Any, opt_state: Any) -> Any:
        return self.inner_optimizer.finalize_params(params, opt_state)

    def get_scale(self, opt_state: Any) -> jax.Array:
        """The current loss scale stored in ``opt_state``."""
        return self._own_state(opt_state).dynamic_scale

    def scale_loss(self, loss: Any, opt_state: Any = None) -> Any:
        """``loss * scale`` (the initial scale when no state is given)."""
        if opt_state is None:
            return loss * self.initial_scale
        return loss * self._own_state(opt_state).dynamic_scale

    def _own_state(self, opt_state: Any) -> LossScaleState:
        is_state = lambda x: isinstance(x, LossScaleState)  # noqa: E731
        found = [x for x in jax.tree.leaves(opt_state, is_leaf=is_state) if is_state(x)]
        if not found:
            raise ValueError(f"{self.name}: no LossScaleState found in `opt_state`.")
        return found[0]

    def _build_tx(self, loss_scale_factor: Any = "own") -> optax.GradientTransformation:
        del loss_scale_factor
        inner = self.inner_optimizer._build_tx(loss_scale_factor=None)
        growth_steps = self.dynamic_growth_steps

        def init_fn(params):
            scale = jnp.asarray(self.initial_scale, jnp.float32)
            return LossScaleState(inner.init(params), scale, jnp.zeros([], jnp.int32))

        def update_fn(grads, state, params=None):
            scale = state.dynamic_scale

            def finite(_):
                unscaled = jax.tree.map(lambda g: g / scale, grads)
                updates, inner_state = inner.update(unscaled, state.inner, params)
                grow = state.step_counter == growth_steps - 1
                new_scale = jnp.where(grow, scale * 2.0, scale)
                counter = jnp.where(grow, 0, state.step_counter + 1)
                return updates, LossScaleState(inner_state, new_scale, counter)

            shapes = jax.eval_shape(finite, None)[0]
            zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)

            def skip(_):
                return zeros, LossScaleState(state.inner, scale * 0.5, jnp.zeros([], jnp.int32))

            return jax.lax.cond(_all_finite(grads), finite, skip, None)

        return optax.GradientTransformation(init_fn, update_fn)

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "inner_optimizer": _registry["serialize"](self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Optimizer:
        config = dict(config)
        inner = _registry["deserialize"](config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)
