"""The layer-test harness of jnn's own tests: ``jnn.testing.check_layer`` plus expectations.

``run_layer_test`` builds a layer from its constructor arguments and runs the public harness
(``jnn.testing.check_layer``: init, jit == eager, declared output shape / spec, inference does not
depend on the rng, state only changes in training, per-sample independence, finite gradients on
random and edge inputs, config round trip, masks), then checks what a test states it expects:

* param / state names (Keras order), total count and output shapes;
* ``apply`` at inference works without ``rng``; ``apply`` leaves its variables untouched.

Weights round trips through files (``save_load``) run once per layer in
``tests/core/test_layers_properties.py``, not for every configuration here.

Example:
    >>> from jnn.layers import Dense
    >>> result = run_layer_test(Dense, {"units": 3}, (2, 4), expected_param_names=["kernel", "bias"])
    >>> result.outputs[False].shape
    (2, 3)
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jnn._core.layers.base import Layer, spec_of
from jnn.testing import PROPERTIES, check_layer
from jnn.testing import make_inputs as _host_inputs
from jnn.testing._trees import KEY_IMPL, assert_equal

__all__ = [
    "HARNESS_PROPERTIES",
    "LayerTestResult",
    "assert_matches_keras",
    "examples",
    "flat_names",
    "flat_values",
    "make_inputs",
    "run_layer_test",
]

#: What every ``run_layer_test`` call checks (``save_load`` runs once per layer elsewhere).
HARNESS_PROPERTIES = tuple(p for p in PROPERTIES if p != "save_load")


@dataclasses.dataclass
class LayerTestResult:
    """What ``run_layer_test`` built, for extra assertions in the calling test."""

    layer: Layer
    variables: dict[str, Any]
    inputs: Any
    outputs: dict[bool, Any]  # training mode -> outputs
    states: dict[bool, Any]  # training mode -> new_state


def make_inputs(input_shape: Any, input_dtype: Any = "float32", seed: int = 0) -> Any:
    """Random inputs as jax arrays: standard normal floats, ints in ``[0, 10)``, random bools."""
    return jax.tree.map(jnp.asarray, _host_inputs(input_shape, input_dtype, seed))


def flat_names(tree: dict[str, Any], prefix: str = "") -> list[str]:
    """``{"a": {"b": x}, "c": y}`` -> ``["a/b", "c"]`` in insertion order."""
    names = []
    for k, v in tree.items():
        if isinstance(v, dict):
            names.extend(flat_names(v, f"{prefix}{k}/"))
        else:
            names.append(f"{prefix}{k}")
    return names


def _is_tuple(x: Any) -> bool:
    return isinstance(x, tuple) and all(d is None or isinstance(d, int) for d in x)


def _check_expected_shape(out: Any, expected: Any) -> None:
    shapes = jax.tree.map(lambda a: tuple(a.shape), out)
    flat_expected = [expected] if _is_tuple(tuple(expected)) else list(expected)
    flat_shapes = jax.tree.leaves(shapes, is_leaf=_is_tuple)
    assert len(flat_expected) == len(flat_shapes), f"outputs {shapes} vs expected {expected}"
    for got, want in zip(flat_shapes, flat_expected):
        want = tuple(want)
        ok = len(got) == len(want) and all(w is None or w == g for g, w in zip(got, want))
        assert ok, f"output shape {got} does not match expected {want}"


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
    properties: Sequence[str] = HARNESS_PROPERTIES,
) -> LayerTestResult:
    """Runs ``jnn.testing.check_layer`` on ``layer_cls(**init_kwargs)`` plus expectations.

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
        training_modes: modes to run ``apply`` in.
        check_grads: check finite gradients (the ``gradients`` property).
        input_data: explicit inputs instead of random ones.
        rtol: tolerance of the numeric comparisons (at least 4 float32 ulps).
        properties: the ``check_layer`` properties to run.

    Returns:
        A ``LayerTestResult`` with the layer, variables, inputs, outputs and new states per mode.
    """
    layer = layer_cls(**init_kwargs)
    tol = max(rtol, float(jnp.finfo(jnp.float32).eps) * 4)
    result = check_layer(
        layer, input_shape, input_dtype=input_dtype, input_data=input_data,
        training_modes=training_modes, properties=properties,
        skip=() if check_grads else ("gradients",), rtol=tol, atol=tol,
    )
    variables, x = result.variables, result.inputs
    params, state = variables["params"], variables["state"]
    if expected_param_names is not None:
        assert flat_names(params) == list(expected_param_names), flat_names(params)
    if expected_state_names is not None:
        assert flat_names(state) == list(expected_state_names), flat_names(state)
    if expected_num_params is not None:
        total = sum(int(np.prod(a.shape)) for a in jax.tree.leaves(variables))
        assert total == expected_num_params, (
            f"expected {expected_num_params} weights in params + state, found {total}"
        )
    for out in result.outputs.values():
        if expected_output_shape is not None:
            _check_expected_shape(out, expected_output_shape)
    if False in result.outputs:
        no_rng, _ = layer.apply(variables, jax.tree.map(jnp.asarray, x))
        assert_equal(no_rng, result.outputs[False], "inference output without an rng")
    return LayerTestResult(layer, variables, x, result.outputs, result.states)


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


def examples(n: int) -> int:
    """``n`` hypothesis examples in CI; ten times more under ``JNN_HYPOTHESIS_PROFILE=thorough``."""
    return n * 10 if os.environ.get("JNN_HYPOTHESIS_PROFILE") == "thorough" else n
