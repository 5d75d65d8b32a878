"""``FlaxLayer``: a ``flax.linen.Module`` or a ``flax.nnx.Module`` as a jnn layer.

The module's variables live in the jnn tree under the layer's name, flattened with ``/``
(``{"params": {"flax_layer": {"Dense_0/kernel": ...}}}``): its ``params`` collection is the
layer's trainable params, every other collection (``batch_stats``...) is layer state, named
``<collection>/<path>`` for linen and ``<path>`` for nnx. So the layer trains with ``fit``,
freezes with ``trainable=False``, and saves / loads with ``save_weights`` like any layer.

Calls follow Keras 3's ``keras.layers.FlaxLayer``: ``training`` is passed when the module's
method accepts it, and the step's rng is given to the ``dropout`` stream (linen) or reseeds
the module's streams (nnx), so dropout differs from step to step.

Example:
    >>> import flax.linen as nn, jax, jax.numpy as jnp
    >>> layer = FlaxLayer(nn.Dense(3))
    >>> variables = layer.init(jax.random.key(0), jax.ShapeDtypeStruct((1, 4), jnp.float32))
    >>> sorted(variables["params"])
    ['bias', 'kernel']
    >>> layer.apply(variables, jnp.ones((2, 4)))[0].shape
    (2, 3)
"""

from __future__ import annotations

import inspect
from typing import Any

import jax
import jax.numpy as jnp
from flax import traverse_util

from jnn._core.layers.base import Layer, Variables

_SEP = "/"


def _flat(tree: Any) -> dict[str, Any]:
    if not tree:
        return {}
    return traverse_util.flatten_dict(dict(tree), sep=_SEP)


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    return traverse_util.unflatten_dict(dict(flat), sep=_SEP) if flat else {}


def _reorder(tree: Any, order: list[str]) -> dict[str, Any]:
    flat = _flat(tree)
    return _nested({k: flat[k] for k in order if k in flat})


