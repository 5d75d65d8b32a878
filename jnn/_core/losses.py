"""Losses with Keras 3 numerics, as pure functions and small configuration objects.

Three layers, from the bottom up:

* function forms (``binary_crossentropy(y_true, y_pred)`` ...) return per-sample values,
  reduced over the last axis exactly as Keras does (probabilities clipped to
  ``[1e-7, 1 - 1e-7]``, softmax outputs renormalised, stable log-softmax / log-sigmoid when
  ``from_logits=True``);
* :func:`compute_weighted_loss` applies sample weights, an optional row mask (padding) and a
  Keras reduction (``"sum_over_batch_size"``, ``"sum"``, ``"mean"``,
  ``"mean_with_sample_weight"``, ``"none"`` / ``None``);
* :class:`Loss` objects hold the configuration: ``loss.call`` gives per-sample values,
  ``loss(y_true, y_pred, sample_weight)`` the reduced scalar.

:func:`get` / :func:`serialize` / :func:`deserialize` resolve identifiers, and
:func:`validate_targets` checks targets on the host before training, with clear messages.

Example:
    >>> import jax.numpy as jnp
    >>> from jnn._core import losses
    >>> loss = losses.get("sparse_categorical_crossentropy")
    >>> round(float(loss(jnp.array([1, 2]), jnp.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))), 3)
    1.177
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.layers.base import to_snake_case

EPSILON = 1e-7  # Keras's backend.epsilon()
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)

Array = jax.Array


# --- shape helpers ------------------------------------------------------------------------------
def _float(x: Any) -> Array:
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(jnp.float32)


def squeeze_or_expand_to_same_rank(
    x1: Array, x2: Array, expand_rank_1: bool = True
) -> tuple[Array, Array]:
    """Keras's rule: when ranks differ by one and the longer has a trailing 1, squeeze it
    (or expand the other one when it is rank 1 and ``expand_rank_1``)."""
    r1, r2 = jnp.ndim(x1), jnp.ndim(x2)
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = jnp.expand_dims(x2, -1)
        else:
            x1 = jnp.squeeze(x1, -1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = jnp.expand_dims(x1, -1)
        else:
            x2 = jnp.squeeze(x2, -1)
    return x1, x2


def _align_weight(values: Array, weight: Array, what: str) -> tuple[Array, Array]:
    """Aligns a per-sample weight (or mask) with ``values`` the Keras way, then appends
    trailing unit axes so that a ``(B,)`` weight broadcasts over ``(B, T, ...)`` values."""
    if values.ndim == 0:  # e.g. a mean over rank-1 outputs: Keras broadcasts the scalar
        return values, weight
    values, weight = squeeze_or_expand_to_same_rank(values, weight)
    if weight.ndim > values.ndim:
        raise ValueError(
            f"`{what}` must not have more dimensions than the per-sample loss values: "
            f"received {what}.shape={weight.shape} for loss values of shape {values.shape}."
        )
    weight = jnp.reshape(weight, weight.shape + (1,) * (values.ndim - weight.ndim))
    for dw, dv in zip(weight.shape, values.shape):
        if dw not in (1, dv):
            raise ValueError(
                f"`{what}` of shape {weight.shape} cannot be broadcast to the per-sample "
                f"loss values of shape {values.shape}."
            )
    return values, weight


def _divide_no_nan(num: Array, den: Array) -> Array:
    # The safe denominator keeps gradients finite where den == 0.
    safe = jnp.where(den == 0, jnp.ones_like(den), den)
    return jnp.where(den == 0, jnp.zeros_like(num), num / safe)


def l2_normalize(x: Array, axis: int = -1) -> Array:
    """``x / max(||x||, eps)`` written as Keras does (``x * min(rsqrt(sum x^2), 1/eps)``)."""
    inv = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    return x * jnp.minimum(inv, 1.0 / EPSILON)


def _check_same_shape(target: Array, output: Array, fn: str) -> None:
    if target.shape != output.shape:
        raise ValueError(
            f"{fn}: `y_true` and `y_pred` must have the same shape. Received: "
            f"y_true.shape={target.shape}, y_pred.shape={output.shape}."
        )


def _check_axis(axis: Any) -> None:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis!r}")


# --- elementwise crossentropies (Keras backend ops) ---------------------------------------------
def _binary_ce_elementwise(target: Array, output: Array, from_logits: bool) -> Array:
    _check_same_shape(target, output, "binary_crossentropy")
    if from_logits:
        return -target * jax.nn.log_sigmoid(output) - (1.0 - target) * jax.nn.log_sigmoid(-output)
    output = jnp.clip(output, EPSILON, 1.0 - EPSILON)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


def _log_probs(output: Array, from_logits: bool, axis: int) -> Array:
    if from_logits:
        return jax.nn.log_softmax(output, axis=axis)
    output = output / jnp.sum(output, axis=axis, keepdims=True)
    return jnp.log(jnp.clip(output, EPSILON, 1.0 - EPSILON))


# --- function forms -----------------------------------------------------------------------------
def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Array:
    """Binary crossentropy, averaged over ``axis``.

    Example:
        >>> float(binary_crossentropy(jnp.array([[1.0]]), jnp.array([[0.5]]))[0])  # log 2
        0.693147...
    """
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return jnp.mean(_binary_ce_elementwise(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Array:
    """Binary focal crossentropy (Lin et al., 2018), averaged over ``axis``.

    Example:
        >>> binary_focal_crossentropy(jnp.array([[0.0, 1.0]]), jnp.array([[0.4, 0.6]]), gamma=2.0)
        Array([0.08173...], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = jax.nn.sigmoid(y_pred)
    bce = _binary_ce_elementwise(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = jnp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return jnp.mean(focal_bce, axis=axis)


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Array:
    """Categorical crossentropy between one-hot (or soft) targets and predictions.

    Example:
        >>> categorical_crossentropy(jnp.array([[0, 1, 0]]), jnp.array([[0.05, 0.95, 0.0]]))
        Array([0.05129...], dtype=float32)
    """
    _check_axis(axis)
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    _check_same_shape(y_true, y_pred, "categorical_crossentropy")
    return -jnp.sum(y_true * _log_probs(y_pred, from_logits, axis), axis=axis)


def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Array:
    """Categorical focal crossentropy: ``sum(alpha * (1 - p)^gamma * -y_true * log(p))``.

    Example:
        >>> categorical_focal_crossentropy(jnp.array([[0, 1]]), jnp.array([[0.5, 0.5]]), gamma=0.0)
        Array([0.17328...], dtype=float32)
    """
    _check_axis(axis)
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        y_pred = jax.nn.softmax(y_pred, axis=axis)
    output = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    output = jnp.clip(output, EPSILON, 1.0 - EPSILON)
    cce = -y_true * jnp.log(output)
    focal = jnp.power(1.0 - output, gamma) * alpha * cce
    return jnp.sum(focal, axis=axis)


def _sparse_ce(y_true: Array, y_pred: Array, from_logits: bool, axis: int) -> Array:
    target = y_true.astype(jnp.int32)
    if target.ndim == y_pred.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, -1)
    class_axis = axis % y_pred.ndim
    expected = tuple(d for i, d in enumerate(y_pred.shape) if i != class_axis)
    if target.shape != expected:
        raise ValueError(
            "sparse_categorical_crossentropy: `y_true` must have the shape of `y_pred` without "
            f"the class axis. Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}."
        )
    one_hot = jax.nn.one_hot(target, y_pred.shape[class_axis], axis=axis, dtype=y_pred.dtype)
    return -jnp.sum(one_hot * _log_probs(y_pred, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy_with_mask(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None, axis=-1
) -> tuple[Array, Array | None]:
    """Sparse categorical crossentropy plus the mask of entries not equal to ``ignore_class``
    (``None`` when ``ignore_class`` is None). The mask drives the loss reduction.

    Example:
        >>> v, m = sparse_categorical_crossentropy_with_mask(
        ...     jnp.array([1, -1]), jnp.array([[0.1, 0.9], [0.5, 0.5]]), ignore_class=-1)
        >>> m
        Array([ True, False], dtype=bool)
    """
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = jnp.squeeze(y_true, axis)
    if ignore_class is None:
        return _sparse_ce(y_true, y_pred, from_logits, axis), None
    valid = y_true != jnp.asarray(ignore_class, y_true.dtype)
    y_true = jnp.where(valid, y_true, jnp.zeros_like(y_true))
    y_pred = jnp.where(jnp.expand_dims(valid, axis), y_pred, jnp.zeros_like(y_pred))
    res = _sparse_ce(y_true, y_pred, from_logits, axis)
    valid = jnp.reshape(valid, res.shape)
    return jnp.where(valid, res, jnp.zeros_like(res)), valid


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None, axis=-1
) -> Array:
    """Crossentropy between integer labels (shape ``(B,)`` or ``(B, 1)``) and predictions.

    Entries equal to ``ignore_class`` give 0 (and are left out of the reduction by
    :class:`SparseCategoricalCrossentropy`).

    Example:
        >>> sparse_categorical_crossentropy(jnp.array([1, 2]),
        ...                                 jnp.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]]))
        Array([0.05129..., 2.30258...], dtype=float32)
    """
    return sparse_categorical_crossentropy_with_mask(
        y_true, y_pred, from_logits, ignore_class, axis
    )[0]


def _regression_pair(y_true: Any, y_pred: Any) -> tuple[Array, Array]:
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    try:
        np.broadcast_shapes(y_true.shape, y_pred.shape)
    except ValueError:
        raise ValueError(
            f"`y_true` and `y_pred` have incompatible shapes: y_true.shape={y_true.shape}, "
            f"y_pred.shape={y_pred.shape}. The targets must have the predictions' shape."
        ) from None
    return y_true, y_pred


def mean_squared_error(y_true: Any, y_pred: Any) -> Array:
    """``mean(square(y_true - y_pred), axis=-1)``.

    Example:
        >>> mean_squared_error(jnp.array([[0.0, 1.0]]), jnp.array([[1.0, 1.0]]))
        Array([0.5], dtype=float32)
    """
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return jnp.mean(jnp.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Array:
    """``mean(abs(y_true - y_pred), axis=-1)``.

    Example:
        >>> mean_absolute_error(jnp.array([[0.0, 1.0]]), jnp.array([[2.0, 1.0]]))
        Array([1.], dtype=float32)
    """
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Array:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), eps)), axis=-1)``.

    Example:
        >>> mean_absolute_percentage_error(jnp.array([[2.0, 4.0]]), jnp.array([[1.0, 4.0]]))
        Array([25.], dtype=float32)
    """
    y_true, y_pred = _regression_pair(y_true, y_pred)
    diff = jnp.abs((y_true - y_pred) / jnp.maximum(jnp.abs(y_true), EPSILON))
    return 100.0 * jnp.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Array:
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``.

    Example:
        >>> mean_squared_logarithmic_error(jnp.array([[0.0]]), jnp.array([[0.0]]))
        Array([0.], dtype=float32)
    """
    y_true, y_pred = _regression_pair(y_true, y_pred)
    first = jnp.log(jnp.maximum(y_pred, EPSILON) + 1.0)
    second = jnp.log(jnp.maximum(y_true, EPSILON) + 1.0)
    return jnp.mean(jnp.square(first - second), axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Array:
    """Huber loss: quadratic for ``|error| <= delta``, linear beyond; mean over the last axis.

    Example:
        >>> huber(jnp.array([[0.0, 0.0]]), jnp.array([[0.5, 3.0]]))
        Array([1.3125], dtype=float32)
    """
    y_true, y_pred = _regression_pair(y_true, y_pred)
    delta = jnp.asarray(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = jnp.abs(error)
    quadratic = 0.5 * jnp.square(error)
    linear = delta * abs_error - 0.5 * jnp.square(delta)
    return jnp.mean(jnp.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Array:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably.

    Example:
        >>> log_cosh(jnp.array([[0.0]]), jnp.array([[0.0]]))
        Array([0.], dtype=float32)
    """
    y_true, y_pred = _regression_pair(y_true, y_pred)
    x = y_pred - y_true
    return jnp.mean(x + jax.nn.softplus(-2.0 * x) - jnp.log(2.0).astype(x.dtype), axis=-1)


def kl_divergence(y_true: Any, y_pred: Any) -> Array:
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[eps, 1]``.

    Example:
        >>> kl_divergence(jnp.array([[0.5, 0.5]]), jnp.array([[0.5, 0.5]]))
        Array([0.], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = jnp.clip(jnp.asarray(y_true).astype(y_pred.dtype), EPSILON, 1)
    y_pred = jnp.clip(y_pred, EPSILON, 1)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Array:
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``.

    Example:
        >>> poisson(jnp.array([[0.0]]), jnp.array([[2.0]]))
        Array([2.], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + EPSILON), axis=-1)


def _to_hinge_labels(y_true: Array) -> Array:
    # Keras converts {0, 1} labels to {-1, 1} when (and only when) all labels are binary.
    is_binary = jnp.all((y_true == 0) | (y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true: Any, y_pred: Any) -> Array:
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; {0, 1} labels become {-1, 1}.

    Example:
        >>> hinge(jnp.array([[1.0, 0.0]]), jnp.array([[0.5, 0.5]]))
        Array([1.], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = _to_hinge_labels(jnp.asarray(y_true).astype(y_pred.dtype))
    return jnp.mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Array:
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``.

    Example:
        >>> squared_hinge(jnp.array([[1.0, 0.0]]), jnp.array([[0.5, 0.5]]))
        Array([1.25], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = _to_hinge_labels(jnp.asarray(y_true).astype(y_pred.dtype))
    return jnp.mean(jnp.square(jnp.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Array:
    """``maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``.

    Example:
        >>> categorical_hinge(jnp.array([[0.0, 1.0]]), jnp.array([[0.3, 0.7]]))
        Array([0.6], dtype=float32)
    """
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true).astype(y_pred.dtype)
    pos = jnp.sum(y_true * y_pred, axis=-1)
    neg = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(neg - pos + 1.0, 0.0)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Array:
    """Negative cosine similarity (-1 is best): ``-sum(l2_norm(y_true) * l2_norm(y_pred))``.

    Example:
        >>> cosine_similarity(jnp.array([[1.0, 0.0]]), jnp.array([[2.0, 0.0]]))
        Array([-1.], dtype=float32)
    """
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return -jnp.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


# Keras spellings.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy


# --- reduction ----------------------------------------------------------------------------------
def standardize_reduction(reduction: Any) -> str | None:
    """Validates a Keras reduction name."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {list(REDUCTIONS)}. "
            f"Received: reduction={reduction!r}"
        )
    return reduction


def compute_weighted_loss(
    values: Any,
    sample_weight: Any = None,
    reduction: str | None = "sum_over_batch_size",
    mask: Any = None,
) -> Array:
    """Weights per-sample loss values and reduces them as Keras 3 does.

    ``sample_weight`` of shape ``(B,)``, ``(B, 1)`` or the shape of ``values`` is aligned with
    ``values`` by Keras's squeeze/expand rule (a ``(B,)`` weight also broadcasts over
    ``(B, T, ...)`` values). ``mask`` (for example ``(B,)`` of 0/1 marking real rows of a
    padded batch) removes entries from both the weighted sum and the element count, so a
    padded batch with its mask gives exactly the loss of the unpadded batch. Jit-safe: the
    output shape depends only on the input shapes.

    Args:
        values: per-sample (or per-element) loss values, e.g. ``loss.call(y_true, y_pred)``.
        sample_weight: optional weights broadcastable to ``values`` as above.
        reduction: ``"sum_over_batch_size"`` / ``"mean"`` (weighted sum divided by the number
            of (unmasked) elements), ``"sum"``, ``"mean_with_sample_weight"`` (divided by the
            sum of the weights) or ``"none"`` / ``None`` (weighted values, unreduced).
        mask: optional 0/1 (or boolean) mask broadcastable to ``values`` the same way.

    Returns:
        A scalar, or the weighted values for ``"none"``.

    Example:
        >>> compute_weighted_loss(jnp.array([1.0, 3.0, 7.0]), mask=jnp.array([1.0, 1.0, 0.0]))
        Array(2., dtype=float32)
    """
    reduction = standardize_reduction(reduction)
    values = _float(values)
    weight = None
    if sample_weight is not None:
        values, weight = _align_weight(
            values, jnp.asarray(sample_weight, values.dtype), "sample_weight"
        )
    m = None
    if mask is not None:
        values, m = _align_weight(values, jnp.asarray(mask).astype(values.dtype), "mask")
        weight = m if weight is None else weight * m
    if weight is not None:
        # Zero-weight entries contribute exactly 0, even when their value is not finite.
        values = jnp.where(weight == 0, jnp.zeros_like(values), values * weight)
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = jnp.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weight is not None:
        if mask is None and jnp.ndim(sample_weight) == 0:
            divisor = jnp.asarray(sample_weight, values.dtype)  # Keras: sum of the scalar
        else:
            divisor = jnp.sum(jnp.broadcast_to(weight, values.shape))
    elif m is not None:
        divisor = jnp.sum(jnp.broadcast_to(m, values.shape))
    else:
        divisor = jnp.asarray(math.prod(values.shape), values.dtype)
    return _divide_no_nan(total, divisor)


# --- loss objects -------------------------------------------------------------------------------
def _compute_dtype(dtype: Any) -> Any:
    if dtype is None:
        return jnp.float32
    if hasattr(dtype, "compute_dtype"):
        return jnp.dtype(dtype.compute_dtype)
    if isinstance(dtype, dict):
        dtype = dtype.get("config", dtype).get("name", "float32")
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        dtype = dtype[len("mixed_") :]
    return jnp.dtype(dtype)


class Loss:
    """Base class of losses: configuration plus ``call`` (per-sample values).

    Subclasses implement ``call(y_true, y_pred)``; calling the loss object converts inputs to
    the loss dtype (float32 unless ``dtype`` says otherwise), calls ``call`` and reduces with
    :func:`compute_weighted_loss`.

    Args:
        name: name of the loss (snake-case class name by default).
        reduction: see :func:`compute_weighted_loss`.
        dtype: computation dtype (``None`` -> float32, as Keras's floatx).

    Example:
        >>> class Abs(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)
        >>> Abs()(jnp.zeros((2, 1)), jnp.ones((2, 1)))
        Array(1., dtype=float32)
    """

    def __init__(
        self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None
    ) -> None:
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype_arg = dtype
        self._dtype = _compute_dtype(dtype)

    @property
    def dtype(self) -> str:
        return jnp.dtype(self._dtype).name

    def call(self, y_true: Any, y_pred: Any) -> Array:
        """Per-sample loss values (no weighting, no reduction)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call`.")

    def call_with_mask(self, y_true: Any, y_pred: Any) -> tuple[Array, Array | None]:
        """``(values, mask)``: per-sample values and the entries that count (None: all)."""
        return self.call(y_true, y_pred), None

    def _convert(self, x: Any) -> Any:
        return jax.tree.map(lambda a: jnp.asarray(a).astype(self._dtype), x)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None, mask: Any = None):
        """The reduced loss. ``mask`` (e.g. ``(B,)`` 0/1 for padded rows) is combined with the
        loss's own mask (``ignore_class``) and removes entries from sum and count."""
        values, own_mask = self.call_with_mask(self._convert(y_true), self._convert(y_pred))
        if own_mask is not None:
            own_mask = own_mask.astype(values.dtype)
            if mask is not None:
                _, row = _align_weight(own_mask, jnp.asarray(mask).astype(values.dtype), "mask")
                own_mask = own_mask * row
            mask = own_mask
        return compute_weighted_loss(values, sample_weight, self.reduction, mask)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """A loss object around a function ``fn(y_true, y_pred, **kwargs) -> per-sample values``.

    Example:
        >>> loss = LossFunctionWrapper(mean_absolute_error, name="mae")
        >>> loss(jnp.zeros((2, 3)), jnp.ones((2, 3)))
        Array(1., dtype=float32)
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype=None,
        **kwargs: Any,
    ) -> None:
        if not callable(fn):
            raise ValueError(f"LossFunctionWrapper: `fn` must be callable, received {fn!r}.")
        super().__init__(
            name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype
        )
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Array:
        y_true, y_pred = squeeze_or_expand_to_same_rank(jnp.asarray(y_true), jnp.asarray(y_pred))
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fn": serialize(self.fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            config["fn"] = deserialize(config["fn"], _function=True)
        return cls(**config)

    def __repr__(self) -> str:
        fn = getattr(self.fn, "__name__", self.fn)
        return f"<LossFunctionWrapper({fn}, kwargs={self._fn_kwargs})>"


class _BuiltinLoss(LossFunctionWrapper):
    """A Keras loss class: a fixed function plus Keras-named keyword arguments."""

    _fn: Callable[..., Any]

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(type(self)._fn, name=name, reduction=reduction, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    __repr__ = Loss.__repr__

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**{k: v for k, v in config.items() if k not in ("fn", "dtype")})


class MeanSquaredError(_BuiltinLoss):
    """Mean of squares of errors. Example: ``MeanSquaredError()(y_true, y_pred)``."""

    _fn = staticmethod(mean_squared_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(_BuiltinLoss):
    """Mean of absolute errors. Example: ``MeanAbsoluteError()(y_true, y_pred)``."""

    _fn = staticmethod(mean_absolute_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_BuiltinLoss):
    """Mean absolute percentage error. Example: ``MeanAbsolutePercentageError()(y, p)``."""

    _fn = staticmethod(mean_absolute_percentage_error)

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    """Mean squared logarithmic error. Example: ``MeanSquaredLogarithmicError()(y, p)``."""

    _fn = staticmethod(mean_squared_logarithmic_error)

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(_BuiltinLoss):
    """Negative cosine similarity along ``axis``. Example: ``CosineSimilarity(axis=1)(y, p)``."""

    _fn = staticmethod(cosine_similarity)

    def __init__(
        self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype, axis=axis)


class Huber(_BuiltinLoss):
    """Huber loss with threshold ``delta``. Example: ``Huber(delta=0.5)(y_true, y_pred)``."""

    _fn = staticmethod(huber)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype, delta=delta)


class LogCosh(_BuiltinLoss):
    """Log of the hyperbolic cosine of the error. Example: ``LogCosh()(y_true, y_pred)``."""

    _fn = staticmethod(log_cosh)

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class Hinge(_BuiltinLoss):
    """Hinge loss ({0, 1} labels become {-1, 1}). Example: ``Hinge()(y_true, y_pred)``."""

    _fn = staticmethod(hinge)

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(_BuiltinLoss):
    """Squared hinge loss. Example: ``SquaredHinge()(y_true, y_pred)``."""

    _fn = staticmethod(squared_hinge)

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(_BuiltinLoss):
    """Categorical hinge loss. Example: ``CategoricalHinge()(y_true, y_pred)``."""

    _fn = staticmethod(categorical_hinge)

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence. Example: ``KLDivergence()(y_true, y_pred)``."""

    _fn = staticmethod(kl_divergence)

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class Poisson(_BuiltinLoss):
    """Poisson loss. Example: ``Poisson()(y_true, y_pred)``."""

    _fn = staticmethod(poisson)

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)


class BinaryCrossentropy(_BuiltinLoss):
    """Binary crossentropy. Example: ``BinaryCrossentropy(from_logits=True)(y_true, logits)``."""

    _fn = staticmethod(binary_crossentropy)

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class BinaryFocalCrossentropy(_BuiltinLoss):
    """Binary focal crossentropy. Example: ``BinaryFocalCrossentropy(gamma=2.0)(y, p)``."""

    _fn = staticmethod(binary_focal_crossentropy)

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalCrossentropy(_BuiltinLoss):
    """Categorical crossentropy on one-hot targets. Example: ``CategoricalCrossentropy()(y, p)``."""

    _fn = staticmethod(categorical_crossentropy)

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Categorical focal crossentropy. Example: ``CategoricalFocalCrossentropy(gamma=2.0)``."""

    _fn = staticmethod(categorical_focal_crossentropy)

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy on integer labels; ``ignore_class`` entries count neither in sum nor in size.

    Example:
        >>> SparseCategoricalCrossentropy()(jnp.array([1, 2]),
        ...                                 jnp.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]]))
        Array(1.17693..., dtype=float32)
    """

    _fn = staticmethod(sparse_categorical_crossentropy)

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )

    def call_with_mask(self, y_true: Any, y_pred: Any) -> tuple[Array, Array | None]:
        y_true, y_pred = squeeze_or_expand_to_same_rank(jnp.asarray(y_true), jnp.asarray(y_pred))
        return sparse_categorical_crossentropy_with_mask(y_true, y_pred, **self._fn_kwargs)


