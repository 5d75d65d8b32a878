"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
RMSNormalization, UnitNormalization.

Statistics are computed in at least float32 (as Keras does for half precision inputs) and
the outputs are cast to the layer's compute dtype.

Example:
    >>> import jax, jax.numpy as jnp
    >>> layer = LayerNormalization()
    >>> v = layer.init(jax.random.key(0), jnp.zeros((1, 3)))
    >>> y, _ = layer.apply(v, jnp.array([[1.0, 2.0, 3.0]]))
    >>> [round(float(a), 3) for a in y[0]]
    [-1.224, 0.0, 1.224]
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core import constraints, initializers, regularizers
from jnn._core.layers import _validate
from jnn._core.layers.base import Layer, Variables


# --- shared helpers ------------------------------------------------------------------------------
def _bool(owner: str, arg: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{owner}: argument `{arg}` must be a bool, received {value!r}.")
    return bool(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def axis_arg(owner: str, value: Any, allow_list: bool = True) -> int | list[int]:
    """An int axis, or (with ``allow_list``) a list of int axes."""
    if _is_int(value):
        return int(value)
    if allow_list and isinstance(value, (list, tuple)) and value and all(map(_is_int, value)):
        return [int(a) for a in value]
    expected = "an int or a list of ints" if allow_list else "an int"
    raise ValueError(f"{owner}: argument `axis` must be {expected}, received {value!r}.")


def resolve_axes(layer: Layer, axis: int | list[int], ndim: int) -> list[int]:
    """Non-negative sorted axes for an input of rank ``ndim``, with Keras's error."""
    axes = [axis] if isinstance(axis, int) else list(axis)
    for a in axes:
        if a >= ndim or a < -ndim:
            raise ValueError(
                f'Layer "{layer.name}": axis {a} is out of bounds for an input of rank {ndim}. '
                f"Received: axis={axis}"
            )
    return sorted(a % ndim for a in axes)


def stats_dtype(x: jax.Array) -> Any:
    """At least float32 (Keras computes statistics of half precision inputs in float32)."""
    return jnp.promote_types(x.dtype, jnp.float32)


def broadcast_to_axes(v: Any, axes: list[int], ndim: int, dtype: Any = None) -> Any:
    """Reshapes a weight of shape ``[shape[a] for a in axes]`` to broadcast against rank ndim
    (cast to ``dtype`` when given); ``None`` stays ``None``."""
    if v is None:
        return None
    if dtype is not None:
        v = v.astype(dtype)
    shape = [1] * ndim
    for a, d in zip(axes, v.shape):
        shape[a] = d
    return jnp.reshape(v, shape)


def affine_normalize(x, mean, variance, gamma, beta, epsilon):
    """``(x - mean) * rsqrt(variance + epsilon) * gamma + beta`` in Keras's operation order."""
    inv = jax.lax.rsqrt(variance + jnp.asarray(epsilon, x.dtype))
    if gamma is not None:
        inv = inv * gamma
    res = -mean * inv
    if beta is not None:
        res = res + beta
    return x * inv + res


class _AffineMixin:
    """``gamma`` / ``beta`` arguments shared by the normalization layers."""

    def _set_affine(
        self,
        owner,
        center,
        scale,
        beta_initializer,
        gamma_initializer,
        beta_regularizer,
        gamma_regularizer,
        beta_constraint,
        gamma_constraint,
    ):
        self.center = _bool(owner, "center", center)
        self.scale = _bool(owner, "scale", scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _affine_params(self, key, shape, dtype, use_gamma=None, use_beta=None):
        use_gamma = self.scale if use_gamma is None else use_gamma
        use_beta = self.center if use_beta is None else use_beta
        g_key, b_key = jax.random.split(key)
        params = {}
        if use_gamma:
            params["gamma"] = self.gamma_initializer(g_key, shape, dtype)
        if use_beta:
            params["beta"] = self.beta_initializer(b_key, shape, dtype)
        return params

    def weight_regularizers(self) -> dict[str, Callable]:
        regs = {"gamma": self.gamma_regularizer, "beta": self.beta_regularizer}
        return {k: r for k, r in regs.items() if r is not None and self._has(k)}

    def weight_constraints(self) -> dict[str, Callable]:
        cons = {"gamma": self.gamma_constraint, "beta": self.beta_constraint}
        return {k: c for k, c in cons.items() if c is not None and self._has(k)}

    def _has(self, name: str) -> bool:
        return self.scale if name == "gamma" else self.center

    def _affine_config(self) -> dict[str, Any]:
        ser = _validate.serialize_or_none
        return {
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": ser(regularizers, self.beta_regularizer),
            "gamma_regularizer": ser(regularizers, self.gamma_regularizer),
            "beta_constraint": ser(constraints, self.beta_constraint),
            "gamma_constraint": ser(constraints, self.gamma_constraint),
        }


def _known_dim(layer: Layer, shape: tuple, axis: int) -> int:
    dim = shape[axis]
    if dim is None:
        raise ValueError(
            f'Layer "{layer.name}": axis {axis} of the input must have a known size, '
            f"received input shape {shape}."
        )
    return int(dim)


def _check_axis_size(layer: Layer, x: jax.Array, axes: list[int], expected: tuple) -> None:
    got = tuple(x.shape[a] for a in axes)
    if got != tuple(expected):
        raise ValueError(
            f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected axis '
            f"{axes if len(axes) > 1 else axes[0]} of input shape to have value "
            f"{expected if len(expected) > 1 else expected[0]}, but received input with shape "
            f"{tuple(x.shape)}"
        )


# --- BatchNormalization --------------------------------------------------------------------------
class BatchNormalization(_AffineMixin, Layer):
    """Normalizes each feature with batch statistics in training, moving statistics otherwise.

    In training (``training=True`` and the layer ``trainable``) the outputs are
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta`` with the mean and (biased) variance of
    the batch over every axis but ``axis``, and the new state holds
    ``moving = moving * momentum + batch_stat * (1 - momentum)``. Otherwise the moving
    statistics are used and the state is returned unchanged. As in Keras 3, a frozen layer
    (``trainable=False``) always runs in inference mode.

    ``apply`` accepts a ``mask`` (shape of the inputs without the last axis, e.g. the implicit
    mask of ``Embedding(mask_zero=True)`` that the model passes on) and then weighs the
    statistics by it, as Keras does. ``sample_mask`` (shape ``(batch,)``, 0 for the rows the
    engine pads a partial last batch with) keeps padding out of the batch statistics, so the
    last batch normalizes exactly as Keras's smaller last batch does.

    Args:
        axis: the feature axis (int, default ``-1``).
        momentum: momentum of the moving averages (default 0.99).
        epsilon: added to the variance (default 1e-3).
        center / scale: whether to learn ``beta`` / ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer: initializers of the four weights.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: penalties and
            projections of ``beta`` / ``gamma``.
        synchronized: only ``False`` (multi-device statistics come from the batch sharding).
        renorm: only ``False`` (batch renormalization is not supported).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> bn = BatchNormalization()
        >>> v = bn.init(jax.random.key(0), jnp.zeros((1, 2)))
        >>> y, state = bn.apply(v, jnp.array([[0.0, 2.0], [2.0, 4.0]]), training=True)
        >>> [round(float(a), 2) for a in state["moving_mean"]]
        [0.01, 0.03]
    """

    supports_masking = True

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        renorm: bool = False,
        renorm_clipping: Any = None,
        renorm_momentum: float = 0.99,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "BatchNormalization"
        self.axis = axis_arg(owner, axis, allow_list=False)
        self.momentum = _validate.real(owner, "momentum", momentum, low=0.0, high=1.0)
        self.epsilon = _validate.real(owner, "epsilon", epsilon, low=0.0)
        self._set_affine(
            owner,
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        if renorm:
            raise ValueError(
                f"{owner}: argument `renorm=True` is not supported by jnn, received {renorm!r}."
            )
        if synchronized:
            raise ValueError(
                f"{owner}: argument `synchronized=True` is not supported by jnn (as with Keras "
                "on JAX); statistics are computed over the whole (sharded) batch."
            )
        self.synchronized = False
        self.renorm = False
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        shape = tuple(input_spec.shape)
        self.check_input_shape(shape)
        (axis,) = resolve_axes(self, self.axis, len(shape))
        dim = (_known_dim(self, shape, axis),)
        dtype = self.variable_dtype
        p_key, m_key, v_key = jax.random.split(key, 3)
        state = {
            "moving_mean": self.moving_mean_initializer(m_key, dim, dtype),
            "moving_variance": self.moving_variance_initializer(v_key, dim, dtype),
        }
        return {"params": self._affine_params(p_key, dim, dtype), "state": state}

    def _moments(self, x, reduce, mask, sample_mask=None):
        m = None
        if mask is not None:
            m = jnp.broadcast_to(jnp.expand_dims(jnp.asarray(mask, bool), -1), x.shape)
        if sample_mask is not None and x.ndim > 0 and sample_mask.shape == x.shape[:1]:
            rows = jnp.reshape(jnp.asarray(sample_mask) > 0, (-1,) + (1,) * (x.ndim - 1))
            m = rows if m is None else m & rows
        if m is None:
            return jnp.mean(x, axis=reduce), jnp.var(x, axis=reduce)
        m = jnp.broadcast_to(m, x.shape)
        w = m.astype(x.dtype)
        total = jnp.sum(w, axis=reduce, keepdims=True) + jnp.asarray(1e-7, x.dtype)
        mean = jnp.sum(jnp.where(m, x, 0), axis=reduce, keepdims=True) / total
        var = jnp.sum(jnp.where(m, jnp.square(x - mean), 0), axis=reduce, keepdims=True) / total
        return jnp.reshape(mean, (-1,)), jnp.reshape(var, (-1,))

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None,
              sample_mask=None):
        del rng
        x = jnp.asarray(inputs)
        self.check_input_shape(x.shape)
        (axis,) = resolve_axes(self, self.axis, x.ndim)
        params, state = variables["params"], variables["state"]
        _check_axis_size(self, x, [axis], state["moving_mean"].shape)
        x = x.astype(stats_dtype(x))
        reduce = tuple(a for a in range(x.ndim) if a != axis)
        moving_mean = state["moving_mean"].astype(x.dtype)
        moving_var = state["moving_variance"].astype(x.dtype)
        if training and self.trainable:
            mean, var = self._moments(x, reduce, mask, sample_mask)
            m = self.momentum
            new_state = {
                "moving_mean": (moving_mean * m + mean * (1.0 - m)).astype(
                    state["moving_mean"].dtype
                ),
                "moving_variance": (moving_var * m + var * (1.0 - m)).astype(
                    state["moving_variance"].dtype
                ),
            }
        else:
            mean, var, new_state = moving_mean, moving_var, dict(state)

        def bcast(v):
            return broadcast_to_axes(v, [axis], x.ndim, x.dtype)

        y = affine_normalize(
            x,
            bcast(mean),
            bcast(var),
            bcast(params.get("gamma")),
            bcast(params.get("beta")),
            self.epsilon,
        )
        return y.astype(self.compute_dtype), new_state

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            **self._affine_config(),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


# --- LayerNormalization --------------------------------------------------------------------------
class LayerNormalization(_AffineMixin, Layer):
    """Normalizes each sample over ``axis`` (mean 0, variance 1), then scales and shifts.

    Args:
        axis: int or list of ints, the axes normalized (and the shape of ``gamma``/``beta``).
        epsilon: added to the variance (default 1e-3).
        center / scale: whether to learn ``beta`` / ``gamma``.
        rms_scaling: Keras's deprecated flag: ``x * rsqrt(var + epsilon) * gamma`` (no centring
            of the output, no ``beta``).
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
            beta_constraint, gamma_constraint: as in Dense.

    Example:
        >>> LayerNormalization(axis=[1, 2]).get_config()["axis"]
        [1, 2]
    """

    supports_masking = True

    def __init__(
        self,
        axis: Any = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        rms_scaling: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "LayerNormalization"
        self.axis = axis_arg(owner, axis)
        self.epsilon = _validate.real(owner, "epsilon", epsilon, low=0.0)
        self.rms_scaling = _bool(owner, "rms_scaling", rms_scaling)
        self._set_affine(
            owner,
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )

    def _has(self, name: str) -> bool:
        if name == "gamma":
            return self.scale or self.rms_scaling
        return self.center and not self.rms_scaling

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        shape = tuple(input_spec.shape)
        axes = resolve_axes(self, self.axis, len(shape))
        wshape = tuple(_known_dim(self, shape, a) for a in axes)
        params = self._affine_params(
            key, wshape, self.variable_dtype, self._has("gamma"), self._has("beta")
        )
        return {"params": params, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del training, rng, mask
        x = jnp.asarray(inputs)
        axes = resolve_axes(self, self.axis, x.ndim)
        params = variables["params"]
        ref = params.get("gamma", params.get("beta"))
        if ref is not None:
            _check_axis_size(self, x, axes, ref.shape)
        x = x.astype(stats_dtype(x))

        def bcast(v):
            return broadcast_to_axes(v, axes, x.ndim, x.dtype)

        gamma, beta = bcast(params.get("gamma")), bcast(params.get("beta"))
        var = jnp.var(x, axis=tuple(axes), keepdims=True)
        if self.rms_scaling:
            y = x * jax.lax.rsqrt(var + jnp.asarray(self.epsilon, x.dtype))
            y = y if gamma is None else y * gamma
        else:
            mean = jnp.mean(x, axis=tuple(axes), keepdims=True)
            y = affine_normalize(x, mean, var, gamma, beta, self.epsilon)
        return y.astype(self.compute_dtype), {}

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
        config.update(self._affine_config())
        config["rms_scaling"] = self.rms_scaling
        return config


# --- GroupNormalization --------------------------------------------------------------------------
class GroupNormalization(_AffineMixin, Layer):
    """Splits the channels (``axis``) into ``groups`` and normalizes each group of each sample
    over the group's channels and every other non-batch axis.

    ``groups=-1`` is instance normalization (one group per channel); ``groups=1`` is layer
    normalization over all non-batch axes.

    Args:
        groups: positive int dividing the number of channels, or -1.
        axis: the channel axis (default -1).
        epsilon, center, scale, initializers, regularizers, constraints: as in
            LayerNormalization; ``gamma`` and ``beta`` have one value per channel.

    Example:
        >>> GroupNormalization(groups=2).groups
        2
    """

    supports_masking = True

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "GroupNormalization"
        if not _is_int(groups) or (groups <= 0 and groups != -1):
            raise ValueError(
                f"{owner}: argument `groups` must be a positive int (or -1 for instance "
                f"normalization), received {groups!r}."
            )
        self.groups = int(groups)
        self.axis = axis_arg(owner, axis, allow_list=False)
        self.epsilon = _validate.real(owner, "epsilon", epsilon, low=0.0)
        self._set_affine(
            owner,
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )

    def _num_groups(self, dim: int) -> int:
        groups = dim if self.groups == -1 else self.groups
        if dim < groups:
            raise ValueError(
                f'Layer "{self.name}": the number of groups ({groups}) cannot be more than the '
                f"number of channels ({dim})."
            )
        if dim % groups:
            raise ValueError(
                f'Layer "{self.name}": the number of channels ({dim}) must be a multiple of '
                f"the number of groups ({groups})."
            )
        return groups

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        shape = tuple(input_spec.shape)
        (axis,) = resolve_axes(self, self.axis, len(shape))
        dim = _known_dim(self, shape, axis)
        self._num_groups(dim)
        return {"params": self._affine_params(key, (dim,), self.variable_dtype), "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del training, rng, mask
        x = jnp.asarray(inputs)
        (axis,) = resolve_axes(self, self.axis, x.ndim)
        dim = x.shape[axis]
        groups = self._num_groups(dim)
        params = variables["params"]
        ref = params.get("gamma", params.get("beta"))
        if ref is not None:
            _check_axis_size(self, x, [axis], ref.shape)
        shape = x.shape
        xg = jnp.reshape(x, shape[:axis] + (groups, dim // groups) + shape[axis + 1 :])
        xg = xg.astype(stats_dtype(xg))
        reduce = tuple(a for a in range(1, xg.ndim) if a != axis)
        mean = jnp.mean(xg, axis=reduce, keepdims=True)
        var = jnp.var(xg, axis=reduce, keepdims=True)

        def bcast(v):
            if v is None:
                return None
            return broadcast_to_axes(
                jnp.reshape(v.astype(xg.dtype), (groups, dim // groups)),
                [axis, axis + 1],
                xg.ndim,
            )

        y = affine_normalize(
            xg, mean, var, bcast(params.get("gamma")), bcast(params.get("beta")), self.epsilon
        )
        return jnp.reshape(y, shape).astype(self.compute_dtype), {}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            **self._affine_config(),
        }


# --- RMSNormalization / UnitNormalization --------------------------------------------------------
class RMSNormalization(Layer):
    """Root-mean-square normalization: ``x * rsqrt(mean(x**2, axis) + epsilon) * scale``.

    Args:
        axis: int or list of ints normalized (and the shape of the weight ``scale``).
        epsilon: added to the mean square (default 1e-6).

    Example:
        >>> RMSNormalization().epsilon
        1e-06
    """

    supports_masking = True

    def __init__(self, axis: Any = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis_arg("RMSNormalization", axis)
        self.epsilon = _validate.real("RMSNormalization", "epsilon", epsilon, low=0.0)

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        del key
        shape = tuple(input_spec.shape)
        axes = resolve_axes(self, self.axis, len(shape))
        wshape = tuple(_known_dim(self, shape, a) for a in axes)
        return {"params": {"scale": jnp.ones(wshape, self.variable_dtype)}, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del training, rng, mask
        x = jnp.asarray(inputs)
        axes = resolve_axes(self, self.axis, x.ndim)
        scale = variables["params"]["scale"]
        _check_axis_size(self, x, axes, scale.shape)
        x = x.astype(stats_dtype(x))
        ms = jnp.mean(jnp.square(x), axis=tuple(axes), keepdims=True)
        y = x * jax.lax.rsqrt(ms + jnp.asarray(self.epsilon, x.dtype))
        y = y * broadcast_to_axes(scale.astype(x.dtype), axes, x.ndim)
        return y.astype(self.compute_dtype), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over ``axis`` (``x * min(rsqrt(sum(x**2)), 1e12)``).

    Example:
        >>> import jax.numpy as jnp
        >>> UnitNormalization().apply({"params": {}, "state": {}}, jnp.array([[3.0, 4.0]]))[0]
        Array([[0.6, 0.8]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis_arg("UnitNormalization", axis)

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None):
        del variables, training, rng, mask
        x = self.cast_inputs(jnp.asarray(inputs))
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.compute_dtype)
        axes = tuple(resolve_axes(self, self.axis, x.ndim))
        # max inside the rsqrt (not min outside): same values, and a finite gradient at x = 0
        # (min(rsqrt(0), c) differentiates rsqrt at 0: 0 * inf = NaN).
        squares = jnp.sum(jnp.square(x), axis=axes, keepdims=True)
        return x * jax.lax.rsqrt(jnp.maximum(squares, jnp.asarray(1e-24, x.dtype))), {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