def _accepts(fn: Any, name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without signature
        return False


def _is_nnx(module: Any) -> bool:
    try:
        from flax import nnx
    except ImportError:  # pragma: no cover - old flax
        return False
    return isinstance(module, nnx.Module)


class FlaxLayer(Layer):
    """Wraps a Flax module (linen or nnx) as a jnn layer (Keras 3's ``FlaxLayer``).

    Args:
        module: a ``flax.linen.Module`` (initialised by ``init`` from the layer's key) or a
            ``flax.nnx.Module`` (already initialised: its current values become the layer's
            initial weights).
        method: name of the linen method to call (default ``__call__``).
        variables: optional pre-trained linen variables (``{"params": ..., ...}``) used by
            ``init`` instead of fresh ones.
        **kwargs: common layer arguments (``name``, ``trainable``...).

    Example:
        >>> import flax.linen as nn, jnn
        >>> model = jnn.Sequential([jnn.Input(shape=(4,)), FlaxLayer(nn.Dense(2))])
        >>> model.count_params()
        10
    """

    def __init__(
        self, module: Any, method: str | None = None, variables: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.module = module
        self.method = method
        self.variables_arg = variables
        self._nnx = _is_nnx(module)
        if self._nnx:
            if method is not None or variables is not None:
                raise ValueError(
                    f"FlaxLayer '{self.name}': `method` and `variables` apply to flax.linen "
                    "modules; an nnx module carries its own variables and is called directly."
                )
            from flax import nnx

            self._graph, self._params, self._rngs, self._rest = nnx.split(
                module, nnx.Param, nnx.RngState, ...
            )
            call = type(module).__call__
        else:
            if not hasattr(module, "init") or not hasattr(module, "apply"):
                raise TypeError(
                    "FlaxLayer: argument `module` must be a flax.linen.Module or a "
                    f"flax.nnx.Module, received {type(module).__name__}."
                )
            call = getattr(type(module), method or "__call__", None)
            if call is None:
                raise ValueError(
                    f"FlaxLayer '{self.name}': module {type(module).__name__} has no method "
                    f"{method!r}."
                )
        self._takes_training = _accepts(call, "training")

    def get_config(self) -> dict[str, Any]:
        """Base config plus ``module`` (the module object itself), ``method`` and
        ``variables``."""
        config = super().get_config()
        config.update(module=self.module, method=self.method, variables=self.variables_arg)
        return config

    # --- the pure protocol ---------------------------------------------------------------------
    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        if self._nnx:
            from flax import nnx

            return {
                "params": _flat(nnx.to_pure_dict(self._params)),
                "state": _flat(nnx.to_pure_dict(self._rest)),
            }
        if self.variables_arg is not None:
            variables = self.variables_arg
        else:
            x = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), input_spec)
            variables = self._linen_init()(key, x)
            # jit returns dicts with sorted keys; restore the module's creation order.
            order = self.__dict__.get("_init_order")
            if order:
                variables = {c: _reorder(variables[c], order[c]) for c in order}
        state = {}
        for collection, tree in variables.items():
            if collection != "params":
                state.update(_flat({collection: tree}))
        return {"params": _flat(variables.get("params", {})), "state": state}

    def _linen_init(self) -> Any:
        # One compiled init instead of one dispatch (and compilation) per initializer op: the
        # shell runs model init op by op. Built once per layer, dropped when pickling.
        fn = self.__dict__.get("_jit_init")
        if fn is None:
            kwargs = {"training": False} if self._takes_training else {}

            def init(key, x):
                params_key, dropout_key = jax.random.split(key)
                out = self.module.init(
                    {"params": params_key, "dropout": dropout_key},
                    x,
                    method=self.method,
                    **kwargs,
                )
                # Tracing runs this once: note the creation order of the variables.
                self.__dict__["_init_order"] = {c: list(_flat(t)) for c, t in out.items()}
                return out

            fn = self.__dict__["_jit_init"] = jax.jit(init)
        return fn

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_jit_init", None)
        state.pop("_init_order", None)
        return state

    def apply(
        self,
        variables: Variables,
        inputs: Any,
        *,
        training: bool = False,
        rng: jax.Array | None = None,
        **kwargs: Any,
    ) -> tuple[Any, dict[str, Any]]:
        if self._nnx:
            return self._apply_nnx(variables, inputs, training, rng, kwargs)
        state = variables.get("state", {})
        flax_vars = {"params": _nested(variables.get("params", {})), **_nested(state)}
        if self._takes_training:
            kwargs["training"] = training
        rngs = {"dropout": rng} if rng is not None else None
        mutable = [c for c in flax_vars if c != "params"] if training and state else False
        out = self.module.apply(
            flax_vars, inputs, method=self.method, rngs=rngs, mutable=mutable, **kwargs
        )
        if mutable is False:
            return out, dict(state)
        y, updated = out
        new_state = dict(state)
        new_state.update(_flat(dict(updated)))
        return y, new_state

    def _apply_nnx(self, variables, inputs, training, rng, kwargs):
        from flax import nnx

        def fill(template, flat):
            copy = jax.tree.map(lambda a: a, template)
            nnx.replace_by_pure_dict(copy, _nested(flat))
            return copy

        module = nnx.merge(
            self._graph,
            fill(self._params, variables.get("params", {})),
            jax.tree.map(lambda a: a, self._rngs),
            fill(self._rest, variables.get("state", {})),
        )
        if training:
            module.train()
        else:
            module.eval()
        if rng is not None and training:
            nnx.reseed(
                module, **{s: jax.random.fold_in(rng, i) for i, s in enumerate(self._rng_streams())}
            )
        if self._takes_training:
            kwargs["training"] = training
        y = module(inputs, **kwargs)
        if not training:
            return y, dict(variables.get("state", {}))
        _, _, _, rest = nnx.split(module, nnx.Param, nnx.RngState, ...)
        return y, _flat(nnx.to_pure_dict(rest))

    def _rng_streams(self) -> list[str]:
        from flax import nnx

        streams = set()
        for _, node in nnx.iter_graph(self.module):
            if isinstance(node, nnx.RngStream):
                streams.add(node.tag)
        return sorted(streams)
