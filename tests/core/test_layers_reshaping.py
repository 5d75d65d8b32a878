"""Reshaping layers (Flatten, Reshape, Permute, RepeatVector) and Rescaling: harness, hand
values, bad input, Keras conformance."""

import jax.numpy as jnp
import numpy as np
import pytest

from jnn.layers import Flatten, Permute, RepeatVector, Rescaling, Reshape
from tests.harness import assert_matches_keras, make_inputs, run_layer_test

EMPTY = {"params": {}, "state": {}}


# --- harness --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, kwargs, shape, out_shape",
    [
        (Flatten, {}, (2, 3), (2, 3)),
        (Flatten, {}, (2, 3, 4), (2, 12)),
        (Flatten, {"data_format": "channels_first"}, (2, 2, 3, 4), (2, 24)),
        (Reshape, {"target_shape": (4, 3)}, (2, 3, 4), (2, 4, 3)),
        (Reshape, {"target_shape": (-1, 2)}, (2, 3, 4), (2, 6, 2)),
        (Reshape, {"target_shape": [12]}, (2, 3, 4), (2, 12)),
        (Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
        (Permute, {"dims": (3, 1, 2)}, (2, 2, 3, 4), (2, 4, 2, 3)),
        (RepeatVector, {"n": 3}, (2, 4), (2, 3, 4)),
        (Rescaling, {"scale": 1 / 255.0}, (2, 3, 4), (2, 3, 4)),
        (Rescaling, {"scale": [1.0, 2.0, 3.0, 4.0], "offset": -1.0}, (2, 3, 4), (2, 3, 4)),
    ],
)
def test_reshaping_layers_harness(cls, kwargs, shape, out_shape):
    run_layer_test(cls, kwargs, shape, expected_output_shape=out_shape, expected_num_params=0)


def test_rescaling_integer_inputs():
    result = run_layer_test(Rescaling, {"scale": 0.5}, (2, 3), input_dtype="uint8")
    assert result.outputs[False].dtype == jnp.float32
    np.testing.assert_allclose(result.outputs[False], np.asarray(result.inputs) * 0.5)


# --- hand values and shapes -----------------------------------------------------------------
def test_flatten_order_and_channels_first():
    x = jnp.arange(12.0).reshape(1, 2, 3, 2)
    y, _ = Flatten().apply(EMPTY, x)
    np.testing.assert_array_equal(y, jnp.arange(12.0)[None])
    # channels_first: (batch, C, H, W) -> flattened in (H, W, C) order.
    y, _ = Flatten(data_format="channels_first").apply(EMPTY, x)
    np.testing.assert_array_equal(y, jnp.transpose(x, (0, 2, 3, 1)).reshape(1, 12))
    assert Flatten().compute_output_shape((None, 28, 28)) == (None, 784)
    assert Flatten().compute_output_shape((None, 7)) == (None, 7)


def test_reshape_permute_repeat_by_hand():
    x = jnp.arange(6.0).reshape(1, 6)
    y, _ = Reshape((2, -1)).apply(EMPTY, x)
    np.testing.assert_array_equal(y, [[[0, 1, 2], [3, 4, 5]]])
    assert Reshape((-1, 2)).compute_output_shape((None, 6)) == (None, 3, 2)
    z, _ = Permute((2, 1)).apply(EMPTY, y)
    np.testing.assert_array_equal(z, [[[0, 3], [1, 4], [2, 5]]])
    r, _ = RepeatVector(2).apply(EMPTY, jnp.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(r, [[[1, 2], [1, 2]]])


def test_rescaling_by_hand():
    y, _ = Rescaling(1 / 127.5, offset=-1.0).apply(EMPTY, jnp.array([[0.0, 127.5, 255.0]]))
    np.testing.assert_allclose(y, [[-1.0, 0.0, 1.0]], rtol=1e-6)
    y, _ = Rescaling([1.0, 10.0]).apply(EMPTY, jnp.ones((2, 2, 2)))
    np.testing.assert_allclose(y, np.broadcast_to([1.0, 10.0], (2, 2, 2)))
    config = Rescaling(np.array([0.5, 2.0])).get_config()
    assert config["scale"] == [0.5, 2.0]
    assert Rescaling.from_config(config).get_config() == config


# --- bad input ------------------------------------------------------------------------------
def test_reshape_size_mismatch_is_clear():
    layer = Reshape((4, 2), name="reshape")
    with pytest.raises(ValueError) as info:
        layer.apply(EMPTY, jnp.zeros((2, 3, 3)))
    msg = str(info.value)
    assert 'Layer "reshape"' in msg and "(3, 3)" in msg and "(4, 2)" in msg
    with pytest.raises(ValueError, match="total size"):
        Reshape((-1, 4)).apply(EMPTY, jnp.zeros((2, 6)))


@pytest.mark.parametrize(
    "make, arg",
    [
        (lambda: Reshape((-1, -1)), "target_shape"),
        (lambda: Reshape((0, 2)), "target_shape"),
        (lambda: Reshape("ab"), "target_shape"),
        (lambda: Permute((1, 3)), "dims"),
        (lambda: Permute((0, 1)), "dims"),
        (lambda: RepeatVector(0), "n"),
        (lambda: RepeatVector(2.0), "n"),
        (lambda: Flatten(data_format="nchw"), "data_format"),
        (lambda: Rescaling("x"), "scale"),
        (lambda: Rescaling(1.0, offset=[1, "a"]), "offset"),
    ],
)
def test_bad_arguments_name_the_argument(make, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        make()


def test_rank_checks():
    with pytest.raises(ValueError, match="expected ndim=2"):
        RepeatVector(2).apply(EMPTY, jnp.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match="expected ndim=3"):
        Permute((2, 1)).apply(EMPTY, jnp.zeros((1, 2)))


# --- conformance with Keras 3 ---------------------------------------------------------------
@pytest.mark.conformance
def test_reshaping_layers_match_keras():
    keras = pytest.importorskip("keras")
    x = make_inputs((2, 2, 3, 4))
    for ours, theirs, data in [
        (Flatten(), keras.layers.Flatten(), x),
        (
            Flatten(data_format="channels_first"),
            keras.layers.Flatten(data_format="channels_first"),
            x,
        ),
        (Reshape((-1, 4)), keras.layers.Reshape((-1, 4)), x),
        (Permute((3, 1, 2)), keras.layers.Permute((3, 1, 2)), x),
        (RepeatVector(3), keras.layers.RepeatVector(3), x[:, 0, 0]),
        (Rescaling(0.5, 1.0), keras.layers.Rescaling(0.5, 1.0), x),
        (Rescaling([1.0, 2.0, 3.0, 4.0]), keras.layers.Rescaling([1.0, 2.0, 3.0, 4.0]), x),
    ]:
        assert_matches_keras(ours, theirs, data)
        theirs_cfg, ours_cfg = theirs.get_config(), ours.get_config()
        for key in set(theirs_cfg) - {"name", "dtype", "trainable"}:
            assert ours_cfg[key] == theirs_cfg[key], (type(ours).__name__, key)
