"""The layer protocol: a layer is its Keras configuration plus pure methods.

Every layer implements two pure functions:

* ``init(key, input_spec) -> variables`` where ``variables`` is
  ``{"params": {weight_name: array}, "state": {weight_name: array}}`` using Keras weight names
  (``kernel``, ``bias``, ``gamma``, ``moving_mean`` ...). Dict insertion order is Keras's
  ``get_weights()`` order (params first, then state).
* ``apply(variables, inputs, *, training=False, rng=None, **kwargs) -> (outputs, new_state)``
  where ``new_state`` has the structure of ``variables["state"]`` (``{}`` for stateless layers).

and ``compute_output_shape(input_shape)`` (batch dimension ``None``), which by default is
inferred with ``jax.eval_shape`` without running anything.

The Keras conveniences (naming, ``layer(x)`` on data or symbolic tensors, ``layer.kernel``,
``get_weights``) are provided by the shell, which installs small hooks here at import time:
this module never imports the shell.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from jnn.layers import Dense
    >>> layer = Dense(3)
    >>> variables = layer.init(jax.random.key(0), jax.ShapeDtypeStruct((1, 4), jnp.float32))
    >>> y, _ = layer.apply(variables, jnp.ones((2, 4)))
    >>> y.shape
    (2, 3)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

Variables = dict[str, dict[str, Any]]
Shape = tuple[int | None, ...]

# Keras keyword arguments every layer accepts (besides its own).
_BASE_KWARGS = (
    "trainable",
    "name",
    "dtype",
    "input_shape",
    "input_dim",
    "batch_input_shape",
    "batch_size",
    "input_length",
    "autocast",
    "weights",
)


def to_snake_case(name: str) -> str:
    """``Conv2DTranspose`` -> ``conv2d_transpose``, ``Dense`` -> ``dense`` (Keras's rule)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


# --- hooks the shell installs (the core stays import-free of the shell) -------------------------
def _default_auto_name(prefix: str) -> str:
    return prefix


class _Hooks:
    auto_name: Callable[[str], str] = staticmethod(_default_auto_name)
    # (layer, args, kwargs) -> result; set by the shell to handle symbolic tensors and
    # concrete data. None means: the layer can only be used through init/apply.
    call: Callable[..., Any] | None = None
    # value -> None; set by the shell to collect losses added inside a running model.
    add_loss: Callable[[Any], None] | None = None
    # (layer, input_shape) -> None; set by the shell: creates a standalone layer's weights.
    build: Callable[[Any, Any], None] | None = None


hooks = _Hooks()


def standardize_shape(shape: Any, what: str = "shape") -> Shape:
    """Turns an int, list or tuple into a tuple of ints / None, with a clear error."""
    if shape is None:
        raise ValueError(f"Expected a {what}, received None.")
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        out = tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"Expected a {what} made of ints or None, received {shape!r}.") from None
    for d in out:
        if d is not None and d < 0:
            raise ValueError(f"Expected a {what} with non-negative dimensions, received {shape!r}.")
    return out


def _build_directly(layer: Any, input_shape: Any) -> None:
    from jnn._core.layers import keras_style

    if keras_style.in_build_of(layer) or layer.__dict__.get("_binding") is not None:
        return  # inside init (super().build(...) from a custom build), or already built
    if hooks.build is None:
        raise RuntimeError(
            f"Layer {layer.name!r}: build() needs the jnn shell; import jnn first, or use "
            "layer.init(key, input_spec)."
        )
    hooks.build(layer, input_shape)


def _sub_layers(layer: Any) -> list[Any]:
    found: dict[int, Any] = {}
    for value in layer.__dict__.values():
        items = value if isinstance(value, (list, tuple)) else [value]
        for v in items:
            if isinstance(v, Layer) and v is not layer:
                found.setdefault(id(v), v)
    return list(found.values())


def spec_of(x: Any) -> Any:
    """A ``jax.ShapeDtypeStruct`` (pytree of) for arrays, specs or anything with shape/dtype."""

    def one(a):
        if isinstance(a, jax.ShapeDtypeStruct):
            return a
        if hasattr(a, "shape") and hasattr(a, "dtype"):
            return jax.ShapeDtypeStruct(tuple(a.shape), jnp.dtype(a.dtype))
        a = np.asarray(a)
        return jax.ShapeDtypeStruct(a.shape, a.dtype)

    return jax.tree.map(one, x, is_leaf=lambda a: hasattr(a, "shape") and hasattr(a, "dtype"))


def shape_with_batch(shape: Shape, batch: int) -> tuple[int, ...]:
    """Replaces unknown (None) dimensions by ``batch`` to build a concrete spec."""
    return tuple(batch if d is None else d for d in shape)


