"""``get`` / ``serialize`` / ``deserialize`` for optimizers (Keras 3 behaviour).

Example:
    >>> from jnn.optimizers import get
    >>> type(get("rmsprop")).__name__
    'RMSprop'
"""

from __future__ import annotations

from typing import Any

from jnn._core.optimizers import loss_scale as loss_scale_lib
from jnn._core.optimizers.adam import Adam, Adamax, AdamW, Nadam
from jnn._core.optimizers.adaptive import Adadelta, Adagrad, Ftrl, RMSprop
from jnn._core.optimizers.base import _KERAS_MODULE, Optimizer
from jnn._core.optimizers.loss_scale import LossScaleOptimizer
from jnn._core.optimizers.optax_adapter import OptaxOptimizer, as_transformation
from jnn._core.optimizers.sgd import SGD, Lion

ALL_OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.__name__.lower(): cls
    for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam, Lion, Ftrl)
}
_DESERIALIZABLE = {
    **ALL_OPTIMIZERS,
    "lossscaleoptimizer": LossScaleOptimizer,
    "optaxoptimizer": OptaxOptimizer,  # from_config explains why it cannot be rebuilt
}


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """``{'module', 'class_name', 'config', 'registered_name'}`` like Keras.

    Example:
        >>> serialize(SGD())["class_name"]
        'SGD'
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize: expected an Optimizer, received {type(optimizer).__name__}.")
    return {
        "module": _KERAS_MODULE,
        "class_name": type(optimizer).__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def _unknown(identifier: Any) -> ValueError:
    return ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. "
        f"Valid identifiers: {sorted(ALL_OPTIMIZERS)}, a config dict, an Optimizer instance "
        "an optax GradientTransformation or an optax.MultiSteps."
    )


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
    """Rebuilds an optimizer from :func:`serialize`'s output (class names are case-insensitive).

    Example:
        >>> deserialize({"class_name": "adam", "config": {"learning_rate": 0.1}}).learning_rate
        0.1
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"deserialize: expected a dict with 'class_name' and 'config', received {config!r}."
        )
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _DESERIALIZABLE.get(str(name).lower())
    if cls is None:
        raise _unknown(name)
    return cls.from_config(dict(config.get("config") or {}), custom_objects)


loss_scale_lib._registry.update(serialize=serialize, deserialize=deserialize)


def get(identifier: Any) -> Optimizer | None:
    """Returns an optimizer from a name, a config dict, an instance or an optax transformation.

    Example:
        >>> import optax
        >>> type(get(optax.sgd(0.1))).__name__
        'OptaxOptimizer'
    """
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if as_transformation(identifier) is not None:  # any optax transformation, MultiSteps
        return OptaxOptimizer(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = ALL_OPTIMIZERS.get(identifier.lower())
        if cls is None:
            raise _unknown(identifier)
        return cls()
    raise _unknown(identifier)
