"""Pickling jnn models (``pickle``, joblib, the scikit-learn wrappers): architecture + weights.

A Sequential or functional model whose Keras config is plain JSON is written as that config
(``serialize_keras_object``), its weights as numpy arrays (``get_weights``) and its
``compile`` arguments (the optimizer as its Keras config); loading rebuilds it from the
config, sets the weights and compiles it. A Lambda layer's config holds its function's
bytecode, which loading runs (``safe_mode`` is off: unpickling runs code anyway, so never
unpickle untrusted bytes). Other models (subclassed, layers holding objects such as a Flax
module) are written as their layer objects (a layer *is* its configuration) with numpy
weights. Either way compiled steps, jitted functions and optimizer closures are dropped, so
the optimizer state starts fresh, as after ``model.compile``.

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
import json
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


def _config_blob(model: Any) -> dict[str, Any] | None:
    """``{"config", "weights", "compile"}`` for Sequential / functional models, else None."""
    if type(model).__name__ not in ("Sequential", "Functional"):
        return None
    from jnn._shell.saving import serialization

    try:
        config = serialization.serialize_keras_object(model)
        json.dumps(config)  # plain data only: no objects, no code
    except (TypeError, ValueError, NotImplementedError):
        return None
    compiled = compile_args(model)
    if compiled is not None:
        compiled["optimizer"] = _serialize_optimizer(compiled["optimizer"])
    weights = model.get_weights() if model.built else None
    return {"config": config, "weights": weights, "compile": compiled}


def _restore_from_config(blob: dict[str, Any]) -> Any:
    from jnn._core import optimizers as optimizers_lib
    from jnn._shell.saving import serialization

    # Unpickling already runs whatever the pickle says: a Lambda's stored bytecode adds no
    # risk the caller has not accepted, so safe_mode (meant for .keras files) is off here.
    model = serialization.deserialize_keras_object(blob["config"], safe_mode=False)
    if blob["weights"] is not None:
        model.set_weights(blob["weights"])
    compiled = blob["compile"]
    if compiled is not None:
        compiled = dict(compiled)
        compiled["optimizer"] = optimizers_lib.deserialize(compiled["optimizer"])
        model.compile(**compiled)
    return model


def dumps_model(model: Any) -> bytes:
    """Bytes holding ``model``'s architecture, weights and compile arguments.

    Lambda layers are stored with their function's bytecode; no compiled step or jitted
    function is stored.
    """
    blob = _config_blob(model)
    if blob is not None:
        return pickle.dumps(("config", blob), protocol=pickle.HIGHEST_PROTOCOL)
    buffer = io.BytesIO()
    try:
        _ModelPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(("objects", model))
    except (AttributeError, TypeError, pickle.PicklingError) as exc:
        raise pickle.PicklingError(
            f"Cannot pickle model '{model.name}': its config is not plain data and one of its "
            f"layers holds an object pickle cannot store ({exc}). Typical causes: a Lambda "
            "layer with a lambda, a FlaxLayer whose module uses closure initializers. Save "
            "the weights with model.save_weights and rebuild the model instead."
        ) from exc
    return buffer.getvalue()


def loads_model(data: bytes) -> Any:
    """The model written by :func:`dumps_model`, compiled again (fresh optimizer state).

    This unpickles ``data``, which runs code (a Lambda's bytecode, or anything a crafted
    pickle names): call it only on bytes you trust.
    """
    kind, payload = pickle.loads(data)
    return _restore_from_config(payload) if kind == "config" else payload


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
        from jnn._shell.runtime import rng

        new.set_variables(new.init(rng.next_key(), spec))
    return new
