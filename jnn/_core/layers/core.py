"""Core layers: InputLayer, Dense, Activation, Lambda, Identity.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from jnn._core.layers.core import Dense
    >>> layer = Dense(2, kernel_initializer="ones")
    >>> variables = layer.init(jax.random.key(0), jnp.ones((1, 3)))
    >>> layer.apply(variables, jnp.ones((1, 3)))[0]
    Array([[3., 3.]], dtype=float32)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core import activations, constraints, initializers, regularizers
from jnn._core.layers import _validate
from jnn._core.layers.base import (
    _PROBE_SIZES,
    Layer,
    Shape,
    SymbolicSpec,
    Variables,
    standardize_shape,
)


def display_shape(x: Any) -> tuple:
    """``x.shape`` for error messages; during symbolic shape inference the batch is a probe
    size standing for an unknown dimension, shown as ``None`` as Keras does."""
    shape = tuple(x.shape)
    if shape and isinstance(x, jax.core.Tracer) and shape[0] in _PROBE_SIZES:
        return (None,) + shape[1:]
    return shape


def incompatible_axis_error(layer: Layer, axis: int, expected: int, x: Any) -> ValueError:
    """Keras's message for an input whose ``axis`` does not have the size the weights need."""
    return ValueError(
        f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected axis '
        f"{axis} of input shape to have value {expected}, but received input with shape "
        f"{display_shape(x)}"
    )


class InputLayer(Layer):
    """The entry point of a model: declares the shape and dtype of its inputs.

    ``apply`` returns its input unchanged; the layer has no weights.

    Args:
        shape: shape of one sample (without the batch dimension), e.g. ``(784,)``.
        batch_size: optional fixed batch size.
        dtype: dtype of the input data (default ``float32``).
        sparse: sparse inputs are not supported by jnn (only ``None``/``False``).
        batch_shape: full shape including the batch dimension (instead of ``shape``).
        name: layer name.
        input_tensor: an existing symbolic tensor (anything with ``shape`` and ``dtype``).
        ragged: ragged inputs are not supported (only ``None``/``False``).
        optional: whether the input may be ``None`` (kept in the config).

    Example:
        >>> InputLayer(shape=(3,)).batch_shape
        (None, 3)
    """

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: bool | None = None,
        batch_shape: Any = None,
        name: str | None = None,
        input_tensor: Any = None,
        ragged: bool | None = None,
        optional: bool = False,
        **kwargs: Any,
    ) -> None:
        # Keras 2 spellings.
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        kwargs.pop("trainable", None)
        super().__init__(name=name, **kwargs)
        if sparse or ragged:
            arg = "sparse" if sparse else "ragged"
            raise ValueError(f"InputLayer: argument `{arg}=True` is not supported by jnn.")
        if batch_size is not None:
            batch_size = _validate.positive_int("InputLayer", "batch_size", batch_size)
        if input_tensor is not None:
            if not (hasattr(input_tensor, "shape") and hasattr(input_tensor, "dtype")):
                raise ValueError(
                    "InputLayer: argument `input_tensor` must be a symbolic tensor with a shape "
                    f"and a dtype, received {input_tensor!r}."
                )
            batch_shape = tuple(input_tensor.shape)
            dtype = input_tensor.dtype if dtype is None else dtype
        elif shape is not None and batch_shape is not None:
            raise ValueError("InputLayer: pass either `shape` or `batch_shape`, not both.")
        elif batch_size is not None and batch_shape is not None:
            raise ValueError("InputLayer: pass either `batch_size` or `batch_shape`, not both.")
        elif shape is None and batch_shape is None:
            raise ValueError("InputLayer: you must pass a `shape` argument.")
        if batch_shape is None:
            batch_shape = (batch_size,) + standardize_shape(shape, "shape")
        self._batch_shape: Shape = standardize_shape(batch_shape, "batch_shape")
        try:
            self._input_dtype = jnp.dtype(dtype if dtype is not None else "float32").name
        except TypeError:
            raise ValueError(
                f"InputLayer: argument `dtype` must be a dtype name, received {dtype!r}."
            ) from None
        self.sparse = False
        self.ragged = False
        self.optional = bool(optional)
        self._trainable = False

    @property
    def batch_shape(self) -> Shape:
        """The declared input shape, batch dimension included."""
        return self._batch_shape

    @property
    def dtype(self) -> str:  # type: ignore[override]
        """The dtype of the inputs this layer declares."""
        return self._input_dtype

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": self._batch_shape,
            "dtype": self._input_dtype,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "name": self.name,
            "optional": self.optional,
        }

    def apply(self, variables, inputs, *, training=False, rng=None, **kwargs):
        del variables, training, rng, kwargs
        return inputs, {}


