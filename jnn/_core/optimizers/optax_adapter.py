"""A thin adapter that gives any optax ``GradientTransformation`` the jnn optimizer API.

Any transformation or chain works, as do ``optax.MultiSteps`` (gradient accumulation; the
object or its ``gradient_transformation()``) and the ``optax.contrib`` optimizers whose
``update`` needs no extra argument (``momo`` and ``reduce_on_plateau`` need the loss value
and are refused with a clear error). The learning rate can be read, set (``optimizer.learning_rate
= 0.01``, hence by LearningRateScheduler and ReduceLROnPlateau, without recompiling) and logged
by ``fit`` (as ``learning_rate``) when the transformation was built with
``optax.inject_hyperparams`` and a constant rate (the only place optax keeps it in the state).

Example:
    >>> import jax.numpy as jnp, optax
    >>> from jnn.optimizers import get
    >>> opt = get(optax.inject_hyperparams(optax.adam)(learning_rate=0.01))
    >>> state = opt.tx.init(jnp.zeros(2))
    >>> round(float(opt.get_learning_rate(opt.set_learning_rate(state, 0.1))), 6)
    0.1
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax

from jnn._core.optimizers.base import Optimizer, _replace_states


def _is_inject(x: Any) -> bool:
    return isinstance(getattr(x, "hyperparams", None), dict) and hasattr(x, "_replace")


# ``update`` arguments that only a caller holding the loss can give; fit does not pass them.
_LOSS_ARGS = ("value", "value_fn", "grad")


def _needs_loss_value(transformation: optax.GradientTransformation) -> list[str]:
    import inspect

    try:
        params = inspect.signature(transformation.update).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without signature
        return []
    return [
        n
        for n, p in params.items()
        if n in _LOSS_ARGS and p.kind is p.KEYWORD_ONLY and p.default is p.empty
    ]


def _own_buffers(transformation: optax.GradientTransformation) -> optax.GradientTransformation:
    """The same transformation whose ``init`` returns fresh arrays.

    Some optax states alias their inputs (``prodigy`` keeps the initial params, several
    states share one zeros array); fit donates the state to its jitted step, and XLA
    refuses to donate one buffer twice.
    """
    inner_init = transformation.init

    def init_fn(params):
        return jax.tree.map(lambda a: jnp.array(a, copy=True), inner_init(params))

    if isinstance(transformation, optax.GradientTransformationExtraArgs):
        return optax.GradientTransformationExtraArgs(init_fn, transformation.update)
    return optax.GradientTransformation(init_fn, transformation.update)


def as_transformation(identifier: Any) -> optax.GradientTransformation | None:
    """``identifier`` as an optax transformation (``optax.MultiSteps`` unwrapped), else None."""
    if isinstance(identifier, optax.GradientTransformation):
        return identifier
    to_tx = getattr(identifier, "gradient_transformation", None)
    if callable(to_tx) and type(identifier).__module__.startswith("optax"):
        return to_tx()
    return None


class OptaxOptimizer(Optimizer):
    """Wraps a raw optax transformation (``jnn.optimizers.get(optax.adam(1e-3))`` returns one).

    Args:
        transformation: any ``optax.GradientTransformation``.
        name: optimizer name (default ``"OptaxOptimizer"``).

    Example:
        >>> import optax
        >>> OptaxOptimizer(optax.sgd(0.1)).tx.init({})
        (EmptyState(), EmptyState())
    """

    def __init__(self, transformation: optax.GradientTransformation, name: str | None = None):
        tx = as_transformation(transformation)
        if tx is None:
            raise TypeError(
                "OptaxOptimizer: argument `transformation` must be an optax "
                f"GradientTransformation or optax.MultiSteps, received "
                f"{type(transformation).__name__}."
            )
        missing = _needs_loss_value(tx)
        if missing:
            raise ValueError(
                f"OptaxOptimizer: this optax transformation's update needs {missing} (the loss "
                "value), which compile/fit do not pass; write the training step with the pure "
                "API (jnn.training) and call tx.update(..., value=loss) yourself."
            )
        super().__init__(learning_rate=0.0, name=name or "OptaxOptimizer")
        self._transformation = tx
        self._lr_value: float | None = None  # set through `learning_rate = ...`

    def _build_tx(self, loss_scale_factor: Any = "own") -> optax.GradientTransformation:
        del loss_scale_factor  # a raw transformation has no loss scale of its own
        tx = _own_buffers(self._transformation)
        inner_init = tx.init

        def init_fn(params):  # a rate set before the state existed starts it
            state = inner_init(params)
            if self._lr_value is not None:
                state = self.set_learning_rate(state, self._lr_value)
            return state

        return tx._replace(init=init_fn)

    def _initial_inject_states(self) -> list[Any]:
        """The ``inject_hyperparams`` states of a fresh state (computed once: fit reads the
        learning rate every epoch, and the transformation never changes)."""
        found = self.__dict__.get("_initial_inject")
        if found is None:
            try:
                found = self._inject_states(self._transformation.init({}), required=False)
            except Exception:  # noqa: BLE001 - a transformation may refuse empty params
                found = []
            self.__dict__["_initial_inject"] = found
        return found

    @property
    def learning_rate(self) -> Any:
        """The learning rate of an ``inject_hyperparams`` transformation (the initial one, or
        the last one set), else None."""
        if self._lr_value is not None:
            return self._lr_value
        found = self._initial_inject_states()
        return float(found[0].hyperparams["learning_rate"]) if found else None

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        """Settable (between fits, or by LearningRateScheduler / ReduceLROnPlateau) when the
        transformation was built with ``optax.inject_hyperparams`` and a constant rate."""
        found = self._initial_inject_states()
        if not found:
            raise TypeError(
                f"{self.name}: the learning rate of this optax transformation is fixed at "
                "construction (optax keeps it in the state only for transformations built with "
                "`optax.inject_hyperparams`, e.g. "
                "`optax.inject_hyperparams(optax.adam)(learning_rate=1e-3)`); "
                f"cannot set it to {value!r}."
            )
        if "learning_rate" in getattr(found[0], "hyperparams_states", {}):
            raise TypeError(
                f"{self.name}: the learning rate is a schedule inside inject_hyperparams, "
                f"hence it is not settable; cannot set it to {value!r}."
            )
        try:
            number = None if callable(value) or jnp.ndim(value) != 0 else float(value)
        except (TypeError, ValueError):
            number = None
        if number is None:
            raise TypeError(
                f"{self.name}: `learning_rate` must be a number for an optax transformation, "
                f"received {value!r}."
            )
        self._lr_value = number

    def logged_learning_rate(self, opt_state: Any) -> jax.Array | None:
        """The current learning rate to log (``inject_hyperparams`` states), else None."""
        found = self._inject_states(opt_state, required=False)
        return found[0].hyperparams["learning_rate"] if found else None

    def _inject_states(self, opt_state: Any, required: bool = True) -> list[Any]:
        leaves = jax.tree.leaves(opt_state, is_leaf=_is_inject)
        found = [x for x in leaves if _is_inject(x) and "learning_rate" in x.hyperparams]
        if required and not found:
            raise ValueError(
                f"{self.name}: the learning rate of a raw optax transformation is only "
                "available when it was built with `optax.inject_hyperparams`, e.g. "
                "`optax.inject_hyperparams(optax.adam)(learning_rate=1e-3)`."
            )
        return found

    def get_learning_rate(self, opt_state: Any) -> jax.Array:
        return self._inject_states(opt_state)[0].hyperparams["learning_rate"]

    def set_learning_rate(self, opt_state: Any, value: Any) -> Any:
        node = self._inject_states(opt_state)[0]
        if "learning_rate" in getattr(node, "hyperparams_states", {}):
            raise TypeError(
                f"{self.name}: the learning rate is a schedule inside inject_hyperparams, "
                "hence it is not settable."
            )
        old = node.hyperparams["learning_rate"]
        value = jnp.asarray(value, dtype=jnp.asarray(old).dtype)

        def replace(s):
            if "learning_rate" not in s.hyperparams:
                return s
            return s._replace(hyperparams={**s.hyperparams, "learning_rate": value})

        return _replace_states(opt_state, type(node), replace)

    def get_iterations(self, opt_state: Any) -> jax.Array:
        found = self._inject_states(opt_state, required=False)
        if found:
            return found[0].count
        has_count = lambda x: isinstance(getattr(x, "count", None), jax.Array)  # noqa: E731
        leaves = jax.tree.leaves(opt_state, is_leaf=has_count)
        counts = [x.count for x in leaves if has_count(x)]
        if not counts:
            raise ValueError(f"{self.name}: this optax state keeps no step count.")
        return counts[0]

    def ema_params(self, opt_state: Any) -> Any:
        raise ValueError(f"{self.name}: a raw optax transformation keeps no jnn EMA.")

    def get_config(self) -> dict[str, Any]:
        """Name and (when known) learning rate; a raw optax transformation can't be rebuilt."""
        return {"name": self.name, "learning_rate": self.learning_rate}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Optimizer:
        raise ValueError(
            "OptaxOptimizer cannot be rebuilt from its config: a raw optax transformation is "
            "code, not configuration. Recreate it and pass it to `jnn.optimizers.get`."
        )
