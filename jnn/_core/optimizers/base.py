"""The optimizer base class: Keras arguments in, one optax ``GradientTransformation`` out.

An :class:`Optimizer` is its Keras configuration plus ``opt.tx``, an optax transformation built
once and cached. ``tx.update(grads, state, params)`` follows Keras 3's ``apply_gradients``
(loss-scale division, gradient accumulation, clipping, weight decay, the optimizer's rule, EMA;
see :mod:`jnn._core.optimizers.pipeline`). The learning rate lives in the state
(:class:`OptimizerState`), so it can be read and changed between jitted steps without
recompiling.

Example:
    >>> import jax.numpy as jnp, optax
    >>> from jnn.optimizers import SGD
    >>> opt = SGD(learning_rate=0.1)
    >>> params = {"w": jnp.ones(2)}
    >>> state = opt.tx.init(params)
    >>> updates, state = opt.tx.update({"w": jnp.ones(2)}, state, params)
    >>> optax.apply_updates(params, updates)["w"].tolist()
    [0.8999999761581421, 0.8999999761581421]
    >>> int(opt.get_iterations(state))
    1
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jnn._core.optimizers import schedules as schedules_lib
from jnn._core.optimizers.pipeline import OptimizerState, keras_transformation

_KERAS_MODULE = "keras.optimizers"
# Keras-2 configuration keys that carry no behaviour; accepted (and dropped) by from_config.
_LEGACY_CONFIG_KEYS = ("is_legacy_optimizer", "jit_compile")


# --- argument checks ----------------------------------------------------------------------------
def check_number(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Returns ``float(value)`` or raises a ValueError naming the argument and the range."""
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = np.isfinite(v)
        ok = ok and (low is None or (v > low if low_open else v >= low))
        ok = ok and (high is None or (v < high if high_open else v <= high))
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        span = f"{lo}{'-inf' if low is None else low}, {'inf' if high is None else high}{hi}"
        raise ValueError(
            f"{owner}: argument `{name}` must be a number in {span}, received {value!r}."
        )
    return v


def _optional_number(owner: str, name: str, value: Any, **kw: Any) -> float | None:
    return None if value is None else check_number(owner, name, value, **kw)


def _check_learning_rate(owner: str, value: Any) -> Any:
    if isinstance(value, schedules_lib.LearningRateSchedule) or callable(value):
        return value
    if isinstance(value, (jax.Array, np.ndarray)) and np.ndim(value) == 0:
        value = float(value)
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if not ok or not np.isfinite(float(value)) or float(value) < 0:
        raise ValueError(
            f"{owner}: argument `learning_rate` must be a non-negative float, a "
            f"LearningRateSchedule or a callable `step -> learning_rate`, received {value!r}."
        )
    return float(value)


def _schedule_fn(learning_rate: Any) -> Callable[[jax.Array], jax.Array] | None:
    """``step -> lr`` for schedules and callables (a Keras zero-argument callable is accepted)."""
    if not callable(learning_rate):
        return None
    if not isinstance(learning_rate, schedules_lib.LearningRateSchedule):
        try:
            if not inspect.signature(learning_rate).parameters:
                return lambda step: learning_rate()
        except (TypeError, ValueError):  # pragma: no cover - builtins without signature
            pass
    return learning_rate


def _find_states(opt_state: Any, cls: type) -> list[Any]:
    leaves = jax.tree.leaves(opt_state, is_leaf=lambda x: isinstance(x, cls))
    return [x for x in leaves if isinstance(x, cls)]


def _replace_states(opt_state: Any, cls: type, fn: Callable[[Any], Any]) -> Any:
    is_state = lambda x: isinstance(x, cls)  # noqa: E731
    return jax.tree.map(lambda x: fn(x) if is_state(x) else x, opt_state, is_leaf=is_state)


