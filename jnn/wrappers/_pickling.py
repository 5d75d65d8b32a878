"""Pickling jnn models inside the scikit-learn wrappers: architecture + weights, no code.

A model is written as its layer objects (a layer *is* its Keras configuration), its weights
as numpy arrays and its ``compile`` arguments (the optimizer as its Keras config). Compiled
steps, jitted functions and optimizer closures are dropped and rebuilt by ``compile`` on
load, so the optimizer state starts fresh, as after ``model.compile``.

Example:
    >>> import jnn
    >>> model = jnn.Sequential([jnn.Input(shape=(2,)), jnn.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> restored = loads_model(dumps_model(model))
    >>> [w.shape for w in restored.get_weights()]
    [(2, 1), (1,)]
"""

from __future__ import annotations

import copy
import io
import pickle
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

# Per-model attributes that hold compiled code or training progress, rebuilt on load.
_RUNTIME_KEYS = (
    "_compiled",
    "_engine",
    "_train_state",
    "_opt_state_keep",
    "optimizer",
    "history",
    "_output_spec_cache",
)
_COMPILE_ARGS = (
    "loss",
    "metrics",
    "loss_weights",
    "weighted_metrics",
    "run_eagerly",
    "steps_per_execution",
    "jit_compile",
)


def _is_model(obj: Any) -> bool:
    return getattr(type(obj), "_is_model", False) is True


def compile_args(model: Any) -> dict[str, Any] | None:
    """The keyword arguments ``model.compile`` received (None if it was never compiled)."""
    cfg = model.__dict__.get("_compiled")
    if cfg is None:
        return None
    args = {name: getattr(cfg, name) for name in _COMPILE_ARGS}
    args["optimizer"] = cfg.optimizer
    return args


def _serialize_optimizer(optimizer: Any) -> Any:
    from jnn._core import optimizers as optimizers_lib

    if type(optimizer).__name__ == "OptaxOptimizer":
        raise pickle.PicklingError(
            "A model compiled with a raw optax transformation cannot be pickled (an optax "
            "transformation is code); compile with a jnn optimizer (e.g. "
            "jnn.optimizers.Adam()) to pickle it."
        )
    return optimizers_lib.serialize(optimizer)


def _restore_array(value: np.ndarray) -> jax.Array:
    return jnp.asarray(value)


def _restore_model(cls: type, state: dict[str, Any], compiled: dict[str, Any] | None) -> Any:
    from jnn._core import optimizers as optimizers_lib

    model = cls.__new__(cls)
    model.__dict__.update(state)
    model._init_model_state()
    if compiled is not None:
        compiled = dict(compiled)
        compiled["optimizer"] = optimizers_lib.deserialize(compiled["optimizer"])
        model.compile(**compiled)
    return model


class _ModelPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, jax.Array):
            return _restore_array, (np.asarray(jax.device_get(obj)),)
        if _is_model(obj):
            state = {k: v for k, v in obj.__dict__.items() if k not in _RUNTIME_KEYS}
            compiled = compile_args(obj)
            if compiled is not None:
                compiled["optimizer"] = _serialize_optimizer(compiled["optimizer"])
            return _restore_model, (type(obj), state, compiled)
        return NotImplemented


def dumps_model(model: Any) -> bytes:
    """Bytes holding ``model``'s layers, weights and compile arguments (no compiled code)."""
    buffer = io.BytesIO()
    _ModelPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(model)
    return buffer.getvalue()


def loads_model(data: bytes) -> Any:
    """The model written by :func:`dumps_model`, compiled again (fresh optimizer state)."""
    return pickle.loads(data)


def fresh_copy(model: Any) -> Any:
    """A compiled copy of ``model`` with newly initialised weights (Keras's ``clone_model``).

    The copy shares nothing with ``model``; its optimizer starts from the same configuration.
    """
    compiled = compile_args(model)
    clone = copy.deepcopy({k: v for k, v in model.__dict__.items() if k not in _RUNTIME_KEYS})
    new = type(model).__new__(type(model))
    new.__dict__.update(clone)
    new._init_model_state()
    if compiled is not None:
        compiled["optimizer"] = copy.deepcopy(compiled["optimizer"])
        new.compile(**compiled)
    spec = new.__dict__.get("_build_spec")
    if new.built and spec is not None:
        from jnn._shell import rng

        new.set_variables(new.init(rng.next_key(), spec))
    return new