# --- identifiers --------------------------------------------------------------------------------
_CLASSES: tuple[type[_BuiltinLoss], ...] = (
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    CosineSimilarity,
    Huber,
    LogCosh,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    KLDivergence,
    Poisson,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy,
)
_FN_TO_CLASS: dict[Callable[..., Any], type[_BuiltinLoss]] = {c._fn: c for c in _CLASSES}
_FUNCTIONS: dict[str, Callable[..., Any]] = {fn.__name__: fn for fn in _FN_TO_CLASS}
_FUNCTIONS.update(
    {
        "bce": binary_crossentropy,
        "BCE": binary_crossentropy,
        "mse": mean_squared_error,
        "MSE": mean_squared_error,
        "mae": mean_absolute_error,
        "MAE": mean_absolute_error,
        "mape": mean_absolute_percentage_error,
        "MAPE": mean_absolute_percentage_error,
        "msle": mean_squared_logarithmic_error,
        "MSLE": mean_squared_logarithmic_error,
        "kld": kl_divergence,
        "KLD": kl_divergence,
        "kullback_leibler_divergence": kl_divergence,
        "logcosh": log_cosh,
        "huber_loss": huber,
    }
)
_CLASS_NAMES: dict[str, type[Loss]] = {c.__name__: c for c in _CLASSES}
_CLASS_NAMES["LossFunctionWrapper"] = LossFunctionWrapper