class Layer:
    """Base class of all jnn layers.

    Subclasses set their Keras-named configuration in ``__init__`` (validated there, with the
    argument's name in the error) and implement ``init`` and ``apply``. ``get_config`` must
    return every constructor argument so that ``cls.from_config(layer.get_config())`` rebuilds
    an equal layer.

    Args:
        trainable: whether the layer's params are trained (frozen params are masked out of the
            optimizer, never moved between trees).
        name: unique name; generated from the class name (``dense``, ``dense_1``) when omitted.
        dtype: variable dtype (default ``float32``) or a mixed precision policy name.
        input_shape / input_dim / batch_input_shape / batch_size: Keras's way to declare the
            input of the first layer of a Sequential model.
    """

    # Set by subclasses that accept a ``mask`` argument in ``apply``.
    supports_masking: bool = False
    # Minimum / exact input rank (including batch), checked in ``check_input_shape``.
    input_ndim: int | None = None
    min_ndim: int | None = None

    def __init__(self, **kwargs: Any) -> None:
        unknown = set(kwargs) - set(_BASE_KWARGS)
        if unknown:
            raise TypeError(
                f"{type(self).__name__}: unrecognized keyword argument(s) {sorted(unknown)}; "
                f"common layer arguments are {list(_BASE_KWARGS)}."
            )
        name = kwargs.get("name")
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ValueError(
                f"{type(self).__name__}: argument `name` must be a non-empty string without '/', "
                f"received {name!r}."
            )
        self.name: str = (
            name if name is not None else hooks.auto_name(to_snake_case(type(self).__name__))
        )
        self._trainable = bool(kwargs.get("trainable", True))
        dtype = kwargs.get("dtype")
        self._dtype_arg = dtype
        self.autocast = bool(kwargs.get("autocast", True))
        self._batch_input_shape: Shape | None = None
        batch_size = kwargs.get("batch_size")
        if kwargs.get("batch_input_shape") is not None:
            self._batch_input_shape = standardize_shape(
                kwargs["batch_input_shape"], "batch_input_shape"
            )
        elif kwargs.get("input_shape") is not None:
            self._batch_input_shape = (batch_size,) + standardize_shape(
                kwargs["input_shape"], "input_shape"
            )
        elif kwargs.get("input_dim") is not None:
            input_dim = kwargs["input_dim"]
            if not isinstance(input_dim, (int, np.integer)) or input_dim <= 0:
                raise ValueError(
                    f"{type(self).__name__}: argument `input_dim` must be a positive int, "
                    f"received {input_dim!r}."
                )
            if kwargs.get("input_length") is not None:
                self._batch_input_shape = (batch_size, int(kwargs["input_length"]))
            else:
                self._batch_input_shape = (batch_size, int(input_dim))
        self._initial_weights = kwargs.get("weights")
        self.activity_regularizer = None
        # Shell-owned: where a bound layer's current variables live.
        self._binding: Any = None

    # --- configuration -------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        binding = self.__dict__.get("_binding")
        if binding is not None and hasattr(binding, "on_trainable_change"):
            binding.on_trainable_change(self)

    @property
    def dtype_policy(self) -> Any:
        from jnn._core import precision

        return precision.resolve_policy(self._dtype_arg)

    @property
    def dtype(self) -> str:
        """The dtype of the layer's variables."""
        return self.dtype_policy.variable_dtype

    @property
    def variable_dtype(self) -> str:
        return self.dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self.dtype_policy.compute_dtype

    def get_config(self) -> dict[str, Any]:
        """Keras-style configuration: every constructor argument, JSON-friendly."""
        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self._dtype_arg
            if isinstance(self._dtype_arg, (str, type(None)))
            else str(self._dtype_arg),
        }
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Rebuilds a layer from ``get_config()``."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    # --- the pure protocol -----------------------------------------------------------------
    def init(self, key: jax.Array, input_spec: Any) -> Variables:
        """Creates this layer's variables for inputs like ``input_spec``.

        Args:
            key: a ``jax.random`` key.
            input_spec: a ``jax.ShapeDtypeStruct`` (or array) or a list/tuple of them for
                multi-input layers. Shapes are concrete (the batch dimension may be any size).

        Returns:
            ``{"params": {...}, "state": {...}}`` (either may be empty).
        """
        if type(self).build is not Layer.build or self.__dict__.get("_pending_weights"):
            from jnn._core.layers import keras_style

            return keras_style.keras_init(self, key, input_spec)
        del key, input_spec
        return {"params": {}, "state": {}}

    def apply(
        self,
        variables: Variables,
        inputs: Any,
        *,
        training: bool = False,
        rng: jax.Array | None = None,
        **kwargs: Any,
    ) -> tuple[Any, dict[str, Any]]:
        """Runs the layer. Pure: same arguments, same result.

        Returns:
            ``(outputs, new_state)``; ``new_state`` mirrors ``variables["state"]``.
        """
        if type(self).call is not Layer.call:
            from jnn._core.layers import keras_style

            return keras_style.keras_apply(
                self, variables, inputs, training=training, rng=rng, **kwargs
            )
        raise NotImplementedError(
            f"{type(self).__name__} implements neither apply() (the pure protocol) nor call() "
            "(Keras style)."
        )

    # --- the Keras way of writing a layer: build + add_weight + call ------------------------
    def build(self, input_shape: Any) -> None:
        """Creates the layer's weights for inputs of ``input_shape`` (batch dimension included).

        Custom layers override it and call ``self.add_weight`` (jnn runs it inside ``init``).
        Called directly, ``layer.build((None, 784))`` creates the weights at once, as in Keras.
        """
        _build_directly(self, input_shape)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        user_build = cls.__dict__.get("build")
        if user_build is None or getattr(cls, "_is_model", False) or \
                getattr(user_build, "_jnn_wrapped", False):
            return

        def build(self: Layer, input_shape: Any) -> None:
            # Run by init (the weights' creation scope is open): the user's build itself.
            # Called directly by the user: build the layer, which runs init, which calls here.
            from jnn._core.layers import keras_style

            if keras_style.in_build_of(self) or self.__dict__.get("_binding") is not None:
                return user_build(self, input_shape)
            _build_directly(self, input_shape)

        build._jnn_wrapped = True  # type: ignore[attr-defined]
        build.__doc__ = user_build.__doc__
        build.__wrapped__ = user_build  # type: ignore[attr-defined]
        cls.build = build

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Keras-style forward pass; weights created in ``build`` are arrays here."""
        raise NotImplementedError

    def add_weight(self, shape: Any = None, initializer: Any = None, dtype: Any = None,
                   trainable: bool = True, regularizer: Any = None, constraint: Any = None,
                   name: str | None = None, **kwargs: Any) -> Any:
        """Creates a weight from inside ``build`` (Keras's signature); see keras_style."""
        from jnn._core.layers import keras_style

        return keras_style.add_weight(self, shape=shape, initializer=initializer, dtype=dtype,
                                      trainable=trainable, regularizer=regularizer,
                                      constraint=constraint, name=name, **kwargs)

    def add_variable(self, shape: Any, initializer: Any, dtype: Any = None,
                     trainable: bool = True, autocast: bool = True, regularizer: Any = None,
                     constraint: Any = None, name: str | None = None) -> Any:
        """Keras 3's ``add_variable``: ``add_weight`` with ``shape`` and ``initializer`` first."""
        del autocast
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, regularizer=regularizer,
                               constraint=constraint, name=name)

    @property
    def losses(self) -> list[Any]:
        """Losses of the last eager call (``add_loss``) and weight penalties, as Keras's."""
        out = list(self.__dict__.get("_eager_losses", []))
        for layer in _sub_layers(self):
            out.extend(layer.losses)
        binding = self.__dict__.get("_binding")
        if binding is not None and self.weight_regularizers():
            params = binding.variables.get("params", {})
            for name, reg in self.weight_regularizers().items():
                if name in params:
                    out.append(jnp.asarray(reg(params[name]), jnp.float32))
        return out

    def add_loss(self, value: Any) -> None:
        """Adds an auxiliary loss from inside ``call`` (collected by the running model)."""
        if hooks.add_loss is None:
            raise RuntimeError(
                f"Layer '{self.name}': add_loss() works only inside call() while a jnn model runs."
            )
        hooks.add_loss(value)
        if not isinstance(value, jax.core.Tracer):  # an eager call: kept for ``layer.losses``
            self.__dict__.setdefault("_eager_losses", []).append(jnp.asarray(value, jnp.float32))

    @property
    def seed_key(self) -> Any:
        """Inside a Keras-style ``call``: the rng key for this call (None at inference)."""
        return self.__dict__.get("_call_rng")

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the outputs (Keras semantics): passed through if supported."""
        return mask if self.supports_masking else None

    # --- shapes ----------------------------------------------------------------------------
    def check_input_shape(self, shape: Shape) -> None:
        """Raises a clear error when ``shape`` (batch included) cannot be fed to this layer."""
        if isinstance(shape, list):
            return
        ndim = len(shape)
        if self.input_ndim is not None and ndim != self.input_ndim:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                f"expected ndim={self.input_ndim}, found ndim={ndim}. "
                f"Full shape received: {tuple(shape)}"
            )
        if self.min_ndim is not None and ndim < self.min_ndim:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                f"expected min_ndim={self.min_ndim}, found ndim={ndim}. "
                f"Full shape received: {tuple(shape)}"
            )

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Output shape (batch ``None``) for ``input_shape``, inferred without running.

        Unknown dimensions are resolved the way Keras 3 does on JAX: the layer is traced with
        ``jax.eval_shape`` for two different sizes of every unknown dimension, and output
        dimensions that change are unknown.
        """
        spec = self.compute_output_spec(_specs_from_shapes(input_shape, jnp.float32))
        return jax.tree.map(lambda s: s.shape, spec, is_leaf=lambda s: isinstance(s, SymbolicSpec))

    def compute_output_spec(self, input_spec: Any, **kwargs: Any) -> Any:
        """Output ``SymbolicSpec`` (shape with None, dtype) for symbolic input specs."""
        return infer_output_spec(self, input_spec, **kwargs)

    # --- regularization and constraints ----------------------------------------------------
    def weight_regularizers(self) -> dict[str, Callable[[jax.Array], jax.Array]]:
        """``{weight_name: regularizer}`` for params that carry a penalty."""
        meta = self.__dict__.get("_keras_weight_meta") or {}
        return {k: m["regularizer"] for k, m in meta.items() if m["regularizer"] is not None}

    def weight_constraints(self) -> dict[str, Callable[[jax.Array], jax.Array]]:
        """``{weight_name: constraint}`` projected after each optimizer update."""
        meta = self.__dict__.get("_keras_weight_meta") or {}
        return {k: m["constraint"] for k, m in meta.items() if m["constraint"] is not None}

    def regularization_penalty(self, params: dict[str, jax.Array]) -> jax.Array:
        """Sum of weight penalties for this layer's ``params`` (pure)."""
        total = jnp.zeros((), jnp.float32)
        for name, reg in self.weight_regularizers().items():
            if reg is not None and name in params:
                total = total + jnp.asarray(reg(params[name]), jnp.float32)
        return total

    def apply_constraints(self, params: dict[str, jax.Array]) -> dict[str, jax.Array]:
        """Projects ``params`` with this layer's constraints (pure)."""
        constraints = {k: c for k, c in self.weight_constraints().items() if c is not None}
        if not constraints:
            return params
        return {k: (constraints[k](v) if k in constraints else v) for k, v in params.items()}

    # --- helpers for subclasses --------------------------------------------------------------
    def cast_inputs(self, x: Any) -> Any:
        """Casts floating inputs to the compute dtype (Keras's autocast)."""
        if not self.autocast:
            return x
        dt = jnp.dtype(self.compute_dtype)

        def one(a):
            a = jnp.asarray(a)
            if jnp.issubdtype(a.dtype, jnp.floating) and a.dtype != dt:
                return a.astype(dt)
            return a

        return jax.tree.map(one, x)

    # --- Keras conveniences (implemented by the shell through hooks) -------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if hooks.call is None:
            raise RuntimeError(
                f"Layer {self.name!r}: calling a layer needs the jnn shell; import jnn first, or "
                "use layer.init / layer.apply."
            )
        return hooks.call(self, args, kwargs)

    # The shell replaces these through the binding object it installs on the layer.
    def _require_binding(self) -> Any:
        binding = self.__dict__.get("_binding")
        if binding is None:
            raise ValueError(
                f"Layer '{self.name}' has no weights yet. Weights are created when the layer is "
                "built: add it to a model with a known input shape, call it on data, or call "
                "model.build(input_shape)."
            )
        return binding

    @property
    def built(self) -> bool:
        return self.__dict__.get("_binding") is not None

    @built.setter
    def built(self, value: bool) -> None:
        # Keras custom layers write ``self.built = True`` in build(); jnn knows it already.
        del value

    @property
    def weights(self) -> list[Any]:
        """Named weights of this layer (``.name``, ``.shape``, ``.numpy()``), Keras order."""
        if not self.built:
            return []
        return self._require_binding().weights(self)

    @property
    def trainable_weights(self) -> list[Any]:
        return [w for w in self.weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list[Any]:
        return [w for w in self.weights if not w.trainable]

    @property
    def variables(self) -> list[Any]:
        return self.weights

    def get_weights(self) -> list[np.ndarray]:
        """The layer's weights as numpy arrays, in Keras order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Sets the layer's weights from numpy arrays in Keras order (shapes are checked)."""
        self._require_binding().set_weights(self, weights)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # --- graph conveniences (nodes are recorded by the shell on symbolic calls) ---------------
    def _nodes_or_raise(self, what: str) -> list[Any]:
        nodes = self.__dict__.get("_inbound_nodes") or []
        if not nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on symbolic inputs and thus has no "
                f"defined {what}."
            )
        return nodes

    @property
    def output(self) -> Any:
        """The symbolic output of this layer's (single) call in a functional graph."""
        nodes = self._nodes_or_raise("output")
        if len(nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' has multiple inbound nodes, hence the notion of 'layer "
                "output' is ill-defined. Use `get_output_at(node_index)` instead."
            )
        return nodes[0].outputs

    @property
    def input(self) -> Any:
        """The symbolic input of this layer's (single) call in a functional graph."""
        nodes = self._nodes_or_raise("input")
        if len(nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' has multiple inbound nodes; use `get_input_at(node_index)`."
            )
        node = nodes[0]
        return node.outputs if not node.inputs else node.inputs

    def get_output_at(self, node_index: int) -> Any:
        return self._nodes_or_raise("output")[node_index].outputs

    def get_input_at(self, node_index: int) -> Any:
        return self._nodes_or_raise("input")[node_index].inputs

    def __getattr__(self, item: str) -> Any:
        # Only reached when normal lookup fails: expose weights by Keras name (layer.kernel).
        if item.startswith("_"):
            raise AttributeError(item)
        binding = self.__dict__.get("_binding")
        if binding is not None:
            for w in binding.weights(self):
                if w.short_name == item:
                    return w
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{item}'")


