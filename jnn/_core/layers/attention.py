"""Attention layers: Attention (Luong), AdditiveAttention (Bahdanau), MultiHeadAttention.

``Attention`` / ``AdditiveAttention`` take ``inputs=[query, value]`` or
``[query, value, key]``. ``MultiHeadAttention`` takes ``query`` with ``value=`` (and
``key=``) keyword arguments as in Keras, or ``inputs=[query, value(, key)]`` (the form to
use in a model: ``mha([query, value])``). Keras's implicit masks (from
``Embedding(mask_zero=True)`` / ``Masking``) arrive from the model as ``mask``; explicit
masks are keyword arguments of ``apply``.

Example:
    >>> import jax, jax.numpy as jnp
    >>> mha = MultiHeadAttention(num_heads=2, key_dim=4)
    >>> q = jnp.ones((1, 3, 8))
    >>> v = mha.init(jax.random.key(0), [q, q])
    >>> mha.apply(v, q, value=q)[0].shape
    (1, 3, 8)
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import constraints, initializers, regularizers
from jnn._core.layers import _validate
from jnn._core.layers.base import Layer, Variables
from jnn._core.layers.regularization import dropout as _dropout
from jnn._core.ops.nn import dot_product_attention as _dot_product_attention

_LARGE_NEGATIVE = -1e9  # Keras's masked-softmax fill (float32)


def _split_inputs(owner: Layer, inputs: Any) -> tuple[Any, Any, Any]:
    if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
        raise ValueError(
            f'Layer "{owner.name}" ({type(owner).__name__}) expects `inputs` to be a list '
            f"[query, value] or [query, value, key], received {type(inputs).__name__}."
        )
    q, v = inputs[0], inputs[1]
    k = inputs[2] if len(inputs) == 3 else v
    return q, v, k


def _rng_for(layer: Layer, rng: Any, seed: int | None) -> jax.Array:
    if rng is None:
        raise ValueError(
            f'Layer "{layer.name}" ({type(layer).__name__}) needs a random key when '
            "training=True and dropout > 0: pass `rng=jax.random.key(...)` to apply()."
        )
    return rng if seed is None else jax.random.fold_in(rng, seed)


def _causal(t: int, s: int) -> jax.Array:
    """``(1, t, s)`` lower-triangular boolean mask (query ``i`` sees keys ``j <= i``)."""
    return (jnp.arange(t)[:, None] >= jnp.arange(s)[None, :])[None]


# --- Attention / AdditiveAttention ---------------------------------------------------------------
class _BaseAttention(Layer):
    """Scores, masks, softmax and weighted sum shared by the two single-head layers."""

    supports_masking = True

    def _set_common(self, dropout: float, seed: int | None) -> None:
        owner = type(self).__name__
        self.dropout = _validate.real(owner, "dropout", dropout, low=0.0, high=1.0)
        self.seed = _validate.optional_seed(owner, seed)

    def _scores(self, params: dict, q: jax.Array, k: jax.Array) -> jax.Array:
        raise NotImplementedError

    def apply(
        self,
        variables,
        inputs,
        *,
        training=False,
        rng=None,
        mask=None,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        q, v, k = (self.cast_inputs(jnp.asarray(a)) for a in _split_inputs(self, inputs))
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask and len(mask) > 1 else None
        check_mask_shape(self, "mask[0]", q_mask, q, "query")
        check_mask_shape(self, "mask[1]", v_mask, v, "value")
        scores = self._scores(variables["params"], q, k)
        score_mask = None if v_mask is None else jnp.expand_dims(jnp.asarray(v_mask, bool), -2)
        if use_causal_mask:
            causal = _causal(scores.shape[-2], scores.shape[-1])
            score_mask = causal if score_mask is None else score_mask & causal
        if score_mask is not None:
            scores = jnp.where(score_mask, scores, scores - jnp.asarray(1e9, scores.dtype))
        weights = jax.nn.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            key = _rng_for(self, rng, self.seed)
            weights = _dropout(weights, self.dropout, key, weights.shape)
        out = jnp.matmul(weights, v)
        if q_mask is not None:
            out = jnp.where(jnp.expand_dims(jnp.asarray(q_mask, bool), -1), out, 0)
        return ((out, weights) if return_attention_scores else out), {}

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None or mask[0] is None:
            return None
        return jnp.asarray(mask[0])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)


class Attention(_BaseAttention):
    """Dot-product (Luong) attention: ``softmax(query @ key^T) @ value``.

    Args:
        use_scale: learn a scalar ``scale`` multiplying the scores.
        score_mode: ``"dot"`` (default) or ``"concat"``
            (``concat_score_weight * sum(tanh(scale * (q + k)))``).
        dropout: rate dropped from the attention weights in training.
        seed: optional int folded into the ``rng`` of ``apply``.

    ``apply`` also takes ``mask=[query_mask, value_mask]``, ``return_attention_scores`` and
    ``use_causal_mask``.

    Example:
        >>> import jax.numpy as jnp
        >>> q = jnp.array([[[1.0, 0.0]]]); v = jnp.array([[[1.0, 0.0], [0.0, 1.0]]])
        >>> y, _ = Attention().apply({"params": {}, "state": {}}, [q, v])
        >>> [round(float(a), 3) for a in y[0, 0]]
        [0.731, 0.269]
    """

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                "Attention: argument `score_mode` must be one of ['dot', 'concat'], "
                f"received {score_mode!r}."
            )
        self.score_mode = score_mode
        self._set_common(dropout, seed)

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        del key
        _split_inputs(self, input_spec)
        params = {}
        if self.use_scale:
            params["scale"] = jnp.ones((), self.variable_dtype)
        if self.score_mode == "concat":
            params["concat_score_weight"] = jnp.ones((), self.variable_dtype)
        return {"params": params, "state": {}}

    def _scores(self, params, q, k):
        scale = params.get("scale")
        if self.score_mode == "dot":
            scores = jnp.matmul(q, jnp.swapaxes(k, -2, -1))
            return scores if scale is None else scores * scale.astype(scores.dtype)
        summed = jnp.expand_dims(q, -2) + jnp.expand_dims(k, -3)
        if scale is not None:
            summed = scale.astype(q.dtype) * summed
        weight = params["concat_score_weight"].astype(q.dtype)
        return weight * jnp.sum(jnp.tanh(summed), axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }


class AdditiveAttention(_BaseAttention):
    """Additive (Bahdanau) attention: scores ``sum(scale * tanh(query + key), -1)``.

    Args:
        use_scale: learn a per-feature ``scale`` (glorot uniform), default True.
        dropout: rate dropped from the attention weights in training.

    Example:
        >>> AdditiveAttention().use_scale
        True
    """

    def __init__(
        self, use_scale: bool = True, dropout: float = 0.0, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        self._set_common(dropout, seed)

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        q, _, _ = _split_inputs(self, input_spec)
        params = {}
        if self.use_scale:
            init = initializers.get("glorot_uniform")
            params["scale"] = init(key, (q.shape[-1],), self.variable_dtype)
        return {"params": params, "state": {}}

    def _scores(self, params, q, k):
        summed = jnp.tanh(jnp.expand_dims(q, -2) + jnp.expand_dims(k, -3))
        scale = params.get("scale")
        if scale is not None:
            summed = summed * jnp.reshape(scale.astype(q.dtype), (1,) * (summed.ndim - 1) + (-1,))
        return jnp.sum(summed, axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "dropout": self.dropout,
            "seed": self.seed,
        }


# --- MultiHeadAttention --------------------------------------------------------------------------
def _implicit_masks(mask: Any, query_mask: Any, value_mask: Any, key_mask: Any) -> tuple:
    """Keras's implicit masks (``mask`` from the model: one per input of ``[query, value,
    key]``, or the query's) fill the explicit ``*_mask`` arguments left as None."""
    if mask is None:
        return query_mask, value_mask, key_mask
    masks = list(mask) if isinstance(mask, (list, tuple)) else [mask]
    masks += [None] * (3 - len(masks))
    explicit = [query_mask, value_mask, key_mask]
    return tuple(e if e is not None else m for e, m in zip(explicit, masks))