def valid_identifiers() -> list[str]:
    """Every string :func:`get` accepts."""
    return sorted(set(_FUNCTIONS) | set(_CLASS_NAMES) - {"LossFunctionWrapper"})


def serialize(loss: Any) -> Any:
    """A JSON-friendly description of a loss object or loss function (Keras's format).

    Example:
        >>> serialize(MeanSquaredError())["class_name"]
        'MeanSquaredError'
    """
    if isinstance(loss, Loss):
        return {
            "module": "keras.losses",
            "class_name": type(loss).__name__,
            "config": loss.get_config(),
            "registered_name": None,
        }
    if loss is None or isinstance(loss, str):
        return loss
    name = getattr(loss, "__name__", None)
    if name is None or not callable(loss):
        raise ValueError(f"Cannot serialize loss {loss!r}: expected a Loss or a function.")
    return name


def deserialize(
    config: Any, custom_objects: dict[str, Any] | None = None, _function: bool = False
) -> Any:
    """Rebuilds what :func:`serialize` produced (a Loss, or a function by name).

    Example:
        >>> deserialize(serialize(Huber(delta=2.0))).delta
        2.0
    """
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        if config in custom_objects:
            return custom_objects[config]
        if config in _FUNCTIONS:
            return _FUNCTIONS[config]
        if config in _CLASS_NAMES and not _function:
            return _CLASS_NAMES[config]()
        raise ValueError(_unknown(config))
    if isinstance(config, dict) and "class_name" in config:
        name, inner = config["class_name"], config.get("config", {})
        if name == "function":
            return deserialize(inner, custom_objects, _function=True)
        cls = custom_objects.get(name) or _CLASS_NAMES.get(name)
        if cls is None:
            raise ValueError(_unknown(name))
        inner = dict(inner or {})
        if isinstance(inner.get("fn"), (str, dict)):
            inner["fn"] = deserialize(inner["fn"], custom_objects, _function=True)
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)
    raise ValueError(f"Could not deserialize loss from {config!r}.")