class Optimizer:
    """Base class of jnn optimizers (Keras 3 arguments, optax inside).

    Subclasses call ``super().__init__(learning_rate=..., **kwargs)``, store and validate their
    own arguments, list them in ``_config_args`` (config order) and implement ``_rule()``: an
    optax transform whose ``update`` accepts the extra argument ``learning_rate`` and returns
    the final signed update (see :mod:`jnn._core.optimizers.transforms`).

    Args:
        learning_rate: float, :class:`LearningRateSchedule` or callable ``step -> lr``.
        weight_decay: if set, ``var -= var * weight_decay * lr`` before each update.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients jointly to this global L2 norm.
        use_ema: keep an exponential moving average of the params in the state (Keras's rule:
            the first step copies the params). Read it with :meth:`ema_params` or
            :meth:`finalize_params`; swapping it into the model at the end of training is the
            caller's job (Keras does it in ``fit``), the update itself never does it unless
            ``ema_overwrite_frequency`` is set.
        ema_momentum: EMA momentum: ``avg = m * avg + (1 - m) * params``.
        ema_overwrite_frequency: every this many steps, the params are overwritten by their
            EMA inside the update itself (Keras's behaviour).
        loss_scale_factor: gradients are divided by this factor (see :meth:`scale_loss`).
        gradient_accumulation_steps: update every k-th call with the mean of k gradients.
        name: optimizer name (default: the class name, as in Keras 2 configs).
        decay: Keras-2 inverse-time decay, ``lr / (1 + decay * iterations)`` (default 0).
        lr: deprecated alias of ``learning_rate``.

    Example:
        >>> from jnn.optimizers import RMSprop
        >>> RMSprop().get_config()["rho"]
        0.9
    """

    _config_args: tuple[str, ...] = ()

    def __init__(
        self,
        learning_rate: Any,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        owner = type(self).__name__
        if "lr" in kwargs:
            warnings.warn(
                f"{owner}: argument `lr` is deprecated, use `learning_rate` instead.",
                DeprecationWarning,
                stacklevel=3,
            )
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", 0.0)
        if kwargs:
            raise TypeError(f"{owner}: unrecognized keyword argument(s) {sorted(kwargs)}.")
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(
                f"{owner}: argument `name` must be a non-empty string, received {name!r}."
            )
        self.name: str = name if name is not None else owner
        self._learning_rate = _check_learning_rate(owner, learning_rate)
        self.decay = check_number(owner, "decay", 0.0 if decay is None else decay, low=0.0)
        self.weight_decay = _optional_number(owner, "weight_decay", weight_decay, low=0.0)
        self.clipnorm = _optional_number(owner, "clipnorm", clipnorm, low=0.0)
        self.clipvalue = _optional_number(owner, "clipvalue", clipvalue, low=0.0)
        self.global_clipnorm = _optional_number(owner, "global_clipnorm", global_clipnorm, low=0.0)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}."
            )
        self.use_ema = bool(use_ema)
        self.ema_momentum = check_number(owner, "ema_momentum", ema_momentum, low=0.0, high=1.0)
        self.ema_overwrite_frequency = self._check_int(
            "ema_overwrite_frequency", ema_overwrite_frequency, 1
        )
        self.loss_scale_factor = _optional_number(
            owner, "loss_scale_factor", loss_scale_factor, low=0.0, low_open=True
        )
        self.gradient_accumulation_steps = self._check_int(
            "gradient_accumulation_steps", gradient_accumulation_steps or None, 2
        )
        self._weight_decay_exclude: re.Pattern[str] | None = None
        self._tx: optax.GradientTransformation | None = None

    def _check_int(self, name: str, value: Any, minimum: int) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
            raise ValueError(
                f"{type(self).__name__}: argument `{name}` must be an int >= {minimum} or None, "
                f"received {value!r}."
            )
        return int(value)

    # --- learning rate ----------------------------------------------------------------------
    @property
    def learning_rate(self) -> Any:
        """The configured learning rate: a float or a schedule (the live value is in the state,
        see :meth:`get_learning_rate`)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        value = _check_learning_rate(type(self).__name__, value)
        if callable(self._learning_rate) and not callable(value):
            raise TypeError(_SCHEDULE_NOT_SETTABLE)
        self._learning_rate = value
        self._tx = None

    def _current_lr(self, base_lr: jax.Array, iterations: jax.Array) -> jax.Array:
        schedule = _schedule_fn(self._learning_rate)
        lr = base_lr if schedule is None else jnp.asarray(schedule(iterations))
        if self.decay > 0:
            lr = lr / (1.0 + self.decay * iterations.astype(jnp.float32))
        return jnp.asarray(lr, jnp.float32)

    def get_learning_rate(self, opt_state: Any) -> jax.Array:
        """The learning rate the next update will use (schedules evaluated at the current
        iteration, Keras-2 ``decay`` applied).

        Example:
            >>> import jax.numpy as jnp
            >>> from jnn.optimizers import Adam
            >>> opt = Adam(0.01)
            >>> round(float(opt.get_learning_rate(opt.tx.init(jnp.zeros(2)))), 6)
            0.01
        """
        state = self._state(opt_state)
        return self._current_lr(state.learning_rate, state.iterations)

    def set_learning_rate(self, opt_state: Any, value: Any) -> Any:
        """Returns ``opt_state`` with a new learning rate (no recompilation: same shape/dtype).

        Example:
            >>> import jax.numpy as jnp
            >>> from jnn.optimizers import SGD
            >>> opt = SGD()
            >>> state = opt.set_learning_rate(opt.tx.init(jnp.zeros(2)), 0.5)
            >>> float(opt.get_learning_rate(state))
            0.5
        """
        if callable(self._learning_rate):
            raise TypeError(_SCHEDULE_NOT_SETTABLE)
        if isinstance(value, (int, float, np.number)):
            value = _check_learning_rate(type(self).__name__, value)
        value = jnp.asarray(value, jnp.float32)
        self._state(opt_state)  # raises a clear error when no jnn state is found
        return _replace_states(opt_state, OptimizerState, lambda s: s._replace(learning_rate=value))

    def get_iterations(self, opt_state: Any) -> jax.Array:
        """Number of applied updates (Keras's ``optimizer.iterations``: with gradient
        accumulation, calls // gradient_accumulation_steps)."""
        iterations = self._state(opt_state).iterations
        if self.gradient_accumulation_steps:
            return iterations // self.gradient_accumulation_steps
        return iterations

    def ema_params(self, opt_state: Any) -> Any:
        """The moving average of the params kept in the state (``use_ema=True`` only)."""
        if not self.use_ema:
            raise ValueError(
                f"{self.name}: ema_params() needs an optimizer built with use_ema=True."
            )
        return self._state(opt_state).ema

    def finalize_params(self, params: Any, opt_state: Any) -> Any:
        """Keras's ``finalize_variable_values``, pure: the EMA params when ``use_ema`` is set,
        else ``params`` unchanged (``fit`` calls it after the last epoch).

        Example:
            >>> import jax.numpy as jnp
            >>> from jnn.optimizers import SGD
            >>> opt = SGD()
            >>> float(opt.finalize_params(jnp.ones(()), opt.tx.init(jnp.ones(()))))
            1.0
        """
        return self.ema_params(opt_state) if self.use_ema else params

    def scale_loss(self, loss: Any, opt_state: Any = None) -> Any:
        """``loss * loss_scale_factor`` when set (the update divides gradients back)."""
        del opt_state
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def _state(self, opt_state: Any) -> OptimizerState:
        found = _find_states(opt_state, OptimizerState)
        if not found:
            raise ValueError(
                f"{self.name}: no jnn optimizer state found in `opt_state` (expected the "
                f"result of `opt.tx.init(params)`), received {type(opt_state).__name__}."
            )
        return found[0]

    # --- weight decay exclusion ----------------------------------------------------------------
    def exclude_from_weight_decay(
        self, var_list: Any = None, var_names: list[str] | None = None
    ) -> None:
        """Excludes params whose path (``"dense/bias"``) contains any of ``var_names`` (regex)
        from weight decay. ``var_list`` (Keras variables) has no pure equivalent here.

        Example:
            >>> from jnn.optimizers import AdamW
            >>> opt = AdamW()
            >>> opt.exclude_from_weight_decay(var_names=["bias"])
        """
        if var_list is not None:
            raise NotImplementedError(
                f"{self.name}: exclude_from_weight_decay(var_list=...) is not supported on "
                "params pytrees; pass `var_names` (patterns matched against param paths)."
            )
        self._weight_decay_exclude = re.compile("|".join(var_names)) if var_names else None
        self._tx = None

    # --- the transformation ------------------------------------------------------------------
    def _rule(self) -> optax.GradientTransformationExtraArgs:
        raise NotImplementedError(f"{type(self).__name__} must implement `_rule()`.")

    def _needs_params(self) -> bool:
        return bool(self.weight_decay) or self.use_ema

    @property
    def tx(self) -> optax.GradientTransformation:
        """The optax transformation (built once and cached)."""
        if self._tx is None:
            self._tx = self._build_tx()
        return self._tx

    def _initial_lr(self) -> jax.Array:
        schedule = _schedule_fn(self._learning_rate)
        if schedule is None:
            return jnp.asarray(self._learning_rate, jnp.float32)
        return jnp.asarray(schedule(jnp.zeros([], jnp.int32)), jnp.float32)

    def _build_tx(self, loss_scale_factor: Any = "own") -> optax.GradientTransformation:
        return keras_transformation(self, loss_scale_factor)

    # --- configuration ---------------------------------------------------------------------
    def _learning_rate_config(self) -> Any:
        if isinstance(self._learning_rate, schedules_lib.LearningRateSchedule):
            return schedules_lib.serialize(self._learning_rate)
        return self._learning_rate

    def get_config(self) -> dict[str, Any]:
        """Keras keys: name, learning_rate, decay, the optimizer's own args, the common args.

        Example:
            >>> from jnn.optimizers import SGD
            >>> list(SGD().get_config())[:5]
            ['name', 'learning_rate', 'decay', 'momentum', 'nesterov']
        """
        config = {
            "name": self.name,
            "learning_rate": self._learning_rate_config(),
            "decay": self.decay,
        }
        config.update({key: getattr(self, key) for key in self._config_args})
        config.update(
            {
                "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue,
                "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Optimizer:
        """Rebuilds an optimizer from :meth:`get_config` (Keras 2 and 3 configs accepted)."""
        config = {k: v for k, v in config.items() if k not in _LEGACY_CONFIG_KEYS}
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_lib.deserialize(
                config["learning_rate"], custom_objects
            )
        return cls(**config)

    # --- Keras 3's stateless API -------------------------------------------------------------
    def build(self, var_list: Any) -> None:
        """Creates the optimizer variables for ``var_list`` (arrays or weights), as Keras 3.

        Example:
            >>> import jax.numpy as jnp
            >>> from jnn.optimizers import SGD
            >>> opt = SGD(0.1)
            >>> opt.build([jnp.ones(2)])
            >>> tv, ov = opt.stateless_apply(opt.variables, [jnp.ones(2)], [jnp.ones(2)])
            >>> [round(float(v), 2) for v in tv[0]]
            [0.9, 0.9]
        """
        params = [jnp.asarray(getattr(v, "value", v)) for v in var_list]
        self.__dict__["_list_state"] = self.tx.init(params)

    @property
    def variables(self) -> list[Any]:
        """The optimizer's state arrays (its optax state's leaves), in a fixed order."""
        fn = self.__dict__.get("_variables_fn")
        if fn is not None:  # bound by a compiled model's fit
            return fn()
        return jax.tree.leaves(self.__dict__.get("_list_state", ()))

    def stateless_apply(self, optimizer_variables: Any, grads: Any,
                        trainable_variables: Any) -> tuple[list[Any], list[Any]]:
        """One update without touching the optimizer: ``(new_trainable, new_optimizer_vars)``.

        Inside a model's ``train_step`` the lists are in the model's Keras order; outside, in
        the order given to :meth:`build`.
        """
        fn = self.__dict__.get("_stateless_apply_fn")
        if fn is not None:  # bound by the fused engine while it traces a train_step
            return fn(optimizer_variables, grads, trainable_variables)
        if "_list_state" not in self.__dict__:
            raise ValueError(
                f"Optimizer '{self.name}' has no variables yet: call "
                "`optimizer.build(trainable_variables)` before `stateless_apply` (or use it "
                "inside a compiled model's train_step)."
            )
        params = [jnp.asarray(getattr(v, "value", v)) for v in trainable_variables]
        treedef = jax.tree.structure(self.__dict__["_list_state"])
        opt_state = jax.tree.unflatten(treedef, list(optimizer_variables))
        updates, opt_state = self.tx.update(list(grads), opt_state, params)
        return optax.apply_updates(params, updates), jax.tree.leaves(opt_state)

    def __getstate__(self) -> dict[str, Any]:
        # The cached transformation is made of closures: drop it, it is rebuilt on demand.
        skip = ("_stateless_apply_fn", "_variables_fn")
        return {**{k: v for k, v in self.__dict__.items() if k not in skip}, "_tx": None}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} learning_rate={self._learning_rate!r}>"


_SCHEDULE_NOT_SETTABLE = (
    "This optimizer was created with a `LearningRateSchedule` (or callable) as its "
    "`learning_rate` argument, hence its learning rate is not settable. If you need the "
    "learning rate to be settable, create the optimizer with a float `learning_rate`."
)
