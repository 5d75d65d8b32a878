"""The metric protocol: configuration plus pure ``init`` / ``update`` / ``result`` / ``merge``.

A metric's running state is a small pytree of fixed-shape float arrays (sums and counts), so a
training step can carry it through ``jax.jit`` and ``lax.scan``, and ``merge`` (an elementwise
sum) combines states from batches or devices into exact sample-weighted results. Keras's
stateful conveniences (``update_state`` / ``result()`` / ``reset_state``) keep a private state
on the object; they are the only non-pure part and live here only.

Example:
    >>> import jax.numpy as jnp
    >>> m = Mean()
    >>> state = m.update(m.init(), jnp.array([1.0, 2.0, 3.0]))
    >>> float(m.result(state))
    2.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core import initializers
from jnn._core import variables as variables_lib
from jnn._core.layers.base import hooks, to_snake_case
from jnn._core.losses import _compute_dtype, _divide_no_nan, squeeze_or_expand_to_same_rank

State = Any
Array = jax.Array


# A metric or loss function by name, for ``MeanMetricWrapper.from_config``. The metrics registry
# (which imports this module for ``Metric``) installs its lookup here when it is imported, and
# ``jnn._core.metrics`` always imports it: this module never imports the registry back.
def _function_from_name(name: str) -> Callable[..., Any]:
    raise LookupError(f"metric function '{name}': jnn._core.metrics.registry is not imported")


class Metric:
    """Base class of metrics.

    Subclasses implement ``init() -> state``, ``update(state, y_true, y_pred,
    sample_weight=None) -> state`` and ``result(state=None) -> array`` (starting with
    ``state = self._current(state)`` so that ``result()`` reads the private state). Metrics
    whose state shape depends on the data (``AUC(multi_label=True)``, ``F1Score``) learn it in
    ``build(y_true_shape, y_pred_shape)``, which :func:`jnn.metrics.resolve` calls.

    Args:
        name: name in the logs (snake-case class name, made unique, by default).
        dtype: dtype of the state and computations (float32 by default).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> m = Mean()
        >>> update = jax.jit(m.update)
        >>> s = update(m.init(), jnp.array([1.0, 3.0]), jnp.array([1.0, 0.0]))
        >>> float(m.result(s))
        1.0
    """

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or hooks.auto_name(to_snake_case(type(self).__name__))
        self._dtype_arg = dtype
        self._dtype = _compute_dtype(dtype)
        self._state: State | None = None

    @property
    def dtype(self) -> str:
        return jnp.dtype(self._dtype).name

    # --- pure protocol -------------------------------------------------------------------------
    def build(self, y_true_shape: Any = None, y_pred_shape: Any = None) -> Metric:
        """Records what the state shape needs to know about the data (default: nothing)."""
        del y_true_shape, y_pred_shape
        return self

    @property
    def built(self) -> bool:
        return True

    def init(self) -> State:
        """The initial (empty) state: a pytree of fixed-shape arrays."""
        if _keras_style(self):
            store = self.__dict__.get("_keras_store")
            # fresh buffers: the engine donates the states it is given
            return {k: jnp.array(v, copy=True) for k, v in store.initial.items()} \
                if store is not None else {}
        raise NotImplementedError(f"{type(self).__name__} must implement `init`.")

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        """The state after one more batch. Pure; zero-weight rows do not count."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update`.")

    def result(self, state: State | None = None) -> Array:
        """The metric value for ``state`` (the object's own state when omitted)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def merge(self, state_a: State, state_b: State) -> State:
        """Combines two states (elementwise sum: all built-in states are additive)."""
        return jax.tree.map(jnp.add, state_a, state_b)

    def _zeros(self, shape: tuple[int, ...] = ()) -> Array:
        return jnp.zeros(shape, self._dtype)

    # --- Keras's stateful conveniences ---------------------------------------------------------
    def _current(self, state: State | None) -> State:
        if state is not None:
            return state
        if _keras_style(self):
            store = self.__dict__.get("_keras_store")
            return dict(store.variables["vars"]) if store is not None else {}
        if self._state is None:
            self._state = self.init()
        return self._state

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Updates the metric's own state (Keras style, outside of ``fit``)."""
        if not self.built and len(args) >= 2:
            self.build(jnp.shape(args[0]), jnp.shape(args[1]))
        self._state = self._jitted("update")(self._current(None), *args, **kwargs)

    def _jitted(self, method: str) -> Callable[..., Any]:
        # One compiled program per input shape: far cheaper than op-by-op dispatch.
        cache = self.__dict__.setdefault("_jit_cache", {})
        if method not in cache:
            cache[method] = jax.jit(getattr(self, method))
        return cache[method]

    def reset_state(self) -> None:
        """Forgets the accumulated state."""
        self._state = None
        self.__dict__.pop("_jit_cache", None)

    def __getstate__(self) -> dict[str, Any]:
        # Copies and pickles must not share compiled functions bound to this object.
        return {k: v for k, v in self.__dict__.items() if k != "_jit_cache"}

    def reset_states(self) -> None:  # Keras 2 spelling
        self.reset_state()

    def __call__(self, *args: Any, **kwargs: Any) -> Array:
        """``update_state`` then ``result()``, as Keras."""
        self.update_state(*args, **kwargs)
        return self._jitted("result")(self._current(None))

    @property
    def variables(self) -> list[Array]:
        """The arrays of the object's own state (the :class:`jnn.Variable` handles for a
        metric written the Keras 3 way)."""
        if _keras_style(self):
            return [v for _, v in self.__dict__.get("_keras_vars", [])]
        return jax.tree.leaves(self._current(None))

    # --- Keras 3's way of writing a metric: add_variable + update_state + result ---------------
    def add_variable(self, shape: Any, initializer: Any, dtype: Any = None,
                     aggregation: str = "sum", name: str | None = None) -> Any:
        """Creates a state variable (Keras 3): returns a :class:`jnn.Variable`.

        ``update_state`` changes it with ``assign`` / ``assign_add``; inside ``fit`` those
        writes become the pure state update the fused engine scans.

        Example:
            >>> class Total(Metric):
            ...     def __init__(self, name="total", **kw):
            ...         super().__init__(name=name, **kw)
            ...         self.total = self.add_variable((), "zeros", name="total")
            ...     def update_state(self, values, sample_weight=None):
            ...         self.total.assign_add(jnp.sum(values))
            ...     def result(self):
            ...         return self.total.value
            >>> m = Total()
            >>> m.update_state(jnp.array([1.0, 2.0]))
            >>> float(m.result())
            3.0
        """
        del aggregation
        store = self.__dict__.get("_keras_store")
        if store is None:
            store = self.__dict__["_keras_store"] = _MetricStore()
        owned = self.__dict__.setdefault("_keras_vars", [])
        name = name or f"variable_{len(owned)}" if owned else (name or "variable")
        if name in store.variables["vars"]:
            raise ValueError(f"Metric '{self.name}': add_variable(name={name!r}) was used twice.")
        dtype = jnp.dtype(dtype or self._dtype)
        shape = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list)) else
                                       (() if shape is None else (shape,))))
        if callable(initializer) or isinstance(initializer, (str, dict)):
            value = initializers.get(initializer)(jax.random.key(0), shape, dtype)
        else:
            value = jnp.broadcast_to(jnp.asarray(initializer, dtype), shape)
        value = jnp.asarray(value, dtype)
        store.variables["vars"][name] = value
        store.initial[name] = value
        var = variables_lib.Variable._handle(store, "vars", name, f"{self.name}/{name}", False)
        owned.append((name, var))
        return var

    def add_weight(self, shape: Any = (), initializer: Any = None, dtype: Any = None,
                   name: str | None = None) -> Any:
        """Keras 3's older spelling of :meth:`add_variable`."""
        return self.add_variable(shape, initializer or "zeros", dtype=dtype, name=name)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        user_update = cls.__dict__.get("update_state")
        if user_update is None or "update" in cls.__dict__ or \
                getattr(user_update, "_jnn_keras", False):
            return
        # A Keras 3 metric: its update_state / result / reset_state read and assign the
        # variables from add_variable. The pure protocol runs them against a state pytree.
        user_result = cls.__dict__.get("result")
        user_reset = cls.__dict__.get("reset_state")

        def update(self: Metric, state: State, *args: Any, **kwargs: Any) -> State:
            pairs = self.__dict__.get("_keras_vars", [])
            with variables_lib.override({v: state[n] for n, v in pairs}) as current:
                user_update(self, *args, **kwargs)
            return {n: current[v] for n, v in pairs}

        def update_state(self: Metric, *args: Any, **kwargs: Any) -> None:
            user_update(self, *args, **kwargs)  # eager: writes go to the metric's own store

        def result(self: Metric, state: State | None = None) -> Array:
            fn = user_result or (lambda m: super(cls, m).result())
            if state is None:
                return _unwrap(fn(self))
            pairs = self.__dict__.get("_keras_vars", [])
            with variables_lib.override({v: state[n] for n, v in pairs}):
                return _unwrap(fn(self))

        def reset_state(self: Metric) -> None:
            if user_reset is not None:
                user_reset(self)
            else:
                store = self.__dict__.get("_keras_store")
                if store is not None:
                    store.variables["vars"].update(store.initial)

        update_state._jnn_keras = True  # type: ignore[attr-defined]
        cls.update = update
        cls.update_state = update_state
        cls.result = result
        cls.reset_state = reset_state
        cls._keras_style = True

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"

    # --- Keras 3's stateless API (lists of arrays in ``variables`` order) -------------------
    def _from_list(self, metric_variables: Any) -> State:
        return jax.tree.unflatten(jax.tree.structure(self.init()), list(metric_variables))

    def stateless_update_state(self, metric_variables: Any, *args: Any, **kwargs: Any
                               ) -> list[Array]:
        """``update_state`` as a pure function of the variables list (Keras 3)."""
        return jax.tree.leaves(self.update(self._from_list(metric_variables), *args, **kwargs))

    def stateless_result(self, metric_variables: Any) -> Array:
        """``result()`` for the given variables list (Keras 3)."""
        return self.result(self._from_list(metric_variables))

    def stateless_reset_state(self) -> list[Array]:
        """The variables of a fresh state (Keras 3)."""
        return jax.tree.leaves(self.init())


