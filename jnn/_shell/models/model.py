"""``Model``: the Keras-shaped object around a pure ``init`` / ``apply`` pair.

A model holds its layers (and through their stores, its current weights), the compile
configuration and a cache of compiled steps. Numerics live in the core: ``fit`` /
``evaluate`` / ``predict`` (in :mod:`jnn._shell.training.driver`) only move data and state.

The pure contract every model kind implements (functional, Sequential, subclassed):

* ``init(key, x_spec) -> {"params": {layer: {...}}, "state": {layer: {...}}}``
* ``apply(variables, x, *, training=False, rng=None, mutable=False, return_losses=False)``
  returns ``y``, or ``(y, new_state)`` with ``mutable=True``, or ``(y, new_state, aux_loss)``
  with ``return_losses=True`` too.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.layers.base import Layer, SymbolicSpec, spec_of
from jnn._core.metrics.base import Metric
from jnn._shell import protocol
from jnn._shell.layers import context
from jnn._shell.layers.binding import LayerStore, Weight, set_weights_in_order
from jnn._shell.runtime import rng
from jnn._shell.training import custom_steps
from jnn._shell.training import driver as training

# Model.init: op by op below this many layers, one jitted program from it (0: never jitted).
_JIT_INIT_MIN_LAYERS = int(os.environ.get("JNN_INIT_JIT_MIN_LAYERS", "64"))


class Model(Layer):
    """A trainable graph of layers with the Keras workflow (compile / fit / evaluate / predict).

    ``Model(inputs, outputs)`` builds a functional model; subclasses define ``call``.

    Example:
        >>> import jnn
        >>> inputs = jnn.Input(shape=(4,))
        >>> outputs = jnn.layers.Dense(2)(inputs)
        >>> model = jnn.Model(inputs, outputs)
        >>> model.count_params()
        10
    """

    _is_model = True
    _graph_kind: str | None = None  # what jnn._shell.protocol reads: None = subclassed

    def __reduce__(self) -> tuple:
        """``pickle`` support (as in Keras 3, so joblib / multiprocessing work): architecture,
        weights and compile arguments; the optimizer state starts fresh, as after ``compile``.
        Lambda layers pickle with their function's bytecode, and unpickling runs it: unpickling
        runs code (any pickle can), so never unpickle bytes you do not trust; exchange models
        as ``.keras`` files, whose ``load_model`` refuses code under ``safe_mode=True``."""
        from jnn._shell.saving import pickling as _pickling

        return _pickling.loads_model, (_pickling.dumps_model(self),)

    def __deepcopy__(self, memo: dict) -> Model:
        """A deep copy of every attribute (what ``copy.deepcopy`` did before ``__reduce__``)."""
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        functional_args = len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs
        if cls is Model and functional_args:
            return super().__new__(protocol.model_class("Functional"))
        if functional_args and _is_plain_subclass(cls):
            # Keras 3: CustomModel(inputs, outputs) is a functional model that keeps the
            # subclass's methods (its own train_step, ...).
            cls = _functional_variant(cls)
        obj = super().__new__(cls)
        if not cls.__module__.startswith("jnn."):
            # Keras 3 records a subclass's constructor arguments for its default get_config.
            obj.__dict__["_auto_config"] = _auto_config(cls, args, kwargs)
        return obj

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or "inputs" in kwargs:
            # Model(inputs, outputs) resolved by __new__ to Functional: delegate.
            functional = protocol.model_class("Functional")
            if protocol.is_functional(self):
                functional.__init__(self, *args, **kwargs)
                return
            if (len(args) >= 2 or "outputs" in kwargs) and _is_plain_subclass(type(self)):
                # A subclass whose __init__ builds a graph and calls
                # super().__init__(inputs, outputs): a functional model, as in Keras 3.
                object.__setattr__(self, "__class__", _functional_variant(type(self)))
                functional.__init__(self, *args, **kwargs)
                return
            raise TypeError(
                f"{type(self).__name__}.__init__ received positional arguments {args}; "
                "subclassed models take only keyword arguments such as name=..."
            )
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        dtype = kwargs.pop("dtype", None)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}: unrecognized keyword argument(s) {sorted(kwargs)}."
            )
        self._init_model_state()
        prefix = "model" if type(self) is Model else None
        super().__init__(name=name or (self._default_name(prefix)), trainable=trainable,
                         dtype=dtype)

    def _default_name(self, prefix: str | None = None) -> str:
        from jnn._core.layers.base import hooks, to_snake_case

        return hooks.auto_name(prefix or to_snake_case(type(self).__name__))

    def _init_model_state(self) -> None:
        d = self.__dict__
        d.setdefault("_compiled", None)
        d.setdefault("_engine", None)
        d.setdefault("_train_state", None)
        d.setdefault("stop_training", False)
        d.setdefault("history", None)
        d.setdefault("optimizer", None)
        d.setdefault("_model_built", False)

    # --- structure ---------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        # Subclassed models: remember sub-layers assigned as attributes (also in lists/dicts),
        # in assignment order, as Keras tracks them.
        if not name.startswith("_"):
            if isinstance(value, Metric):  # Keras tracks metrics set as attributes
                metrics = self.__dict__.setdefault("_tracked_metrics", [])
                if all(value is not m for m in metrics):
                    metrics.append(value)
            found = [v for v in _iter_layers(value) if v is not self]
            if found:
                tracked = self.__dict__.setdefault("_tracked", [])
                for layer in found:
                    if all(layer is not t for t in tracked):
                        tracked.append(layer)
        object.__setattr__(self, name, value)

    @property
    def layers(self) -> list[Layer]:
        """The model's direct sub-layers, in Keras order."""
        return self._tracked_layers()

    def _tracked_layers(self) -> list[Layer]:
        return list(self.__dict__.get("_tracked", []))

    def call(self, inputs: Any, training: Any = None) -> Any:
        raise NotImplementedError(
            f"Model '{self.name}' has no call() method: subclasses of jnn.Model must define "
            "`call(self, inputs, training=None)`, or build a functional Model(inputs, outputs)."
        )

    @property
    def output_names(self) -> list[str]:
        names = self.__dict__.get("_output_names")
        if names is None:
            spec = self.__dict__.get("_build_spec")
            if spec is None:
                return ["output_1"]
            out = jax.eval_shape(
                lambda v, x: self.apply(v, x), self.variables_tree,
                jax.tree.map(lambda s: jax.ShapeDtypeStruct(s.shape, s.dtype), spec),
            )
            if isinstance(out, Mapping):
                names = list(out.keys())
            elif isinstance(out, (list, tuple)):
                names = [f"output_{i + 1}" for i in range(len(out))]
            else:
                names = ["output_1"]
            self.__dict__["_output_names"] = names
        return names

    def _weight_layers(self) -> list[Layer]:
        """Direct sub-layers that may own variables (InputLayers excluded)."""
        return [layer for layer in self.layers if type(layer).__name__ != "InputLayer"]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A sub-layer by name or by index (Keras semantics)."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index, not both.")
        if index is not None:
            layers = self.layers
            if not isinstance(index, int) or not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model '{self.name}' only "
                    f"has {len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[la.name for la in self.layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # --- the pure API --------------------------------------------------------------------------
    def _forward(self, inputs: Any) -> Any:
        """Runs the model's computation; every layer call goes through the active context.

        For subclassed models this is ``call``; sub-layer calls inside it are routed to the
        active :class:`ApplyContext`, which hands them their variables.
        """
        ctx = context.current()
        if _accepts(self.call, "training"):
            return self.call(inputs, training=ctx.training)
        return self.call(inputs)

    def init(self, key: jax.Array, input_spec: Any) -> dict[str, Any]:
        """Fresh variables for inputs like ``input_spec`` (pure; the model is not modified)."""
        spec = spec_of(input_spec)

        def run(k, x):
            ctx = context.ApplyContext({}, training=False, rng=None, init_key=k)
            with ctx:
                self._forward(x)
            self.__dict__["_weight_order"] = ctx.weight_order
            return {"params": ctx.params, "state": ctx.state}

        dummy = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), spec)
        # Small models run op by op: the primitives init uses compile once per process and are
        # reused by later models, whereas a jitted init compiles anew for every model. A large
        # model (many layers and distinct shapes: ~380 small compiles for MobileNetV2) builds
        # faster as one program, where XLA drops the unused forward pass and compiles only the
        # initializers (MobileNetV2 96x96 on 2 loaded cores: 24.5 s op by op, 12.9 s jitted;
        # ResNet50 6.8 s / 5.0 s first, a repeat build 0.6 s / 4.5 s). Host-side layers that
        # can't be traced fall back to op by op. A process that builds the same large models
        # many times (the test-suite) is faster op by op: JNN_INIT_JIT_MIN_LAYERS=0.
        if 0 < _JIT_INIT_MIN_LAYERS <= len(self.layers):
            try:
                return jax.jit(run)(key, dummy)
            except Exception:  # noqa: BLE001 - op by op gives the real error, if any
                pass
        return run(key, dummy)

    def apply(
        self,
        variables: Mapping[str, Any],
        inputs: Any,
        *,
        training: bool = False,
        rng: jax.Array | None = None,
        mutable: bool = False,
        return_losses: bool = False,
        sample_mask: jax.Array | None = None,
    ) -> Any:
        """Runs the model on ``inputs`` with ``variables`` (pure; jit/grad/vmap-safe)."""
        outputs, new_state, losses = self._apply_with_losses(
            variables, inputs, training=training, rng=rng, sample_mask=sample_mask
        )
        if not mutable:
            return outputs
        if return_losses:
            total = sum(losses[1:], losses[0]) if losses else jnp.zeros((), jnp.float32)
            return outputs, new_state, total
        return outputs, new_state

    def _apply_with_losses(self, variables, inputs, *, training=False, rng=None,
                           sample_mask=None, **kwargs):
        if kwargs:
            raise TypeError(f"Model '{self.name}' got unexpected call arguments {sorted(kwargs)}.")
        ctx = context.ApplyContext(
            variables, training=training, rng=rng, sample_mask=sample_mask
        )
        with ctx:
            outputs = self._forward(inputs)
        return outputs, ctx.merged_state(), ctx.losses

    def flatten_outputs(self, y: Any) -> list[Any]:
        """Model outputs as a flat list, in output order."""
        names = self.output_names
        if isinstance(y, Mapping):
            return [y[n] for n in names]
        if isinstance(y, (list, tuple)):
            return list(y)
        return [y]

    def regularization_penalty(self, params: Mapping[str, Any]) -> jax.Array:
        """Sum of every layer's weight penalties (pure)."""
        total = jnp.zeros((), jnp.float32)
        for layer in self._weight_layers():
            if layer.name in params:
                total = total + layer.regularization_penalty(params[layer.name])
        return total

    def apply_constraints(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Projects params with every layer's constraints (pure)."""
        out = dict(params)
        for layer in self._weight_layers():
            if layer.name in out:
                out[layer.name] = layer.apply_constraints(out[layer.name])
        return out

    def weight_regularizers(self) -> dict:
        return {}

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # Keras: setting a model's (or a nested model's) flag sets every sub-layer's.
        self._trainable = bool(value)
        for layer in self.__dict__.get("_tracked", []) + list(
            self.__dict__.get("_layers", [])
        ):
            layer.trainable = bool(value)

    def trainable_mask(self, params: Mapping[str, Any], parent: bool | None = None
                       ) -> dict[str, Any]:
        """A pytree of bools like ``params``: True where the weight trains."""
        if parent is None:
            parent = self.trainable
        out = {}
        for layer in self._weight_layers():
            if layer.name not in params:
                continue
            on = parent and layer.trainable
            if getattr(layer, "_is_model", False):
                out[layer.name] = layer.trainable_mask(params[layer.name], on)
            else:
                out[layer.name] = jax.tree.map(lambda _, on=on: on, params[layer.name])
        return out

    # --- building and the weight stores ---------------------------------------------------------
    @property
    def built(self) -> bool:
        return bool(self.__dict__.get("_model_built"))

    def _input_spec_for_build(self) -> Any:
        raise NotImplementedError

    def _build_from_spec(self, spec: Any) -> None:
        """Creates weights for every layer that has none yet (shared layers keep theirs)."""
        user_build = type(self).build
        if user_build is not Model.build and not self.__dict__.get("_in_user_build") and \
                "Sequential" not in type(self).__name__ and "Functional" not in type(self).__name__:
            self.__dict__["_in_user_build"] = True
            try:
                shapes = jax.tree.map(lambda s: (None,) + tuple(s.shape[1:]), spec_of(spec))
                user_build(self, shapes)
            finally:
                self.__dict__["_in_user_build"] = False
        self.__dict__["_build_spec"] = spec_of(spec)
        self.__dict__.pop("_output_names", None)
        self.__dict__.pop("_output_spec_cache", None)
        key = rng.next_key()
        from jnn._shell.saving import build_guard

        build_guard.check_build(self, key, spec)  # while loading a file: sizes before allocation
        variables = self.init(key, spec)
        self._adopt_variables(variables, keep_existing=True)
        self.__dict__["_model_built"] = True

    def _adopt_variables(self, variables: Mapping[str, Any], keep_existing: bool) -> None:
        params, state = variables.get("params", {}), variables.get("state", {})
        for layer in self._weight_layers():
            sub = {"params": params.get(layer.name, {}), "state": state.get(layer.name, {})}
            if getattr(layer, "_is_model", False):
                layer._adopt_variables(sub, keep_existing)
                layer.__dict__["_model_built"] = True
                continue
            store = layer.__dict__.get("_binding")
            if store is None:
                order = (self.__dict__.get("_weight_order") or {}).get(layer.name)
                layer.__dict__["_binding"] = LayerStore(layer, sub, order)
                if getattr(layer, "_initial_weights", None) is not None:
                    layer.set_weights(layer._initial_weights)
            elif not keep_existing:
                store.update(sub)

    @property
    def variables_tree(self) -> dict[str, Any]:
        """The current ``{"params", "state"}`` pytree gathered from the layers."""
        self._require_built("read the model's variables")
        params: dict[str, Any] = {}
        state: dict[str, Any] = {}
        for layer in self._weight_layers():
            if getattr(layer, "_is_model", False):
                sub = layer.variables_tree
            else:
                store = layer.__dict__.get("_binding")
                if store is None:
                    continue
                sub = store.variables
            if sub["params"]:
                params[layer.name] = sub["params"]
            if sub["state"]:
                state[layer.name] = sub["state"]
        return {"params": params, "state": state}

    def set_variables(self, variables: Mapping[str, Any]) -> None:
        """Writes a ``{"params", "state"}`` pytree (e.g. after training) into the layers."""
        self._adopt_variables(variables, keep_existing=False)

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(
                f"Model '{self.name}' has not been built yet, so you cannot {what}. Build it by "
                "giving the first layer an input shape (e.g. `Dense(8, input_shape=(4,))` or a "
                "`jnn.Input(shape=(4,))` first), by calling `model.build(input_shape)`, or by "
                "calling fit / predict on data."
            )

    def build(self, input_shape: Any = None) -> None:
        """Creates the weights for inputs of ``input_shape`` (batch dimension included)."""
        if self.__dict__.get("_in_user_build"):
            return
        if input_shape is None:
            raise ValueError(f"Model '{self.name}': build() needs an input_shape.")
        spec = _spec_from_shape(input_shape)
        self._build_from_spec(spec)

    # --- weights, Keras style -------------------------------------------------------------------
    @property
    def weights(self) -> list[Weight]:
        if not self.built:
            return []
        out: list[Weight] = []
        seen: set[int] = set()
        for layer in self._weight_layers():
            for w in layer.weights:
                key = id(w._store), w.collection, w.short_name
                if key not in seen:
                    seen.add(key)  # type: ignore[arg-type]
                    out.append(w)
        return out

    @property
    def trainable_weights(self) -> list[Weight]:
        if not self.trainable:
            return []
        return [w for w in self.weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list[Weight]:
        if not self.trainable:
            return self.weights
        return [w for w in self.weights if not w.trainable]

    def get_weights(self) -> list[np.ndarray]:
        """All weights as numpy arrays, in Keras order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Sets all weights from numpy arrays in Keras order (count and shapes checked)."""
        self._require_built("set its weights")
        set_weights_in_order(self.weights, weights, self.name)
        self._invalidate_train_state()

    def count_params(self) -> int:
        self._require_built("count its parameters")
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    def _invalidate_train_state(self) -> None:
        ts = self.__dict__.get("_train_state")
        if ts is not None:
            self.__dict__["_train_state"] = None
            self.__dict__["_opt_state_keep"] = ts.opt_state

    def __getattr__(self, item: str) -> Any:
        if item.startswith("_"):
            raise AttributeError(item)
        hint = _REMOVED_IN_KERAS3.get(item)
        hint = f": Keras 3 removed it, {hint}" if hint else ""
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{item}'{hint}")

    # --- eager call: model(x) on data ----------------------------------------------------------
    def _eager_call(self, inputs: Any, kwargs: dict[str, Any]) -> Any:
        from jnn._shell.layers.hooks import _to_arrays

        inputs = _to_arrays(inputs)
        training = bool(kwargs.pop("training", False) or False)
        if not self.built:
            self._build_from_spec(spec_of(inputs))
        variables = self.variables_tree
        key = rng.next_key() if training else None
        out, new_state = self.apply(variables, inputs, training=training, rng=key, mutable=True)
        if training and new_state:
            self.set_variables({"params": variables["params"], "state": new_state})
        return out

    # --- Keras workflow (compile/fit/evaluate/predict) lives in training.py ------------------
    # Keras 3's stateless JAX API; a user's train_step / test_step / predict_step override
    # runs fused (custom_steps.py).
    from jnn._shell.training.driver import (  # noqa: E402
        compile,
        predict_classes,
    )
    from jnn._shell.training.driver import metrics_names as metrics_names  # noqa: E402
    from jnn._shell.training.stateless import (  # noqa: E402
        compute_loss,
        metrics,
        metrics_variables,
        non_trainable_variables,
        predict_step,
        stateless_call,
        stateless_compute_loss,
        test_step,
        train_step,
        trainable_variables,
    )

    @functools.wraps(training.fit)
    def fit(self, *args: Any, **kwargs: Any) -> Any:
        if custom_steps.uses_custom_step(self, "train"):
            return custom_steps.fit(self, *args, **kwargs)
        return training.fit(self, *args, **kwargs)

    @functools.wraps(training.evaluate)
    def evaluate(self, *args: Any, **kwargs: Any) -> Any:
        if custom_steps.uses_custom_step(self, "test"):
            return custom_steps.evaluate_method(self, *args, **kwargs)
        return training.evaluate(self, *args, **kwargs)

    @functools.wraps(training.predict)
    def predict(self, *args: Any, **kwargs: Any) -> Any:
        if custom_steps.uses_custom_step(self, "predict"):
            return custom_steps.predict(self, *args, **kwargs)
        return training.predict(self, *args, **kwargs)

    @functools.wraps(training.train_on_batch)
    def train_on_batch(self, *args: Any, **kwargs: Any) -> Any:
        if custom_steps.uses_custom_step(self, "train"):
            return custom_steps.train_on_batch(self, *args, **kwargs)
        return training.train_on_batch(self, *args, **kwargs)

    @functools.wraps(training.test_on_batch)
    def test_on_batch(self, *args: Any, **kwargs: Any) -> Any:
        if custom_steps.uses_custom_step(self, "test"):
            return custom_steps.test_on_batch(self, *args, **kwargs)
        return training.test_on_batch(self, *args, **kwargs)

    @functools.wraps(training.predict_on_batch)
    def predict_on_batch(self, *args: Any, **kwargs: Any) -> Any:
        if custom_steps.uses_custom_step(self, "predict"):
            return custom_steps.predict_on_batch(self, *args, **kwargs)
        return training.predict_on_batch(self, *args, **kwargs)

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        """Writes the weights to a Keras 3 ``.weights.h5`` file (atomically)."""
        from jnn._shell.saving import weights_io

        weights_io.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str, skip_mismatch: bool = False) -> None:
        """Reads weights from a Keras 3 ``.weights.h5`` file (by layer / attribute path), or
        from a Keras 2 ``.h5`` weights or model file (by layer order, as Keras's legacy loader;
        the ImageNet files of ``keras.applications`` are of this kind)."""
        from jnn._shell.saving import weights_io

        name = os.fspath(filepath) if isinstance(filepath, (str, os.PathLike)) else None
        if name is not None and not str(name).endswith(".weights.h5") and \
                str(name).endswith((".h5", ".hdf5")):
            from jnn._shell.saving import legacy_h5

            weights_io._require_built(self, "load weights into it")
            if not os.path.exists(name):
                raise FileNotFoundError(f"load_weights: no such file: '{name}'.")
            legacy_h5.load_weights(self, str(name))
            return
        weights_io.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    @property
    def compiled_metrics(self) -> list[Any]:
        """The resolved metric objects of each output (after the first fit / evaluate)."""
        cfg = self.__dict__.get("_compiled")
        if cfg is None or cfg.objectives is None:
            return []
        return [m for ms in cfg.objectives.metrics for m in ms]

    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Any = None, expand_nested: bool = False,
                show_trainable: bool = False) -> None:
        """Prints the Keras 2 summary table of the model."""
        from jnn._shell.models.summary_rows import print_model_summary

        print_model_summary(self, line_length=line_length, positions=positions,
                            print_fn=print_fn)

    def get_config(self) -> dict[str, Any]:
        """A subclassed model's config: name, trainable and, as Keras 3 records them, the
        constructor arguments when they are plain values (override to add others)."""
        config = dict(self.__dict__.get("_auto_config") or {})
        config.update(name=self.name, trainable=self.trainable)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> Model:
        """Rebuilds a model: a functional config gives a functional model, else ``cls(**config)``.

        Example:
            >>> import jnn
            >>> x = jnn.Input(shape=(3,))
            >>> m = jnn.Model(x, jnn.layers.Dense(2)(x))
            >>> jnn.Model.from_config(m.get_config()).count_params()
            8
        """
        if "input_layers" in config and "output_layers" in config:
            from jnn._shell.saving import model_config

            target = None if cls is Model else cls
            return model_config.functional_from_config(target, config, custom_objects)
        return cls(**config)

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture as a Keras 3 JSON string (no weights).

        Example:
            >>> import jnn
            >>> m = jnn.Sequential([jnn.layers.Dense(2, input_shape=(3,))])
            >>> jnn.models.model_from_json(m.to_json()).count_params()
            8
        """
        from jnn._shell.saving import api

        return api.to_json(self, **kwargs)

    def save(self, filepath: Any, overwrite: bool = True, zipped: Any = None,
             include_optimizer: bool = True, **kwargs: Any) -> None:
        """Saves the whole model: ``.keras`` (Keras 3 zip) or ``.h5`` (legacy Keras 2 HDF5).

        Architecture, weights, compile configuration and optimizer state are saved; the write
        is atomic (a temporary file in the same directory is renamed into place).

        Example:
            >>> model.save("my_model.keras")  # doctest: +SKIP
        """
        from jnn._shell.saving import api

        api.save_model(self, filepath, overwrite=overwrite, zipped=zipped,
                       include_optimizer=include_optimizer, **kwargs)


# Keras 2 model methods that Keras 3 dropped, with what to call instead.
_REMOVED_IN_KERAS3 = {
    "fit_generator": "pass the generator to `model.fit(...)` instead.",
    "evaluate_generator": "pass the generator to `model.evaluate(...)` instead.",
    "predict_generator": "pass the generator to `model.predict(...)` instead.",
    "predict_proba": "use `model.predict(x)` instead.",
}


def _is_plain_subclass(cls: type) -> bool:
    """A user's subclass of Model itself (not of Functional / Sequential)."""
    return getattr(cls, "_graph_kind", None) is None and "Sequential" not in [c.__name__ for c in cls.__mro__]