# --- shape inference ------------------------------------------------------------------------------
class SymbolicSpec:
    """A shape with unknown (None) dimensions and a dtype, used for shape inference."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: Shape, dtype: Any = jnp.float32) -> None:
        self.shape = standardize_shape(shape)
        self.dtype = jnp.dtype(dtype)

    def __repr__(self) -> str:
        return f"SymbolicSpec(shape={self.shape}, dtype={self.dtype.name})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, SymbolicSpec)
            and self.shape == other.shape
            and self.dtype == other.dtype
        )

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype.name))


def _is_shape(x: Any) -> bool:
    return isinstance(x, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in x)


def _specs_from_shapes(input_shape: Any, dtype: Any) -> Any:
    if isinstance(input_shape, SymbolicSpec):
        return input_shape
    if _is_shape(input_shape):
        return SymbolicSpec(input_shape, dtype)
    if (
        isinstance(input_shape, list)
        and input_shape
        and all(isinstance(d, (int, type(None))) for d in input_shape)
    ):
        return SymbolicSpec(tuple(input_shape), dtype)
    if isinstance(input_shape, dict):
        return {k: _specs_from_shapes(v, dtype) for k, v in input_shape.items()}
    return [_specs_from_shapes(s, dtype) for s in input_shape]


_PROBE_SIZES = (83, 89)


def _concrete(spec: Any, size: int) -> Any:
    return jax.tree.map(
        lambda s: jax.ShapeDtypeStruct(shape_with_batch(s.shape, size), s.dtype),
        spec,
        is_leaf=lambda s: isinstance(s, SymbolicSpec),
    )


def infer_output_spec(layer: Layer, input_spec: Any, **kwargs: Any) -> Any:
    """Infers the output SymbolicSpec(s) of ``layer`` by abstract evaluation (no FLOPs)."""
    is_spec = lambda s: isinstance(s, SymbolicSpec)  # noqa: E731
    has_unknown = any(None in s.shape for s in jax.tree.leaves(input_spec, is_leaf=is_spec))
    sizes = _PROBE_SIZES if has_unknown else (_PROBE_SIZES[0],)

    def run(concrete):
        variables = layer.init(jax.random.key(0), concrete)
        out, _ = layer.apply(variables, _zeros_like_spec(concrete), training=False, **kwargs)
        return out

    outs = []
    for size in sizes:
        outs.append(jax.eval_shape(run, _concrete(input_spec, size)))
    if len(outs) == 1:
        return jax.tree.map(lambda o: SymbolicSpec(o.shape, o.dtype), outs[0])

    def merge(a, b):
        shape = tuple(da if da == db else None for da, db in zip(a.shape, b.shape))
        if len(a.shape) != len(b.shape):
            raise ValueError(
                f"Layer '{layer.name}': cannot infer the output rank for input {input_spec}."
            )
        return SymbolicSpec(shape, a.dtype)

    return jax.tree.map(merge, outs[0], outs[1])


def _zeros_like_spec(spec: Any) -> Any:
    return jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), spec)
