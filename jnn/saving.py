"""Saving and loading models, as ``keras.saving``.

Example:
    >>> import jnn
    >>> @jnn.saving.register_serializable(package="demo")
    ... class Scale(jnn.layers.Layer):
    ...     def __init__(self, factor=2.0, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.factor = factor
    ...     def call(self, x):
    ...         return x * self.factor
    ...     def get_config(self):
    ...         return {**super().get_config(), "factor": self.factor}
    >>> jnn.saving.get_registered_name(Scale)
    'demo>Scale'
"""

from jnn._shell.saving.api import load_model, save_model
from jnn._shell.saving.jax_export import (
    load_checkpoint,
    load_train_state,
    load_variables,
    save_checkpoint,
    save_train_state,
    save_variables,
)
from jnn._shell.saving.registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_serializable,
)
from jnn._shell.saving.serialization import (
    deserialize_keras_object,
    serialize_keras_object,
)

register_keras_serializable = register_serializable

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_checkpoint",
    "load_model",
    "load_train_state",
    "load_variables",
    "register_keras_serializable",
    "register_serializable",
    "save_checkpoint",
    "save_model",
    "save_train_state",
    "save_variables",
    "serialize_keras_object",
]