def _functional_variant(cls: type) -> type:
    """``cls`` with :class:`Functional` behind it (cached): the subclass's methods come first."""
    variant = cls.__dict__.get("_jnn_functional_variant")
    if variant is None:
        functional = protocol.model_class("Functional")
        # Its qualified name leads pickle to it: module.CustomModel._jnn_functional_variant.
        variant = type(cls.__name__, (cls, functional), {
            "__module__": cls.__module__,
            "__qualname__": f"{cls.__qualname__}._jnn_functional_variant",
            "__doc__": cls.__doc__})
        type.__setattr__(cls, "_jnn_functional_variant", variant)
    return variant


def _auto_config(cls: type, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """The constructor arguments by name when all are JSON-friendly values, else None."""
    import inspect

    try:
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None
    out: dict[str, Any] = {}
    for name, value in list(bound.arguments.items())[1:]:
        param = inspect.signature(cls.__init__).parameters[name]
        if param.kind is param.VAR_KEYWORD:
            out.update(value)
        elif param.kind is param.VAR_POSITIONAL:
            if value:
                return None
        else:
            out[name] = value
    return out if all(_plain(v) for v in out.values()) else None


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _iter_layers(value: Any):
    if isinstance(value, Layer):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _iter_layers(v)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _iter_layers(v)


def _accepts(fn: Any, arg: str) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return arg in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _spec_from_shape(input_shape: Any) -> Any:
    def one(shape):
        shape = tuple(shape)
        return jax.ShapeDtypeStruct(tuple(1 if d is None else int(d) for d in shape), jnp.float32)

    if isinstance(input_shape, Mapping):
        return {k: one(v) for k, v in input_shape.items()}
    if isinstance(input_shape, (list, tuple)) and input_shape and isinstance(
        input_shape[0], (list, tuple)
    ):
        return [one(s) for s in input_shape]
    return one(input_shape)


def symbolic_spec(shape: Any, dtype: Any = jnp.float32) -> SymbolicSpec:
    return SymbolicSpec(tuple(shape), dtype)
