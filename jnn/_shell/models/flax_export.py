"""A jnn model as a ``flax.linen.Module``, so Flax code can embed it.

``to_flax(model)`` returns a linen module whose ``params`` collection *is* the jnn params tree
(``{"dense": {"kernel", "bias"}, ...}``) and whose ``batch_stats`` collection is the jnn state
(moving means...). By default ``init`` returns the model's current (trained) weights, so a
trained jnn model drops into a Flax program unchanged; ``trained=False`` draws fresh ones
from the layers' initializers. ``module.init`` / ``module.apply`` are the pure pair
(:func:`flax_init_apply`), e.g. the ``apply_fn`` of a ``flax.training.train_state.TrainState``.

The module's call takes ``training`` (default False); in training mode it draws dropout keys
from the ``dropout`` rng stream and updates ``batch_stats`` when that collection is mutable,
as Flax's own BatchNorm does.

Example:
    >>> import jax, numpy as np, jnn
    >>> model = jnn.Sequential([jnn.Input(shape=(3,)), jnn.layers.Dense(2, name="hidden")])
    >>> module = to_flax(model)
    >>> variables = module.init(jax.random.key(0), np.ones((1, 3), np.float32))
    >>> bool((variables["params"]["hidden"]["kernel"] == model.layers[0].kernel.numpy()).all())
    True
    >>> module.apply(variables, np.ones((4, 3), np.float32)).shape
    (4, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flax.linen as nn
import jax

STATE_COLLECTION = "batch_stats"


class JnnModule(nn.Module):
    """A jnn model seen as a ``flax.linen.Module`` (build it with :func:`to_flax`).

    Attributes:
        model: the jnn model (built, or built by ``init`` from the example input).
        trained: ``init`` returns the model's current weights (True) or fresh ones (False).
    """

    model: Any
    trained: bool = True

    @nn.compact
    def __call__(self, x: Any, training: bool = False) -> Any:
        if self.is_initializing():
            source = self._initial_variables(x)
        else:  # the values given to apply (the declarations below just return them)
            source = {
                "params": dict(self.variables.get("params", {})),
                "state": dict(self.variables.get(STATE_COLLECTION, {})),
            }
        params = {
            name: self.param(name, lambda _key, v=value: v)
            for name, value in source["params"].items()
        }
        state_vars = {
            name: self.variable(STATE_COLLECTION, name, lambda v=value: v)
            for name, value in source["state"].items()
        }
        state = {name: v.value for name, v in state_vars.items()}
        rng = self.make_rng("dropout") if training and self.has_rng("dropout") else None
        y, new_state = self.model.apply(
            {"params": params, "state": state}, x, training=training, rng=rng, mutable=True
        )
        if training and not self.is_initializing() and self.is_mutable_collection(STATE_COLLECTION):
            for name, v in state_vars.items():
                v.value = new_state[name]
        return y

    def _initial_variables(self, x: Any) -> dict[str, Any]:
        if not self.model.built:
            self.model._build_from_spec(jax.tree.map(lambda a: a[:1], x))
        if self.trained:
            return self.model.variables_tree
        return self.model.init(self.make_rng("params"), x)


def to_flax(model: Any, trained: bool = True) -> JnnModule:
    """Returns ``model`` as a ``flax.linen.Module`` whose params are the jnn params.

    Args:
        model: a jnn model (Sequential, functional or subclassed).
        trained: if True, ``module.init`` returns the model's current weights; if False,
            fresh weights from the layers' initializers (using the ``params`` rng).

    Example:
        >>> import jax, numpy as np, jnn
        >>> model = jnn.Sequential([jnn.layers.Dense(1, input_dim=2, name="out")])
        >>> v = to_flax(model).init(jax.random.key(0), np.zeros((1, 2), np.float32))
        >>> sorted(v["params"]["out"])
        ['bias', 'kernel']
    """
    if not getattr(type(model), "_is_model", False):
        raise TypeError(
            f"to_flax: argument `model` must be a jnn Model, received {type(model).__name__}."
        )
    return JnnModule(model=model, trained=trained)


def flax_init_apply(
    model: Any, trained: bool = True
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The pure pair ``(init, apply)`` of :func:`to_flax`'s module (Flax signatures).

    ``init(rngs, x) -> {"params": ..., "batch_stats": ...}``;
    ``apply(variables, x, training=False, rngs=None, mutable=False)``.

    Example:
        >>> import jax, numpy as np, jnn
        >>> init, apply = flax_init_apply(jnn.Sequential([jnn.layers.Dense(1, input_dim=2)]))
        >>> x = np.ones((3, 2), np.float32)
        >>> apply(init(jax.random.key(0), x), x).shape
        (3, 1)
    """
    module = to_flax(model, trained=trained)
    return module.init, module.apply