class _MetricStore:
    """A Keras-style metric's own variables (what ``update_state`` outside ``fit`` writes)."""

    def __init__(self) -> None:
        self.variables: dict[str, dict[str, Any]] = {"vars": {}}
        self.initial: dict[str, Any] = {}

    def set_one(self, collection: str, name: str, value: Any) -> None:
        old = self.variables[collection][name]
        self.variables[collection][name] = jnp.asarray(value, old.dtype)


def _keras_style(metric: Metric) -> bool:
    return bool(getattr(type(metric), "_keras_style", False))


def _unwrap(value: Any) -> Any:
    """A ``result()`` may return a Variable (``return self.total``): its array."""
    return jax.tree.map(
        lambda v: v.value if isinstance(v, variables_lib.Variable) else jnp.asarray(v), value,
        is_leaf=lambda v: isinstance(v, variables_lib.Variable),
    )


def reduce_to_samplewise_values(
    values: Any, sample_weight: Any, reduce_fn: Callable[..., Array], dtype: Any
) -> tuple[Array, Array | None]:
    """Keras's rule: per-sample values (reduced over non-batch axes) times their weights.

    Weights of rank ``r`` first reduce ``values`` over its axes beyond ``r``; weights of rank
    above one are then reduced to one weight per sample.
    """
    values = jnp.asarray(values).astype(dtype)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight).astype(dtype)
        if values.ndim == 0 and sample_weight.ndim > 0:
            # A per-batch value (rank-1 outputs): one sample of the batch's mean weight, so
            # an all-ones padding mask gives Keras's unweighted result.
            sample_weight = jnp.mean(sample_weight)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        wd, vd = sample_weight.ndim, values.ndim
        if vd > wd:
            values = reduce_fn(values, axis=tuple(range(wd, vd)))
        sample_weight = jnp.broadcast_to(sample_weight, values.shape)
        # Zero-weight (padding) rows contribute exactly 0, even if their value is not finite.
        values = jnp.where(sample_weight == 0, jnp.zeros_like(values), values * sample_weight)
        if wd > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, wd)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The weighted sum of values.

    Example:
        >>> m = Sum()
        >>> float(m.result(m.update(m.init(), jnp.array([1.0, 3.0]))))
        4.0
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def init(self) -> State:
        return {"total": self._zeros()}

    def update(self, state: State, values: Any, sample_weight: Any = None) -> State:
        values, _ = reduce_to_samplewise_values(values, sample_weight, jnp.sum, self._dtype)
        return {"total": state["total"] + jnp.sum(values)}

    def result(self, state: State | None = None) -> Array:
        return self._current(state)["total"]