def _unknown(identifier: Any) -> str:
    return (
        f"Could not interpret loss identifier: {identifier!r}. "
        f"Valid string identifiers: {valid_identifiers()}."
    )


def get(identifier: Any) -> Loss | None:
    """A :class:`Loss` object from a string (any Keras spelling), a config dict, a Loss class
    or instance, or a plain function ``fn(y_true, y_pred)`` (wrapped, named after it).

    Example:
        >>> type(get("mse")).__name__, get("SparseCategoricalCrossentropy").name
        ('MeanSquaredError', 'sparse_categorical_crossentropy')
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return get(deserialize(identifier))
    if isinstance(identifier, str):
        if identifier in _CLASS_NAMES and identifier != "LossFunctionWrapper":
            return _CLASS_NAMES[identifier]()
        if identifier in _FUNCTIONS:
            return _FN_TO_CLASS[_FUNCTIONS[identifier]]()
        raise ValueError(_unknown(identifier))
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        if identifier in _FN_TO_CLASS:
            return _FN_TO_CLASS[identifier]()
        return LossFunctionWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(_unknown(identifier))


def resolve(identifier: Any, y_true_shape: Any = None, y_pred_shape: Any = None) -> Loss | None:
    """The loss ``compile`` uses: :func:`get`, except that ``"crossentropy"`` / ``"ce"`` become
    binary, sparse categorical or categorical crossentropy from the shapes, as Keras 3's
    ``compile_utils.get_loss`` does (categorical when the shapes are unknown).

    Example:
        >>> resolve("ce", (None,), (None, 10)).name
        'sparse_categorical_crossentropy'
    """
    if not (isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce")):
        return get(identifier)
    if y_true_shape is None or y_pred_shape is None:
        return CategoricalCrossentropy()
    t, p = tuple(y_true_shape), tuple(y_pred_shape)
    if p[-1] == 1:
        return BinaryCrossentropy()
    if len(t) < len(p) or (t[-1] == 1 and p[-1] is not None and p[-1] > 1):
        return SparseCategoricalCrossentropy()
    return CategoricalCrossentropy()


# --- host-side target validation ----------------------------------------------------------------
_ELEMENTWISE = (
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    huber,
    log_cosh,
    binary_crossentropy,
    binary_focal_crossentropy,
    hinge,
    squared_hinge,
    poisson,
    kl_divergence,
    categorical_hinge,
    cosine_similarity,
)


def _loss_fn_and_name(loss: Any) -> tuple[Any, str, dict[str, Any]]:
    if isinstance(loss, str):
        loss = get(loss)
    fn = getattr(loss, "fn", loss)
    name = getattr(loss, "name", None) or getattr(fn, "__name__", repr(fn))
    return fn, name, dict(getattr(loss, "_fn_kwargs", {}) or {})


def validate_targets(loss: Any, y_true: np.ndarray, y_pred_shape: tuple) -> None:
    """Checks training targets against a loss and the model's output shape, on the host.

    Raises a ``ValueError`` that names the loss and the model output shape for the usual
    mistakes: sparse labels out of ``[0, num_classes)``, negative or non-integer sparse labels,
    one-hot targets given to sparse crossentropy, integer labels given to categorical
    crossentropy, and target/output shape mismatches for elementwise losses.
    ``y_pred_shape`` includes the batch axis (which may be ``None``).

    Example:
        >>> validate_targets("sparse_categorical_crossentropy", np.array([0, 10]), (None, 10))
        Traceback (most recent call last):
        ...
        ValueError: Received a label value of 10 which is outside the valid range of [0, 10) ...
    """
    fn, name, kwargs = _loss_fn_and_name(loss)
    y_true = np.asarray(y_true)
    y_pred_shape = tuple(y_pred_shape)
    if fn is sparse_categorical_crossentropy:
        _validate_sparse(name, y_true, y_pred_shape, kwargs.get("ignore_class"))
    elif fn in (categorical_crossentropy, categorical_focal_crossentropy):
        _validate_categorical(name, y_true, y_pred_shape)
    elif fn in _ELEMENTWISE:
        _validate_elementwise(name, y_true, y_pred_shape)


def _validate_sparse(name: str, y: np.ndarray, out: tuple, ignore_class: Any) -> None:
    num_classes = out[-1] if out else None
    if y.ndim == len(out) and y.ndim >= 2 and y.shape[-1] != 1:
        hint = (
            " They look one-hot encoded: use categorical_crossentropy or pass integer labels"
            if y.shape[-1] == num_classes
            else ""
        )
        raise ValueError(
            f"Loss `{name}` expects integer class labels of shape (batch_size,) or "
            f"(batch_size, 1), received targets of shape {y.shape} for a model output of shape "
            f"{out}.{hint} (e.g. `y.argmax(axis=-1)`)."
        )
    if y.size == 0:
        return
    labels = y.reshape(-1)
    if ignore_class is not None:
        labels = labels[labels != ignore_class]
    if labels.size == 0:
        return
    if labels.dtype.kind not in "iub":
        if (
            labels.dtype.kind != "f"
            or not np.all(np.isfinite(labels))
            or np.any(labels != np.floor(labels))
        ):
            bad = (
                labels[~np.isfinite(labels) | (labels != np.floor(labels))][:5]
                if labels.dtype.kind == "f"
                else labels[:5]
            )
            raise ValueError(
                f"Loss `{name}` expects integer class labels, received non-integer values such "
                f"as {bad.tolist()} (model output shape {out}). Pass integer labels, or use "
                "categorical_crossentropy / binary_crossentropy for soft targets."
            )
    low, high = labels.min(), labels.max()
    if low < 0:
        raise ValueError(
            f"Received a label value of {int(low)} which is outside the valid range of "
            f"[0, {num_classes}) for loss `{name}` (model output shape {out}). Class labels "
            "must be non-negative integers."
        )
    if num_classes is not None and high >= num_classes:
        raise ValueError(
            f"Received a label value of {int(high)} which is outside the valid range of "
            f"[0, {num_classes}) for loss `{name}` (model output shape {out}). The last layer "
            f"must have one unit per class: at least {int(high) + 1} units here."
        )


def _validate_categorical(name: str, y: np.ndarray, out: tuple) -> None:
    units = out[-1] if out else None
    as_indices = y.ndim == len(out) - 1 or (y.ndim == len(out) and y.ndim >= 1 and y.shape[-1] == 1)
    if units is not None and units > 1 and as_indices:
        raise ValueError(
            f"Loss `{name}` expects one-hot targets of shape {out}, received targets of shape "
            f"{y.shape} that look like integer class indices: use "
            "sparse_categorical_crossentropy or jnn.utils.to_categorical(y, "
            f"num_classes={units})."
        )
    _check_feature_shapes(name, y.shape, out)


def _validate_elementwise(name: str, y: np.ndarray, out: tuple) -> None:
    t, p = list(y.shape), list(out)
    # Keras's squeeze/expand rule for a trailing axis of size 1.
    if len(p) == len(t) + 1 and p[-1] == 1:
        t = t + [1] if len(t) == 1 else t
        p = p if len(t) == len(p) else p[:-1]
    elif len(t) == len(p) + 1 and t[-1] == 1:
        p = p + [1] if len(p) == 1 else p
        t = t if len(t) == len(p) else t[:-1]
    _check_feature_shapes(name, tuple(t), tuple(p), y.shape, out)


def _check_feature_shapes(name, t, p, shown_t=None, shown_p=None) -> None:
    shown_t = t if shown_t is None else shown_t
    shown_p = p if shown_p is None else shown_p
    same = len(t) == len(p) and all(a is None or b is None or a == b for a, b in zip(t[1:], p[1:]))
    if not same:
        raise ValueError(
            f"Loss `{name}`: targets of shape {tuple(shown_t)} do not match the model output "
            f"shape {tuple(shown_p)}. The targets must have the output's shape (apart from the "
            "batch axis)."
        )


_CROSSENTROPIES = (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
)


def check_logits_hint(
    loss: Any, y_pred: np.ndarray | None = None, *, activation: str | None = None
) -> str | None:
    """A hint when model outputs do not look like what a crossentropy's ``from_logits`` says,
    else ``None``. Host-side, for a warning before training.

    ``activation`` is the registered name of the model's last activation when known
    (``'softmax'``, ``'linear'``, ...): a ``'softmax'``/``'sigmoid'`` output with
    ``from_logits=True``, or a ``'linear'`` output with ``from_logits=False``, gets a hint
    without looking at values. Otherwise ``y_pred`` (sample outputs) is checked: values outside
    [0, 1] with ``from_logits=False``; softmax-like rows with ``from_logits=True``.

    Example:
        >>> check_logits_hint("binary_crossentropy", np.array([[-2.0], [3.0]]))[:40]
        'Loss `binary_crossentropy` expects proba'
    """
    fn, name, kwargs = _loss_fn_and_name(loss)
    if fn not in _CROSSENTROPIES:
        return None
    from_logits = bool(kwargs.get("from_logits", False))
    squash = "sigmoid" if fn in _CROSSENTROPIES[:2] else "softmax"
    if activation is not None:
        hint = _activation_hint(name, from_logits, activation, squash)
        if hint is not None or activation in ("softmax", "sigmoid", "linear", "log_softmax"):
            return hint
    if y_pred is None:
        return None
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_pred.size == 0 or not np.all(np.isfinite(y_pred)):
        return None
    in_unit = bool(np.all((y_pred >= 0.0) & (y_pred <= 1.0)))
    if not from_logits:
        if in_unit:
            return None
        return (
            f"Loss `{name}` expects probabilities (from_logits=False) but the model outputs "
            f"values in [{y_pred.min():.3g}, {y_pred.max():.3g}]: add a {squash} activation "
            "to the last layer or pass `from_logits=True` to the loss."
        )
    rows_sum_to_one = (
        y_pred.ndim >= 2 and y_pred.shape[-1] > 1 and np.allclose(y_pred.sum(-1), 1.0, atol=1e-3)
    )
    if in_unit and (rows_sum_to_one or fn in _CROSSENTROPIES[:2]):
        return (
            f"Loss `{name}` has from_logits=True but the model outputs look like probabilities "
            "(all in [0, 1]): remove the last layer's activation or pass `from_logits=False`."
        )
    return None


def _activation_hint(name: str, from_logits: bool, activation: str, squash: str) -> str | None:
    """check_logits_hint's verdict from the last activation's name alone (or ``None``)."""
    if from_logits and activation in ("softmax", "sigmoid"):
        return (
            f"Loss `{name}` has from_logits=True but the model's last layer applies a "
            f"'{activation}' activation, so its outputs look like probabilities: remove the "
            "last layer's activation or pass `from_logits=False`."
        )
    if not from_logits and activation in ("linear", "log_softmax"):
        return (
            f"Loss `{name}` expects probabilities (from_logits=False) but the model's last "
            f"layer has a '{activation}' activation, so it outputs logits: add a {squash} "
            "activation to the last layer or pass `from_logits=True` to the loss."
        )
    return None
