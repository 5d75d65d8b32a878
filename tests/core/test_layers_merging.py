"""Merge layers: harness, hand values, Keras conformance, shape errors."""

import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.layers import merging
from tests.harness import assert_matches_keras, run_layer_test

ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_harness(name):
    res = run_layer_test(getattr(merging, name), {}, [(2, 3), (2, 3)],
                         expected_output_shape=(2, 3), expected_num_params=0)
    a, b = res.inputs
    expected = {
        "Add": a + b, "Subtract": a - b, "Multiply": a * b, "Average": (a + b) / 2,
        "Maximum": np.maximum(a, b), "Minimum": np.minimum(a, b),
    }[name]
    np.testing.assert_allclose(res.outputs[False], expected, rtol=1e-6)


def test_add_three_inputs_and_broadcast():
    y, _ = merging.Add().apply({}, [jnp.ones((2, 3)), jnp.ones((2, 3)), jnp.ones((2, 1))])
    np.testing.assert_allclose(y, np.full((2, 3), 3.0))


def test_concatenate_and_dot_harness():
    res = run_layer_test(merging.Concatenate, {"axis": -1}, [(2, 3), (2, 4)],
                         expected_output_shape=(2, 7))
    np.testing.assert_allclose(res.outputs[False], np.concatenate(res.inputs, -1))
    res = run_layer_test(merging.Dot, {"axes": 1}, [(2, 3), (2, 3)],
                         expected_output_shape=(2, 1))
    a, b = res.inputs
    np.testing.assert_allclose(res.outputs[False][:, 0], np.sum(a * b, -1), rtol=1e-5)


def test_shape_errors_name_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"incompatible shapes.*\(2, 3\).*\(2, 4\)"):
        merging.Add(name="my_add").apply({}, [jnp.ones((2, 3)), jnp.ones((2, 4))])
    with pytest.raises(ValueError, match="exactly 2"):
        merging.Subtract().apply({}, [jnp.ones((2, 3))] * 3)
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        merging.Concatenate().apply({}, [jnp.ones((2, 3)), jnp.ones((3, 4))])
    with pytest.raises(ValueError, match=r"dimension incompatibility \(3 != 4\)"):
        merging.Dot(axes=1).apply({}, [jnp.ones((2, 3)), jnp.ones((2, 4))])
    with pytest.raises(ValueError, match="list of inputs"):
        merging.Add().apply({}, jnp.ones((2, 3)))


@pytest.mark.user_code
def test_functional_forms_build_graph_layers():
    import jnn

    a, b = jnn.Input(shape=(3,)), jnn.Input(shape=(3,))
    for fn in (merging.add, merging.concatenate, merging.average):
        out = fn([a, b])
        assert out.shape == ((None, 6) if fn is merging.concatenate else (None, 3))
    assert merging.dot([a, b], axes=1, normalize=True).shape == (None, 1)
    with pytest.raises(ValueError, match="incompatible shapes"):
        merging.add([a, jnn.Input(shape=(4,))])


@pytest.mark.conformance
@pytest.mark.parametrize("name,kwargs,shapes", [
    ("Add", {}, [(2, 3), (2, 3)]),
    ("Subtract", {}, [(2, 3), (2, 3)]),
    ("Multiply", {}, [(2, 3), (2, 3)]),
    ("Average", {}, [(2, 3), (2, 3)]),
    ("Maximum", {}, [(2, 3), (2, 3)]),
    ("Minimum", {}, [(2, 3), (2, 3)]),
    ("Concatenate", {"axis": 1}, [(2, 3, 2), (2, 4, 2)]),
    ("Dot", {"axes": (1, 2)}, [(2, 3, 4), (2, 5, 3)]),
    ("Dot", {"axes": 1, "normalize": True}, [(2, 3), (2, 3)]),
])
def test_matches_keras(name, kwargs, shapes):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=s).astype("float32") for s in shapes]
    assert_matches_keras(getattr(merging, name)(**kwargs),
                         getattr(keras.layers, name)(**kwargs), xs, rtol=1e-5)