class Mean(Metric):
    """The weighted mean of values (``sum(values * w) / sum(w)``).

    Example:
        >>> m = Mean()
        >>> s = m.update(m.init(), jnp.array([1.0, 3.0, 5.0]), sample_weight=jnp.array([1, 1, 0]))
        >>> float(m.result(s))
        2.0
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def init(self) -> State:
        return {"total": self._zeros(), "count": self._zeros()}

    def update(self, state: State, values: Any, sample_weight: Any = None) -> State:
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, jnp.mean, self._dtype
        )
        if sample_weight is not None:
            num = jnp.sum(sample_weight)
        else:
            num = jnp.asarray(values.shape[0] if values.ndim >= 1 else 1, self._dtype)
        return {"total": state["total"] + jnp.sum(values), "count": state["count"] + num}

    def result(self, state: State | None = None) -> Array:
        state = self._current(state)
        return _divide_no_nan(state["total"], state["count"])


class MeanMetricWrapper(Mean):
    """The weighted mean of ``fn(y_true, y_pred, **kwargs)`` over samples.

    Example:
        >>> def abs_err(y_true, y_pred):
        ...     return jnp.abs(y_true - y_pred)
        >>> m = MeanMetricWrapper(abs_err, name="abs_err")
        >>> float(m(jnp.array([0.0, 0.0]), jnp.array([1.0, 3.0])))
        2.0
    """

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        if not callable(fn):
            raise ValueError(f"MeanMetricWrapper: `fn` must be callable, received {fn!r}.")
        super().__init__(name=name or hooks.auto_name("mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update(self, state: State, y_true: Any, y_pred: Any, sample_weight: Any = None) -> State:
        values = self._fn(jnp.asarray(y_true), jnp.asarray(y_pred), **self._fn_kwargs)
        return super().update(state, values, sample_weight)

    def get_config(self) -> dict[str, Any]:
        from jnn._core.losses import serialize

        return {**super().get_config(), "fn": serialize(self._fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        config = dict(config)
        if isinstance(config.get("fn"), str):
            config["fn"] = _function_from_name(config["fn"])
        return cls(**config)


class _FnMetric(MeanMetricWrapper):
    """A Keras metric class around a fixed function; its config lists the keyword arguments."""

    _fn_static: Callable[..., Any]

    def __init__(self, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(type(self)._fn_static, name=name, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**{k: v for k, v in config.items() if k != "fn"})
