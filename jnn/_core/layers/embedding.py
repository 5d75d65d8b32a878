"""Embedding: maps integer indices to rows of a trainable ``(input_dim, output_dim)`` table.

(``Masking`` lives with the recurrent layers, in ``jnn._core.layers.rnn``.)

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = Embedding(10, 4)
    >>> v = layer.init(jax.random.key(0), jnp.zeros((1, 3), jnp.int32))
    >>> layer.apply(v, jnp.array([[1, 2, 3]]))[0].shape
    (1, 3, 4)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core import constraints, initializers, regularizers
from jnn._core.layers import _validate
from jnn._core.layers.base import Layer, Variables


class Embedding(Layer):
    """Turns indices into dense vectors: ``outputs[..., :] = embeddings[inputs[...]]``.

    Inputs of any shape are integer indices; float inputs are cast to int32 (truncated
    towards zero) as Keras does. Indices are looked up as Keras on JAX does (``jnp.take``):
    a negative index ``-k`` (``k <= input_dim``) reads row ``input_dim - k``, and an index
    outside ``[-input_dim, input_dim)`` gives a row of NaN (no error is raised inside a
    compiled step).

    Args:
        input_dim: size of the vocabulary (largest index + 1).
        output_dim: size of each embedding vector.
        embeddings_initializer: default ``"uniform"`` (``RandomUniform(-0.05, 0.05)``).
        embeddings_regularizer / embeddings_constraint: penalty and projection of the table.
        mask_zero: whether index 0 is padding: ``compute_mask`` then returns
            ``inputs != 0`` (index 0 must then not be used as a word).
        input_length: Keras 2 argument, accepted: declares the input shape
            ``(input_length,)`` of the first layer of a Sequential model.
        activity_regularizer: penalty on the outputs (applied by the model).
        lora_rank / lora_alpha / quantization_config: not supported (only None).

    Example:
        >>> import jax.numpy as jnp
        >>> Embedding(5, 2, mask_zero=True).compute_mask(jnp.array([[0, 3]]))
        Array([[False,  True]], dtype=bool)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        weights: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        quantization_config: Any = None,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        input_length = kwargs.pop("input_length", None)
        if input_length is not None and not any(
            k in kwargs for k in ("input_shape", "batch_input_shape")
        ):
            kwargs["input_shape"] = (input_length,)
        if weights is not None:
            kwargs["weights"] = weights if isinstance(weights, list) else [weights]
        super().__init__(**kwargs)
        self.input_dim = _validate.positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = _validate.positive_int("Embedding", "output_dim", output_dim)
        if lora_rank is not None or lora_alpha is not None:
            raise ValueError(
                "Embedding: arguments `lora_rank` / `lora_alpha` are not supported by jnn yet, "
                f"received lora_rank={lora_rank!r}, lora_alpha={lora_alpha!r}."
            )
        if quantization_config is not None:
            raise ValueError(
                "Embedding: argument `quantization_config` is not supported by jnn, received "
                f"{quantization_config!r}."
            )
        if not isinstance(mask_zero, (bool, np.bool_)):
            raise ValueError(
                f"Embedding: argument `mask_zero` must be a bool, received {mask_zero!r}."
            )
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.autocast = False

    def init(self, key: jax.Array, input_spec: Any = None) -> Variables:
        del input_spec  # the table does not depend on the input shape
        shape = (self.input_dim, self.output_dim)
        return {
            "params": {"embeddings": self.embeddings_initializer(key, shape, self.variable_dtype)},
            "state": {},
        }

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del training, rng, mask
        idx = jnp.asarray(inputs)
        if idx.dtype not in (jnp.int32, jnp.int64):
            idx = idx.astype(jnp.int32)
        table = variables["params"]["embeddings"]
        return jnp.take(table, idx, axis=0).astype(self.compute_dtype), {}

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        return jnp.not_equal(jnp.asarray(inputs), 0)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape) + (self.output_dim,)

    def weight_regularizers(self) -> dict[str, Callable]:
        reg = self.embeddings_regularizer
        return {} if reg is None else {"embeddings": reg}

    def weight_constraints(self) -> dict[str, Callable]:
        con = self.embeddings_constraint
        return {} if con is None else {"embeddings": con}

    def get_config(self) -> dict[str, Any]:
        ser = _validate.serialize_or_none
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": ser(regularizers, self.embeddings_regularizer),
            "embeddings_constraint": ser(constraints, self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "activity_regularizer": ser(regularizers, self.activity_regularizer),
            "quantization_config": None,
        }
