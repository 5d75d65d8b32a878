"""A thin adapter that gives any optax ``GradientTransformation`` the jnn optimizer API.

The learning rate can be read and set when the transformation was built with
``optax.inject_hyperparams`` (the only place optax keeps it in the state).

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
        if not isinstance(transformation, optax.GradientTransformation):
            raise TypeError(
                "OptaxOptimizer: argument `transformation` must be an optax "
                f"GradientTransformation, received {type(transformation).__name__}."
            )
        super().__init__(learning_rate=0.0, name=name or "OptaxOptimizer")
        self._transformation = transformation

    def _build_tx(self, loss_scale_factor: Any = "own") -> optax.GradientTransformation:
        del loss_scale_factor  # a raw transformation has no loss scale of its own
        return self._transformation

    @property
    def learning_rate(self) -> Any:
        """The initial learning rate for an ``inject_hyperparams`` transformation, else None."""
        try:
            found = self._inject_states(self.tx.init({}), required=False)
        except Exception:  # noqa: BLE001 - a transformation may refuse empty params
            return None
        return float(found[0].hyperparams["learning_rate"]) if found else None

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        raise TypeError(
            f"{self.name}: the learning rate of a raw optax transformation is fixed at "
            "construction; use `set_learning_rate(opt_state, value)` with an "
            "`optax.inject_hyperparams` transformation instead."
        )

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