class Identity(Layer):
    """Returns its inputs unchanged (any pytree).

    Example:
        >>> import jax.numpy as jnp
        >>> Identity().apply({"params": {}, "state": {}}, jnp.ones(2))[0]
        Array([1., 1.], dtype=float32)
    """

    supports_masking = True

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        return self.cast_inputs(inputs), {}


class Dense(Layer):
    """Densely connected layer: ``activation(inputs @ kernel + bias)`` on the last axis.

    Args:
        units: positive int, size of the output's last axis.
        activation: activation name, callable or None (linear).
        use_bias: whether to add a bias.
        kernel_initializer / bias_initializer: initializers of ``kernel`` (in, units) and
            ``bias`` (units,).
        kernel_regularizer / bias_regularizer: penalties on the weights.
        activity_regularizer: penalty on the outputs (applied by the model).
        kernel_constraint / bias_constraint: projections applied after each update.
        lora_rank: not supported yet (only None).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> layer = Dense(4, activation="relu", input_dim=8)
        >>> v = layer.init(jax.random.key(0), jnp.zeros((1, 8)))
        >>> {k: w.shape for k, w in v["params"].items()}
        {'kernel': (8, 4), 'bias': (4,)}
    """

    supports_masking = True
    min_ndim = 2

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = _validate.positive_int("Dense", "units", units)
        if lora_rank is not None or lora_alpha is not None:
            raise ValueError(
                "Dense: arguments `lora_rank` / `lora_alpha` are not supported by jnn yet, "
                f"received lora_rank={lora_rank!r}, lora_alpha={lora_alpha!r}."
            )
        if not isinstance(use_bias, (bool, np.bool_)):
            raise ValueError(f"Dense: argument `use_bias` must be a bool, received {use_bias!r}.")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        shape = tuple(input_spec.shape)
        self.check_input_shape(shape)
        dtype = self.variable_dtype
        k_key, b_key = jax.random.split(key)
        params = {"kernel": self.kernel_initializer(k_key, (shape[-1], self.units), dtype)}
        if self.use_bias:
            params["bias"] = self.bias_initializer(b_key, (self.units,), dtype)
        return {"params": params, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del training, rng, mask
        params = variables["params"]
        kernel = params["kernel"]
        x = jnp.asarray(inputs)
        self.check_input_shape(x.shape)
        if x.shape[-1] != kernel.shape[0]:
            raise incompatible_axis_error(self, -1, kernel.shape[0], x)
        dtype = jnp.dtype(self.compute_dtype)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(dtype)
        x = self.cast_inputs(x)
        y = jnp.matmul(x, kernel.astype(dtype))
        if self.use_bias:
            bias = params["bias"].astype(dtype)
            y = y + jnp.reshape(bias, (1,) * (y.ndim - 1) + bias.shape)
        return self.activation(y), {}

    def weight_regularizers(self) -> dict[str, Callable]:
        regs = {"kernel": self.kernel_regularizer, "bias": self.bias_regularizer}
        return {k: r for k, r in regs.items() if r is not None}

    def weight_constraints(self) -> dict[str, Callable]:
        cons = {"kernel": self.kernel_constraint, "bias": self.bias_constraint}
        return {k: c for k, c in cons.items() if c is not None}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _validate.serialize_or_none(
                regularizers, self.kernel_regularizer
            ),
            "bias_regularizer": _validate.serialize_or_none(regularizers, self.bias_regularizer),
            "activity_regularizer": _validate.serialize_or_none(
                regularizers, self.activity_regularizer
            ),
            "kernel_constraint": _validate.serialize_or_none(constraints, self.kernel_constraint),
            "bias_constraint": _validate.serialize_or_none(constraints, self.bias_constraint),
        }