def check_mask_shape(layer: Layer, arg: str, mask: Any, tensor: Any, what: str) -> None:
    """A mask must have its tensor's shape without the feature axis: a clear error instead of
    a broadcasting failure deep inside the scores."""
    if mask is None:
        return
    expected = tuple(jnp.shape(tensor)[:-1])
    got = tuple(jnp.shape(mask))
    if got != expected:
        raise ValueError(
            f'Layer "{layer.name}" ({type(layer).__name__}): argument `{arg}` must have shape '
            f"{expected} (the {what}'s shape without its last axis), received shape {got}."
        )


def attention_equations(rank: int, attn_axes: tuple[int, ...]) -> tuple[str, str, int]:
    """Einsum equations (scores from key and query, output from scores and value) for
    projected tensors of ``rank`` (``(batch, *axes, heads, dim)``), attending over
    ``attn_axes``; batch-like axes (every other axis but the last) are kept."""
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_like = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    source = list(target)
    extra = iter(letters[rank:])
    for i in attn_axes:
        source[i] = next(extra)
    source = "".join(source)
    product = (
        "".join(target[i] for i in batch_like)
        + "".join(target[i] for i in attn_axes)
        + "".join(source[i] for i in attn_axes)
    )
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al.) with Keras's weights and equations.

    Params are a flat dict keyed by Keras's weight paths inside the layer (the projections
    are Keras ``EinsumDense`` sublayers): ``query/kernel`` ``(dim_q, heads,
    key_dim)`` and ``query/bias`` ``(heads, key_dim)``; ``key/...`` likewise;
    ``value/kernel`` ``(dim_v, heads, value_dim)``; ``attention_output/kernel`` ``(heads,
    value_dim, *output_shape)`` and ``attention_output/bias`` ``output_shape`` (default: the
    query's last dimension). Scores are ``softmax(q k^T / sqrt(key_dim))`` over
    ``attention_axes`` (default: every axis between batch and features).

    ``apply(variables, query, value=..., key=None, query_mask=None, value_mask=None,
    key_mask=None, attention_mask=None, return_attention_scores=False,
    use_causal_mask=False)``; ``query`` may also be ``[query, value(, key)]``. Called as a
    layer it takes Keras's forms ``mha(query, value)``, ``mha(query, value, key)`` and
    ``mha(query=q, value=v)`` (eagerly, in functional graphs and in subclassed models). ``query_mask`` plays the role of the Keras mask
    carried by the query tensor.
    ``attention_mask`` is a boolean ``(batch, T, S)`` (True = attend).

    Args:
        num_heads: number of heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default ``key_dim``).
        dropout: rate dropped from the attention weights in training.
        use_bias: whether the projections have biases.
        output_shape: last dimension(s) of the output (int or tuple).
        attention_axes: axes of the (rank >= 3) inputs to attend over.
        kernel_* / bias_*: initializers, regularizers and constraints of every projection.
        use_gate: add a sigmoid gate ``gate/kernel`` on the query (Keras 3.x option).
        seed: optional int folded into the ``rng`` of ``apply``.

    Example:
        >>> MultiHeadAttention(2, 4).get_config()["value_dim"]
        4
    """

    supports_masking = True
    # Keras's call(query, value, key): the shell folds them into the list input.
    call_tensor_args = ("query", "value", "key")

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        attention_axes: Any = None,
        sliding_window: int | None = None,
        flash_attention: bool | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        use_gate: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "MultiHeadAttention"
        self.num_heads = _validate.positive_int(owner, "num_heads", num_heads)
        self.key_dim = _validate.positive_int(owner, "key_dim", key_dim)
        self.value_dim = (
            self.key_dim if not value_dim else _validate.positive_int(owner, "value_dim", value_dim)
        )
        self.dropout = _validate.real(owner, "dropout", dropout, low=0.0, high=1.0)
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            output_shape = _validate.int_tuple(owner, "output_shape", output_shape)
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None:
            attention_axes = _validate.int_tuple(owner, "attention_axes", attention_axes)
        self.attention_axes = attention_axes
        if sliding_window is not None:
            raise ValueError(f"{owner}: argument `sliding_window` is not supported by jnn yet.")
        if flash_attention:
            raise ValueError(f"{owner}: argument `flash_attention=True` is not supported by jnn.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = _validate.optional_seed(owner, seed)

    # inputs
    def _qvk(self, inputs: Any, value: Any, key: Any) -> tuple[Any, Any, Any]:
        if isinstance(inputs, (list, tuple)):
            if value is not None:
                raise ValueError(
                    f'Layer "{self.name}": pass `value` either in the inputs list or as a '
                    "keyword argument, not both."
                )
            return _split_inputs(self, inputs)
        if value is None:
            raise ValueError(
                f'Layer "{self.name}" (MultiHeadAttention) needs a `value`: call '
                "apply(variables, query, value=value) or pass inputs=[query, value]."
            )
        return inputs, value, value if key is None else key

    def _dense(self, key, name: str, kernel_shape: tuple, bias_shape: tuple) -> dict:
        k_key, b_key = jax.random.split(key)
        dtype = self.variable_dtype
        params = {f"{name}/kernel": self.kernel_initializer(k_key, kernel_shape, dtype)}
        if self.use_bias:
            params[f"{name}/bias"] = self.bias_initializer(b_key, bias_shape, dtype)
        return params

    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        q, v, k = _split_inputs(self, input_spec)
        if tuple(v.shape[1:-1]) != tuple(k.shape[1:-1]):
            raise ValueError(
                f'Layer "{self.name}": all dimensions of `value` and `key`, except the last one, '
                f"must be equal. Received: value_shape={tuple(v.shape)} and "
                f"key_shape={tuple(k.shape)}"
            )
        keys = jax.random.split(key, 5)
        heads_k, heads_v = (self.num_heads, self.key_dim), (self.num_heads, self.value_dim)
        out_shape = tuple(self._output_shape or (q.shape[-1],))
        params = {
            **self._dense(keys[0], "query", (q.shape[-1],) + heads_k, heads_k),
            **self._dense(keys[1], "key", (k.shape[-1],) + heads_k, heads_k),
        }
        if self.use_gate:
            params.update(self._dense(keys[4], "gate", (q.shape[-1],) + heads_v, heads_v))
        params.update(self._dense(keys[2], "value", (v.shape[-1],) + heads_v, heads_v))
        params.update(self._dense(keys[3], "attention_output", heads_v + out_shape, out_shape))
        return {"params": params, "state": {}}

    def _project(self, params: dict, name: str, x: jax.Array) -> jax.Array:
        y = jnp.tensordot(x, params[f"{name}/kernel"].astype(x.dtype), axes=[[x.ndim - 1], [0]])
        if f"{name}/bias" in params:
            b = params[f"{name}/bias"].astype(y.dtype)
            y = y + jnp.reshape(b, (1,) * (y.ndim - b.ndim) + b.shape)
        return y

    def _attn_axes(self, rank: int) -> tuple[int, ...]:
        if self.attention_axes is None:
            return tuple(range(1, rank - 2))
        return tuple(a if a >= 0 else (rank - 1) + a for a in self.attention_axes)

    def _mask(self, q, v, query_mask, value_mask, key_mask, attention_mask, causal):
        mask = None

        def both(a, b):
            return b if a is None else a & b

        if query_mask is not None:
            mask = jnp.expand_dims(jnp.asarray(query_mask, bool), -1)
        for m in (value_mask, key_mask):
            if m is not None:
                mask = both(mask, jnp.expand_dims(jnp.asarray(m, bool), -2))
        if causal:
            mask = both(mask, _causal(q.shape[1], v.shape[1]))
        if attention_mask is not None:
            mask = both(mask, jnp.asarray(attention_mask, bool))
        return mask

    def apply(
        self,
        variables,
        inputs,
        *,
        training=False,
        rng=None,
        value=None,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        use_causal_mask=False,
        mask=None,
    ):
        query_mask, value_mask, key_mask = _implicit_masks(mask, query_mask, value_mask, key_mask)
        query, value, key = (
            self.cast_inputs(jnp.asarray(a)) for a in self._qvk(inputs, value, key)
        )
        for arg, m, t, what in (
            ("query_mask", query_mask, query, "query"),
            ("value_mask", value_mask, value, "value"),
            ("key_mask", key_mask, key, "key"),
        ):
            check_mask_shape(self, arg, m, t, what)
        params = variables["params"]
        q = self._project(params, "query", query)
        k = self._project(params, "key", key)
        v = self._project(params, "value", value)
        rank = q.ndim
        axes = self._attn_axes(rank)
        dot_eq, combine_eq, scores_rank = attention_equations(rank, axes)
        # Keras's fused path (rank-4 projections, no dropout, no returned scores) goes through
        # ``dot_product_attention`` (jax.nn's: cuDNN flash on a GPU where it applies), with a
        # causal mask alone as ``is_causal`` (no dense (T, S) mask). JAX's function needs the
        # value's head size equal to the key's; other cases take the explicit path below.
        explicit = self.dropout > 0 or return_attention_scores or rank != 4
        if not explicit and axes == (1,) and k.shape == v.shape and q.shape[0] == k.shape[0]:
            only_causal = use_causal_mask and all(
                m is None for m in (query_mask, value_mask, key_mask, attention_mask)
            )
            full_mask = None if only_causal else self._mask(
                query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
            )
            if full_mask is not None:  # (B, T, S) -> (B, 1, T, S): one mask for all heads
                full_mask = jnp.broadcast_to(
                    jnp.asarray(full_mask, bool), (q.shape[0], q.shape[1], k.shape[1])
                )[:, None]
            out = _dot_product_attention(
                q, k, v, mask=full_mask, scale=1.0 / math.sqrt(float(self.key_dim)),
                is_causal=only_causal,
            )
        else:
            out, weights = self._explicit_attention(
                q, k, v, query, value, dot_eq, combine_eq, scores_rank, axes, explicit,
                (query_mask, value_mask, key_mask, attention_mask, use_causal_mask),
                training, rng,
            )
        if self.use_gate:
            out = out * jax.nn.sigmoid(self._project(params, "gate", query))
        out = self._output(params, out)
        return ((out, weights) if return_attention_scores else out), {}

    def _explicit_attention(
        self, q, k, v, query, value, dot_eq, combine_eq, scores_rank, axes, explicit, masks,
        training, rng,
    ):
        """Scores, dense mask, softmax, dropout and weighted sum (Keras's explicit path, also
        the fused one where JAX's function can't take the shapes); ``(out, weights)``."""
        query_mask, value_mask, key_mask, attention_mask, use_causal_mask = masks
        q = q * jnp.asarray(1.0 / math.sqrt(float(self.key_dim)), q.dtype)
        scores = jnp.einsum(dot_eq, k, q)
        full_mask = self._mask(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
        )
        norm_axes = tuple(range(scores_rank - len(axes), scores_rank))
        if full_mask is not None:
            full_mask = jnp.reshape(
                full_mask,
                full_mask.shape[: full_mask.ndim - 2 * len(axes)]
                + (1,) * (scores.ndim - full_mask.ndim)
                + full_mask.shape[full_mask.ndim - 2 * len(axes) :],
            )
            scores = jnp.where(full_mask, scores, jnp.asarray(_LARGE_NEGATIVE, scores.dtype))
        weights = jax.nn.softmax(scores, axis=norm_axes)
        # Keras's fused path leaves fully masked rows uniform; its explicit path zeroes masked
        # weights. Follow both.
        if full_mask is not None and explicit:
            weights = jnp.where(full_mask, weights, jnp.zeros((), weights.dtype))
        used = weights
        if training and self.dropout > 0:
            used = _dropout(weights, self.dropout, _rng_for(self, rng, self.seed), weights.shape)
        return jnp.einsum(combine_eq, used, v), weights

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The output keeps the query's mask (Keras)."""
        if isinstance(mask, (list, tuple)):
            return mask[0] if mask else None
        return mask

    def _output(self, params: dict, x: jax.Array) -> jax.Array:
        kernel = params["attention_output/kernel"].astype(x.dtype)
        y = jnp.tensordot(x, kernel, axes=[[x.ndim - 2, x.ndim - 1], [0, 1]])
        if "attention_output/bias" in params:
            b = params["attention_output/bias"].astype(y.dtype)
            y = y + jnp.reshape(b, (1,) * (y.ndim - b.ndim) + b.shape)
        return y

    def compute_output_spec(self, input_spec: Any, **kwargs: Any) -> Any:
        value = kwargs.pop("value", None)
        key = kwargs.pop("key", None)
        if value is not None:
            input_spec = [input_spec, value] + ([key] if key is not None else [])
        return super().compute_output_spec(input_spec, **kwargs)

    def _names(self, kind: str) -> list[str]:
        names = ["query", "key"] + (["gate"] if self.use_gate else []) + ["value"]
        names.append("attention_output")
        if kind == "bias" and not self.use_bias:
            return []
        return [f"{n}/{kind}" for n in names]

    def weight_regularizers(self) -> dict[str, Callable]:
        regs = {"kernel": self.kernel_regularizer, "bias": self.bias_regularizer}
        return {n: r for kind, r in regs.items() if r is not None for n in self._names(kind)}

    def weight_constraints(self) -> dict[str, Callable]:
        cons = {"kernel": self.kernel_constraint, "bias": self.bias_constraint}
        return {n: c for kind, c in cons.items() if c is not None for n in self._names(kind)}

    def get_config(self) -> dict[str, Any]:
        ser = _validate.serialize_or_none
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self.attention_axes,
            "sliding_window": None,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": ser(regularizers, self.kernel_regularizer),
            "bias_regularizer": ser(regularizers, self.bias_regularizer),
            "activity_regularizer": ser(regularizers, self.activity_regularizer),
            "kernel_constraint": ser(constraints, self.kernel_constraint),
            "bias_constraint": ser(constraints, self.bias_constraint),
            "seed": self.seed,
        }
