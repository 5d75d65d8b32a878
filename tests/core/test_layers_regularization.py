"""Dropout family and ActivityRegularization: harness, mask statistics, bad input, Keras
conformance (inference only: Keras's random streams differ from ours)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn.layers import (
    ActivityRegularization,
    AlphaDropout,
    Dropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from tests.harness import assert_matches_keras, make_inputs, run_layer_test

EMPTY = {"params": {}, "state": {}}
KEY = jax.random.key(42, impl="rbg")  # compiles faster than threefry on CPU


# --- harness --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4)])
def test_dropout_harness(shape):
    result = run_layer_test(Dropout, {"rate": 0.5}, shape, expected_num_params=0)
    np.testing.assert_array_equal(result.outputs[False], result.inputs)
    assert not np.array_equal(result.outputs[True], result.inputs)


@pytest.mark.parametrize(
    "cls, kwargs, shape",
    [
        (Dropout, {"rate": 0.3, "noise_shape": (None, 1, None), "seed": 3}, (2, 3, 4)),
        (GaussianNoise, {"stddev": 0.5}, (2, 3, 4)),
        (GaussianDropout, {"rate": 0.4, "seed": 1}, (2, 3, 4)),
        (AlphaDropout, {"rate": 0.2}, (2, 3, 4)),
        (SpatialDropout1D, {"rate": 0.5}, (2, 3, 4)),
        (SpatialDropout2D, {"rate": 0.5}, (2, 2, 3, 4)),
        (SpatialDropout2D, {"rate": 0.5, "data_format": "channels_first"}, (2, 2, 3, 4)),
        (SpatialDropout3D, {"rate": 0.5}, (2, 2, 2, 2, 3)),
        (ActivityRegularization, {"l1": 0.1, "l2": 0.2}, (2, 3)),
    ],
)
def test_noise_layers_harness(cls, kwargs, shape):
    result = run_layer_test(cls, kwargs, shape, expected_output_shape=shape, expected_num_params=0)
    np.testing.assert_array_equal(result.outputs[False], result.inputs)


# --- statistics and hand values -------------------------------------------------------------
def test_dropout_mask_statistics():
    rate = 0.3
    x = jnp.ones((200, 100))
    y, _ = Dropout(rate).apply(EMPTY, x, training=True, rng=KEY)
    dropped = float(jnp.mean(y == 0))
    assert abs(dropped - rate) < 0.02  # 20000 draws: std ~0.003
    kept = np.asarray(y[y != 0])
    np.testing.assert_allclose(kept, 1.0 / (1.0 - rate), rtol=1e-6)
    # Expected value is preserved by the inverted scaling.
    assert abs(float(jnp.mean(y)) - 1.0) < 0.03
    # Inference: identity, with or without rng.
    np.testing.assert_array_equal(Dropout(rate).apply(EMPTY, x)[0], x)
    np.testing.assert_array_equal(Dropout(rate).apply(EMPTY, x, training=False, rng=KEY)[0], x)


def test_dropout_rate_zero_is_identity_in_training_without_rng():
    x = make_inputs((3, 4))
    y, _ = Dropout(0.0).apply(EMPTY, x, training=True)
    np.testing.assert_array_equal(y, x)


def test_dropout_noise_shape_shares_the_mask():
    x = jnp.ones((4, 50, 6))
    y, _ = Dropout(0.5, noise_shape=(None, 1, None)).apply(EMPTY, x, training=True, rng=KEY)
    # The same features are dropped at every step of a sample.
    np.testing.assert_array_equal(y, jnp.broadcast_to(y[:, :1, :], y.shape))
    assert 0 < float(jnp.mean(y == 0)) < 1


def test_dropout_seed_and_rng_determine_the_mask():
    x = jnp.ones((8, 8))
    a = Dropout(0.5).apply(EMPTY, x, training=True, rng=KEY)[0]
    b = Dropout(0.5).apply(EMPTY, x, training=True, rng=KEY)[0]
    c = Dropout(0.5, seed=7).apply(EMPTY, x, training=True, rng=KEY)[0]
    d = Dropout(0.5).apply(EMPTY, x, training=True, rng=jax.random.key(43, impl="rbg"))[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, d)


def test_spatial_dropout_drops_whole_channels():
    x = jnp.ones((4, 5, 6, 8))
    y, _ = SpatialDropout2D(0.5).apply(EMPTY, x, training=True, rng=KEY)
    np.testing.assert_array_equal(y, jnp.broadcast_to(y[:, :1, :1, :], y.shape))
    y, _ = SpatialDropout2D(0.5, data_format="channels_first").apply(
        EMPTY, x, training=True, rng=KEY
    )
    np.testing.assert_array_equal(y, jnp.broadcast_to(y[:, :, :1, :1], y.shape))
    y, _ = SpatialDropout1D(0.5).apply(EMPTY, x[:, 0], training=True, rng=KEY)
    np.testing.assert_array_equal(y, jnp.broadcast_to(y[:, :1, :], y.shape))
    assert set(np.unique(np.asarray(y)).tolist()) == {0.0, 2.0}


def test_gaussian_noise_and_dropout_moments():
    x = jnp.ones((200, 100))
    y, _ = GaussianNoise(0.5).apply(EMPTY, x, training=True, rng=KEY)
    assert abs(float(jnp.mean(y)) - 1.0) < 0.02
    assert abs(float(jnp.std(y)) - 0.5) < 0.02
    y, _ = GaussianDropout(0.5).apply(EMPTY, x, training=True, rng=KEY)
    assert abs(float(jnp.mean(y)) - 1.0) < 0.03
    assert abs(float(jnp.std(y)) - 1.0) < 0.03  # sqrt(rate / (1 - rate)) = 1


def test_alpha_dropout_keeps_moments_of_standard_inputs():
    x = jax.random.normal(jax.random.key(7, impl="rbg"), (200, 100))
    y, _ = AlphaDropout(0.2).apply(EMPTY, x, training=True, rng=KEY)
    assert abs(float(jnp.mean(y))) < 0.03
    assert abs(float(jnp.std(y)) - 1.0) < 0.03


def test_activity_regularization_penalty():
    layer = ActivityRegularization(l1=0.1, l2=0.2)
    out = jnp.array([[1.0, -2.0]])
    np.testing.assert_allclose(layer.activity_regularizer(out), 0.1 * 3 + 0.2 * 5, rtol=1e-6)


# --- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.5", None])
@pytest.mark.parametrize("cls", [Dropout, GaussianDropout, AlphaDropout, SpatialDropout1D])
def test_rate_outside_unit_interval_rejected(cls, rate):
    with pytest.raises(ValueError, match="`rate`"):
        cls(rate)


@pytest.mark.parametrize(
    "make, arg",
    [
        (lambda: GaussianNoise(-1.0), "stddev"),
        (lambda: Dropout(0.5, noise_shape=(None, 0)), "noise_shape"),
        (lambda: Dropout(0.5, noise_shape="abc"), "noise_shape"),
        (lambda: Dropout(0.5, seed=-3), "seed"),
        (lambda: SpatialDropout2D(0.5, data_format="nhwc"), "data_format"),
        (lambda: ActivityRegularization(l1=-1.0), "l1"),
    ],
)
def test_bad_arguments_name_the_argument(make, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        make()


@pytest.mark.parametrize(
    "layer", [Dropout(0.5, name="drop"), GaussianNoise(0.1, name="drop"), AlphaDropout(0.1)]
)
def test_training_without_rng_is_a_clear_error(layer):
    with pytest.raises(ValueError, match=f'"{layer.name}".*rng'):
        layer.apply(EMPTY, jnp.ones((2, 3)), training=True)


def test_spatial_dropout_rank_checked():
    with pytest.raises(ValueError, match="expected ndim=4"):
        SpatialDropout2D(0.5).apply(EMPTY, jnp.ones((2, 3, 4)), training=True, rng=KEY)


# --- conformance with Keras 3 ---------------------------------------------------------------
@pytest.mark.conformance
def test_regularization_layers_match_keras_at_inference():
    keras = pytest.importorskip("keras")
    x = make_inputs((2, 3, 4))
    for ours, theirs in [
        (Dropout(0.5), keras.layers.Dropout(0.5)),
        (GaussianNoise(0.3), keras.layers.GaussianNoise(0.3)),
        (GaussianDropout(0.3), keras.layers.GaussianDropout(0.3)),
        (AlphaDropout(0.3), keras.layers.AlphaDropout(0.3)),
        (SpatialDropout1D(0.3), keras.layers.SpatialDropout1D(0.3)),
        (ActivityRegularization(0.1), keras.layers.ActivityRegularization(0.1)),
    ]:
        assert_matches_keras(ours, theirs, x)
        theirs_cfg = theirs.get_config()
        ours_cfg = ours.get_config()
        for key in set(theirs_cfg) - {"name", "dtype", "trainable"}:
            assert ours_cfg[key] == theirs_cfg[key], (type(ours).__name__, key)


@pytest.mark.conformance
def test_spatial_dropout_2d_3d_match_keras_at_inference():
    keras = pytest.importorskip("keras")
    for ours, theirs, shape in [
        (SpatialDropout2D(0.3), keras.layers.SpatialDropout2D(0.3), (2, 2, 3, 4)),
        (
            SpatialDropout3D(0.3, data_format="channels_first"),
            keras.layers.SpatialDropout3D(0.3, data_format="channels_first"),
            (2, 2, 2, 2, 3),
        ),
    ]:
        assert_matches_keras(ours, theirs, make_inputs(shape))
        theirs_cfg, ours_cfg = theirs.get_config(), ours.get_config()
        for key in set(theirs_cfg) - {"name", "dtype", "trainable"}:
            assert ours_cfg[key] == theirs_cfg[key], (type(ours).__name__, key)


@pytest.mark.conformance
def test_dropout_training_statistics_match_keras():
    keras = pytest.importorskip("keras")
    x = np.ones((100, 100), np.float32)
    with jax.numpy_rank_promotion("allow"):
        theirs = np.asarray(keras.layers.Dropout(0.4, seed=1)(x, training=True))
    ours = np.asarray(Dropout(0.4).apply(EMPTY, jnp.asarray(x), training=True, rng=KEY)[0])
    assert set(np.unique(theirs).tolist()) == set(np.unique(ours).tolist())
    assert abs(np.mean(theirs == 0) - np.mean(ours == 0)) < 0.04