class Activation(Layer):
    """Applies an activation function (name or callable) elementwise.

    Example:
        >>> import jax.numpy as jnp
        >>> Activation("relu").apply({"params": {}, "state": {}}, jnp.array([-1.0, 2.0]))[0]
        Array([0., 2.], dtype=float32)
    """

    supports_masking = True

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        return self.activation(self.cast_inputs(inputs)), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


def _accepts(fn: Callable, arg: str) -> bool:
    try:
        return arg in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _is_int_shape(x: Any) -> bool:
    return isinstance(x, (tuple, list)) and all(d is None or isinstance(d, int) for d in x)


class Lambda(Layer):
    """Wraps a JAX-traceable function of the inputs (one array or a list) as a layer.

    Args:
        function: ``fn(inputs, **arguments)``; gets ``mask=`` / ``training=`` when it
            declares them.
        output_shape: output shape without batch (tuple), or ``fn(input_shape)``; inferred by
            tracing when omitted.
        mask: the output mask, or ``fn(inputs, mask)`` computing it.
        arguments: extra keyword arguments for ``function``.

    Example:
        >>> import jax.numpy as jnp
        >>> Lambda(lambda x: 2 * x).apply({"params": {}, "state": {}}, jnp.ones(2))[0]
        Array([2., 2.], dtype=float32)
    """

    def __init__(
        self,
        function: Callable,
        output_shape: Any = None,
        mask: Any = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(
                f"Lambda: argument `function` must be callable, received {function!r}."
            )
        if arguments is not None and not isinstance(arguments, dict):
            raise ValueError(
                f"Lambda: argument `arguments` must be a dict or None, received {arguments!r}."
            )
        if output_shape is not None and not (
            callable(output_shape) or _is_shape_tree(output_shape)
        ):
            raise ValueError(
                "Lambda: argument `output_shape` must be a tuple of ints, a list of them or a "
                f"callable, received {output_shape!r}."
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = tuple(output_shape) if _is_int_shape(output_shape) else output_shape
        self._wants_mask = _accepts(function, "mask")
        self._wants_training = _accepts(function, "training")

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, rng
        kwargs = dict(self.arguments)
        if self._wants_mask:
            kwargs["mask"] = mask
        if self._wants_training:
            kwargs["training"] = training
        return self.function(self.cast_inputs(inputs), **kwargs), {}

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = _first_batch(input_shape)
        if _is_int_shape(self._output_shape):
            return (batch,) + tuple(self._output_shape)
        return [(batch,) + tuple(s) for s in self._output_shape]

    def compute_output_spec(self, input_spec: Any, **kwargs: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_spec(input_spec, **kwargs)
        # Declared shape: no tracing (as Keras: the declared shape, in the compute dtype).
        is_spec = lambda s: isinstance(s, SymbolicSpec)  # noqa: E731
        shapes = jax.tree.map(lambda s: s.shape, input_spec, is_leaf=is_spec)
        out = self.compute_output_shape(shapes)
        if _is_int_shape(out):
            return SymbolicSpec(tuple(out), self.compute_dtype)
        return [SymbolicSpec(tuple(s), self.compute_dtype) for s in out]

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "function": self.function}
        if self._output_shape is not None:
            config["output_shape"] = self._output_shape
        if self.mask is not None:
            config["mask"] = self.mask
        config["arguments"] = dict(self.arguments)
        return config


def _is_shape_tree(x: Any) -> bool:
    return _is_int_shape(x) or (isinstance(x, (list, tuple)) and all(_is_int_shape(s) for s in x))


def _first_batch(input_shape: Any) -> Any:
    if _is_int_shape(input_shape):
        return input_shape[0] if input_shape else None
    return _first_batch(input_shape[0])
