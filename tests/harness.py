"""The shared layer-test harness: one call checks the whole layer protocol.

``run_layer_test`` builds a layer from its constructor arguments, creates variables, runs
``apply`` in each training mode, and checks:

* ``init`` is deterministic and traceable (``jax.eval_shape(layer.init, ...)`` agrees);
* param / state names (Keras order), shapes, dtypes and total count;
* ``apply`` at inference works without ``rng``; ``new_state`` mirrors ``variables["state"]``;
* ``compute_output_shape`` (batch ``None``) and ``compute_output_spec`` match the real output;
* ``jax.jit(apply)`` equals eager ``apply``; ``apply`` is pure (same result twice, variables
  untouched);
* gradients of ``sum(outputs)`` wrt params and float inputs are finite;
* ``get_config`` -> ``from_config`` -> same config, and the rebuilt layer gives the same outputs;
* regularizer / constraint keys name existing params.

Example:
    >>> from jnn.layers import Dense
    >>> result = run_layer_test(Dense, {"units": 3}, (2, 4), expected_param_names=["kernel", "bias"])
    >>> result.outputs[False].shape
    (2, 3)
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.layers.base import Layer, SymbolicSpec, spec_of

__all__ = [
    "LayerTestResult",
    "assert_matches_keras",
    "flat_names",
    "flat_values",
    "make_inputs",
    "run_layer_test",
]


# XLA compiles the "rbg" generator several times faster than threefry on CPU; layers must
# not depend on the key's implementation, so the harness uses the cheaper one.
KEY_IMPL = "rbg"


@dataclasses.dataclass
class LayerTestResult:
    """What ``run_layer_test`` built, for extra assertions in the calling test."""

    layer: Layer
    variables: dict[str, Any]
    inputs: Any
    outputs: dict[bool, Any]  # training mode -> outputs
    states: dict[bool, Any]  # training mode -> new_state


def _is_shape(x: Any) -> bool:
    return isinstance(x, tuple) and all(isinstance(d, int) for d in x)


def make_inputs(input_shape: Any, input_dtype: Any = "float32", seed: int = 0) -> Any:
    """Random inputs: standard normal floats, ints in ``[0, 10)``, random bools."""
    rng = np.random.default_rng(seed)

    def one(shape):
        dtype = jnp.dtype(input_dtype)
        # Cast on the host: a device-side cast would compile one more XLA program.
        if jnp.issubdtype(dtype, jnp.floating):
            return jnp.asarray(rng.standard_normal(shape).astype(dtype))
        if dtype == np.bool_:
            return jnp.asarray(rng.random(shape) < 0.5)
        return jnp.asarray(rng.integers(0, 10, shape).astype(dtype))

    if _is_shape(input_shape):
        return one(input_shape)
    return [one(tuple(s)) for s in input_shape]


def flat_names(tree: dict[str, Any], prefix: str = "") -> list[str]:
    """``{"a": {"b": x}, "c": y}`` -> ``["a/b", "c"]`` in insertion order."""
    names = []
    for k, v in tree.items():
        if isinstance(v, dict):
            names.extend(flat_names(v, f"{prefix}{k}/"))
        else:
            names.append(f"{prefix}{k}")
    return names


def _snapshot(tree: Any) -> Any:
    return jax.tree.map(lambda a: np.array(a, copy=True), tree)


def _assert_trees_equal(a: Any, b: Any, what: str) -> None:
    assert jax.tree.structure(a) == jax.tree.structure(b), f"{what}: structures differ"
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y), err_msg=what)


def _assert_trees_close(a: Any, b: Any, rtol: float, what: str) -> None:
    assert jax.tree.structure(a) == jax.tree.structure(b), f"{what}: structures differ"
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype, f"{what}: dtype {x.dtype} != {y.dtype}"
        if jnp.issubdtype(x.dtype, jnp.floating):
            tol = max(rtol, float(jnp.finfo(x.dtype).eps) * 4)
            x, y = x.astype(np.float64), y.astype(np.float64)
            np.testing.assert_allclose(x, y, rtol=tol, atol=tol, err_msg=what)
        else:
            np.testing.assert_array_equal(x, y, err_msg=what)


def _batch_none(shape: tuple) -> tuple:
    return (None,) + tuple(shape[1:]) if shape else shape


def _shape_tree(tree: Any) -> Any:
    return jax.tree.map(lambda a: _batch_none(tuple(a.shape)), tree)


def _check_variables(variables, layer, expected_param_names, expected_state_names, num):
    assert isinstance(variables, dict) and set(variables) == {"params", "state"}, (
        f"init must return {{'params', 'state'}}, got {type(variables)} {list(variables)}"
    )
    params, state = variables["params"], variables["state"]
    if expected_param_names is not None:
        assert flat_names(params) == list(expected_param_names), flat_names(params)
    if expected_state_names is not None:
        assert flat_names(state) == list(expected_state_names), flat_names(state)
    for leaf in jax.tree.leaves(variables):
        assert isinstance(leaf, jax.Array), f"variables must hold jax arrays, got {type(leaf)}"
    for leaf in jax.tree.leaves(params):
        if jnp.issubdtype(leaf.dtype, jnp.floating):
            assert leaf.dtype == jnp.dtype(layer.variable_dtype), (
                f"param dtype {leaf.dtype} != the layer's variable dtype {layer.variable_dtype}"
            )
    if num is not None:
        total = sum(int(np.prod(a.shape)) for a in jax.tree.leaves(variables))
        assert total == num, f"expected {num} weights in params + state, found {total}"
    names = set(params)
    for kind, table in (
        ("regularizer", layer.weight_regularizers()),
        ("constraint", layer.weight_constraints()),
    ):
        assert set(table) <= names, f"{kind} keys {sorted(table)} not in params {sorted(names)}"


def _sum_outputs(out: Any) -> jax.Array:
    leaves = [o for o in jax.tree.leaves(out) if jnp.issubdtype(o.dtype, jnp.inexact)]
    return sum((jnp.sum(o.astype(jnp.float32)) for o in leaves), jnp.zeros((), jnp.float32))


def _grad_fn(layer, state, x, training):
    """``(params, inputs, rng) -> grads`` of ``sum(outputs)``, or None if nothing is float."""
    float_inputs = all(jnp.issubdtype(a.dtype, jnp.floating) for a in jax.tree.leaves(x))

    def loss(params, inputs, rng):
        out, _ = layer.apply({"params": params, "state": state}, inputs, training=training, rng=rng)
        return _sum_outputs(out)

    if float_inputs:
        return jax.grad(loss, argnums=(0, 1))
    return jax.grad(loss)


def _assert_finite(grads, training):
    for g in jax.tree.leaves(grads):
        assert np.all(np.isfinite(np.asarray(g))), f"non-finite gradient (training={training})"


def _check_shapes(layer, x, out, input_dtype):
    in_shapes = _shape_tree(x)
    expected = _shape_tree(out)
    if jnp.issubdtype(jnp.dtype(input_dtype), jnp.floating):
        declared = layer.compute_output_shape(in_shapes)
        assert jax.tree.map(tuple, declared, is_leaf=_is_tuple) == expected, (
            f"compute_output_shape{in_shapes} = {declared}, apply gives {expected}"
        )
    specs = jax.tree.map(
        lambda a: SymbolicSpec(_batch_none(tuple(a.shape)), a.dtype),
        x,
        is_leaf=lambda a: hasattr(a, "shape"),
    )
    out_spec = layer.compute_output_spec(specs)
    got = jax.tree.map(lambda s: (s.shape, s.dtype), out_spec, is_leaf=_is_spec)
    want = jax.tree.map(lambda a: (_batch_none(tuple(a.shape)), a.dtype), out)
    assert got == want, f"compute_output_spec gives {got}, apply gives {want}"


def _is_tuple(x: Any) -> bool:
    return isinstance(x, tuple) and all(d is None or isinstance(d, int) for d in x)


def _is_spec(x: Any) -> bool:
    return isinstance(x, SymbolicSpec)


def _check_expected_shape(out: Any, expected: Any) -> None:
    shapes = jax.tree.map(lambda a: tuple(a.shape), out)
    flat_expected = [expected] if _is_tuple(tuple(expected)) else list(expected)
    flat_shapes = jax.tree.leaves(shapes, is_leaf=_is_tuple)
    assert len(flat_expected) == len(flat_shapes), f"outputs {shapes} vs expected {expected}"
    for got, want in zip(flat_shapes, flat_expected):
        want = tuple(want)
        ok = len(got) == len(want) and all(w is None or w == g for g, w in zip(got, want))
        assert ok, f"output shape {got} does not match expected {want}"


def _check_config(layer_cls, layer, variables, x, outputs, rng, rtol):
    config = layer.get_config()
    assert isinstance(config, dict)
    rebuilt = layer_cls.from_config(copy.deepcopy(config))
    assert rebuilt.get_config() == config, "get_config -> from_config -> get_config differs"
    for training, out in outputs.items():
        again, _ = rebuilt.apply(variables, x, training=training, rng=rng)
        _assert_trees_close(again, out, rtol, f"rebuilt layer output (training={training})")


def run_layer_test(
    layer_cls: type[Layer],
    init_kwargs: dict[str, Any],
    input_shape: tuple[int, ...] | Sequence[tuple[int, ...]],
    *,
    input_dtype: Any = "float32",
    expected_output_shape: Any = None,
    expected_num_params: int | None = None,
    expected_param_names: Sequence[str] | None = None,
    expected_state_names: Sequence[str] | None = None,
    training_modes: Sequence[bool] = (False, True),
    check_grads: bool = True,
    input_data: Any = None,
    rtol: float = 1e-6,
) -> LayerTestResult:
    """Runs the layer-protocol checks on ``layer_cls(**init_kwargs)``.

    Args:
        layer_cls: the layer class.
        init_kwargs: constructor arguments.
        input_shape: concrete input shape with batch (``(2, 3)``), or a list of them for
            multi-input layers. Ignored when ``input_data`` is given.
        input_dtype: dtype of the random inputs (floats: normal; ints: ``[0, 10)``).
        expected_output_shape: concrete output shape(s); ``None`` entries match anything.
        expected_num_params: number of scalars in params + state (Keras's ``count_params``).
        expected_param_names / expected_state_names: flattened names (``"a/b"`` for nested
            dicts), in Keras weight order.
        training_modes: modes to run ``apply`` in (``rng`` is always supplied, except for an
            extra inference call that checks it is not needed).
        check_grads: check finite gradients of ``sum(outputs)`` wrt params and float inputs.
        input_data: explicit inputs instead of random ones.
        rtol: tolerance of the jit / rebuilt-layer comparisons.

    Returns:
        A ``LayerTestResult`` with the layer, variables, inputs, outputs and new states per mode.
    """
    layer = layer_cls(**init_kwargs)
    x = make_inputs(input_shape, input_dtype) if input_data is None else input_data
    if input_data is not None:
        input_dtype = jax.tree.leaves(x)[0].dtype
    key = jax.random.key(0, impl=KEY_IMPL)
    rng = jax.random.key(1, impl=KEY_IMPL)
    spec = spec_of(x)

    variables = layer.init(key, spec)
    _check_variables(
        variables, layer, expected_param_names, expected_state_names, expected_num_params
    )
    _assert_trees_equal(layer.init(key, spec), variables, "init is not deterministic")
    abstract = jax.eval_shape(layer.init, key, spec)
    assert jax.tree.map(lambda a: (a.shape, a.dtype), abstract) == jax.tree.map(
        lambda a: (a.shape, a.dtype), variables
    ), "jax.eval_shape(layer.init) disagrees with layer.init"

    before = _snapshot(variables)
    inputs_before = _snapshot(x)
    no_rng, _ = layer.apply(variables, x)

    outputs, states = {}, {}
    for training in training_modes:
        out, new_state = layer.apply(variables, x, training=training, rng=rng)
        outputs[training], states[training] = out, new_state
        assert jax.tree.map(lambda a: (a.shape, a.dtype), new_state) == jax.tree.map(
            lambda a: (a.shape, a.dtype), variables["state"]
        ), f"new_state must mirror variables['state'] (training={training})"
        if expected_output_shape is not None:
            _check_expected_shape(out, expected_output_shape)
        _check_shapes(layer, x, out, input_dtype)

        # One compilation per mode: outputs and gradients together.
        grad_fn = _grad_fn(layer, variables["state"], x, training) if check_grads else None

        def both(v, a, r, t=training, grad_fn=grad_fn):
            result = layer.apply(v, a, training=t, rng=r)
            return result, (grad_fn(v["params"], a, r) if grad_fn else None)

        jitted = jax.jit(both)
        jit_result, grads = jitted(variables, x, rng)
        _assert_trees_close(jit_result, (out, new_state), rtol, "jit vs eager")
        _assert_trees_equal(jitted(variables, x, rng), (jit_result, grads), "jit is not pure")
        again = layer.apply(variables, x, training=training, rng=rng)
        _assert_trees_equal(again, (out, new_state), f"apply is not pure (training={training})")
        _assert_finite(grads, training)

    if False in outputs:
        _assert_trees_equal(no_rng, outputs[False], "inference output depends on rng")
    _assert_trees_equal(variables, before, "apply mutated the variables")
    _assert_trees_equal(x, inputs_before, "apply mutated the inputs")
    _check_config(layer_cls, layer, variables, x, outputs, rng, rtol)
    return LayerTestResult(layer, variables, x, outputs, states)


def flat_values(tree: dict[str, Any]) -> list[Any]:
    """Leaves of a nested dict in insertion order (Keras weight order), unlike jax.tree."""
    values = []
    for v in tree.values():
        values.extend(flat_values(v) if isinstance(v, dict) else [v])
    return values


def assert_matches_keras(
    layer: Layer,
    keras_layer: Any,
    x: Any,
    *,
    variables: dict[str, Any] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-6,
    call_kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Copies our variables into the built Keras layer (Keras order) and compares outputs at
    inference. Returns the variables used.

    Our params then state are handed to ``keras_layer.set_weights`` in insertion order, so the
    test also checks that our weight order and shapes are Keras's.
    """
    if variables is None:
        variables = layer.init(jax.random.key(0, impl=KEY_IMPL), spec_of(x))
    call_kwargs = call_kwargs or {}
    x_np = jax.tree.map(np.asarray, x)
    # Keras itself relies on implicit rank promotion, which our test config forbids.
    with jax.numpy_rank_promotion("allow"):
        keras_layer(x_np, **call_kwargs)  # builds the Keras layer
        ours = flat_values(variables["params"]) + flat_values(variables["state"])
        keras_layer.set_weights([np.asarray(w) for w in ours])
        expected = keras_layer(x_np, **call_kwargs)
    got, _ = layer.apply(variables, x, training=False, **call_kwargs)
    for g, e in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=rtol, atol=atol)
    assert len(jax.tree.leaves(got)) == len(jax.tree.leaves(expected))
    return variables
