"""jnn.testing.check_model, assert_no_retrace and the hypothesis strategies."""

import chex
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import jnn
from jnn.testing import PropertyFailure, assert_no_retrace, check_model, strategies
from tests.harness import examples


@settings(max_examples=examples(2), deadline=None, database=None)
@given(case=strategies.small_models())
def test_small_models_pass_check_model(case):
    model, x, y = case
    result = check_model(model, x, y, optimizer="adam", steps=4)
    assert result.losses[-1] < result.losses[0]
    chex.assert_trees_all_equal_structs(result.initial, result.final)
    chex.assert_tree_all_finite(result.final.params)


def test_compiled_model_uses_its_compile_arguments():
    model = jnn.Sequential([jnn.Input((3,)), jnn.layers.Dense(1)])
    model.compile(optimizer=jnn.optimizers.SGD(0.0), loss="mse")  # learning rate 0: stuck
    x, y = np.ones((4, 3), np.float32), np.zeros((4, 1), np.float32)
    with pytest.raises(PropertyFailure, match="property 'decreases_loss' failed") as info:
        check_model(model, x, y)
    assert info.value.property == "decreases_loss" and "batch: x" in str(info.value)


class Exploding(jnn.layers.Layer):
    def apply(self, variables, inputs, *, training=False, rng=None, **kwargs):
        return inputs * jnp.inf, {}


def test_non_finite_train_state_is_caught():
    model = jnn.Sequential([jnn.Input((3,)), jnn.layers.Dense(2), Exploding(),
                            jnn.layers.Dense(1)])
    x, y = np.ones((4, 3), np.float32), np.zeros((4, 1), np.float32)
    with pytest.raises(PropertyFailure, match="property 'finite' failed"):
        check_model(model, x, y, optimizer="sgd")


def test_assert_no_retrace_names_the_call_that_retraced():
    calls = [(jnp.ones(3),), (jnp.zeros(3),), (jnp.ones(4),)]
    with pytest.raises(PropertyFailure, match="traced again at call 2") as info:
        assert_no_retrace(lambda x: x * 2, *calls)
    assert info.value.property == "no_retrace" and "shape (4,)" in str(info.value)
    outs = assert_no_retrace(lambda x: x + 1, *calls[:2])
    chex.assert_trees_all_close(outs, [jnp.full(3, 2.0), jnp.ones(3)])
    guarded = assert_no_retrace(lambda x, n: x * n, static_argnums=1)
    guarded(jnp.ones(2), 3)
    with pytest.raises(AssertionError, match="traced > 1 times"):
        guarded(jnp.ones(2), 4)  # a new static argument compiles again


@settings(max_examples=examples(4), deadline=None, database=None)
@given(x=strategies.arrays((2, 3), "float32"))
def test_array_strategy_with_edge_values_feeds_check_layer_inputs(x):
    # A constant row of 1e4 normalizes to 0 up to rounding that (x - mean) / sqrt(eps)
    # amplifies differently in fused (jit) and op-by-op reductions: a looser atol.
    result = jnn.testing.check_layer(jnn.layers.LayerNormalization(), (2, 3), input_data=x,
                                     properties=("gradients",), atol=0.05)
    chex.assert_tree_all_finite(result.outputs)
    chex.assert_shape(x, (2, 3))


def test_unknown_layer_case_is_a_clear_error():
    with pytest.raises(ValueError, match="no strategy for 'NoSuchLayer'"):
        strategies.layer_cases("NoSuchLayer")
