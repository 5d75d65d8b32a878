"""Cropping, ZeroPadding and UpSampling layers: harness, hand values, bad input, Keras."""

import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.layers.reshaping_nd import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from tests.harness import assert_matches_keras, make_inputs, run_layer_test

EMPTY = {"params": {}, "state": {}}
CF = {"data_format": "channels_first"}

CASES = [
    (Cropping1D, {"cropping": (1, 2)}, (2, 5, 3), (2, 2, 3)),
    (Cropping2D, {"cropping": ((1, 0), (0, 2))}, (2, 4, 4, 1), (2, 3, 2, 1)),
    (Cropping2D, {"cropping": 1, **CF}, (2, 1, 4, 3), (2, 1, 2, 1)),
    (Cropping3D, {"cropping": (1, 0, (0, 1))}, (1, 3, 2, 2, 2), (1, 1, 2, 1, 2)),
    (ZeroPadding1D, {"padding": (0, 2)}, (2, 3, 2), (2, 5, 2)),
    (ZeroPadding2D, {"padding": ((1, 0), 2), **CF}, (2, 1, 2, 2), (2, 1, 3, 6)),
    (ZeroPadding3D, {"padding": 1}, (1, 1, 2, 1, 2), (1, 3, 4, 3, 2)),
    (UpSampling1D, {"size": 3}, (2, 2, 3), (2, 6, 3)),
    (UpSampling2D, {"size": (2, 3)}, (2, 2, 2, 1), (2, 4, 6, 1)),
    (UpSampling2D, {"size": 2, "interpolation": "bilinear", **CF}, (1, 2, 3, 3), (1, 2, 6, 6)),
    (UpSampling3D, {"size": (1, 2, 2), **CF}, (1, 2, 1, 2, 2), (1, 2, 1, 4, 4)),
]


@pytest.mark.parametrize("cls, kwargs, shape, out", CASES)
def test_harness(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, shape, expected_output_shape=out, expected_num_params=0)


def test_unknown_dims_in_output_shape():
    assert Cropping1D((1, 1)).compute_output_shape((None, None, 3)) == (None, None, 3)
    assert ZeroPadding2D(1).compute_output_shape((None, None, 4, 3)) == (None, None, 6, 3)
    assert UpSampling2D(2).compute_output_shape((None, 3, None, 1)) == (None, 6, None, 1)


def test_by_hand():
    x = jnp.arange(4.0).reshape(1, 4, 1)
    np.testing.assert_array_equal(Cropping1D((1, 2)).apply(EMPTY, x)[0][0, :, 0], [1.0])
    np.testing.assert_array_equal(
        ZeroPadding1D((2, 1)).apply(EMPTY, x)[0][0, :, 0], [0, 0, 0, 1, 2, 3, 0]
    )
    np.testing.assert_array_equal(
        UpSampling1D(2).apply(EMPTY, x)[0][0, :, 0], [0, 0, 1, 1, 2, 2, 3, 3]
    )
    img = jnp.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    up, _ = UpSampling2D((1, 2)).apply(EMPTY, img)
    np.testing.assert_array_equal(up[0, :, :, 0], [[1, 1, 2, 2], [3, 3, 4, 4]])
    crop, _ = Cropping2D(((1, 0), (0, 1))).apply(EMPTY, img)
    np.testing.assert_array_equal(crop[0, :, :, 0], [[3.0]])


def test_integer_inputs_keep_dtype_for_nearest():
    x = jnp.arange(4, dtype=jnp.int32).reshape(1, 2, 2, 1)
    assert UpSampling2D(2).apply(EMPTY, x)[0].dtype == jnp.int32
    assert ZeroPadding2D(1).apply(EMPTY, x)[0].dtype == jnp.int32


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: Cropping1D(-1), "`cropping` must be a non-negative int"),
        (lambda: Cropping2D(((1, 2, 3), 1)), "`cropping`"),
        (lambda: Cropping3D((1, 1)), "tuple of 3"),
        (lambda: ZeroPadding2D("same"), "`padding`"),
        (lambda: UpSampling1D(0), "`size` must be a positive int"),
        (lambda: UpSampling2D(interpolation="area"), "`interpolation` must be one of"),
        (lambda: UpSampling3D(data_format="nhwc"), "`data_format`"),
    ],
)
def test_bad_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_bad_inputs_are_clear():
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        ZeroPadding2D(name="zp").apply(EMPTY, jnp.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match='"crop": argument `cropping`.*must be smaller'):
        Cropping1D((2, 2), name="crop").apply(EMPTY, jnp.zeros((1, 4, 1)))
    with pytest.raises(ValueError, match="must be smaller"):
        Cropping2D(3).compute_output_shape((None, 4, 8, 1))


def test_configs_match_keras_style():
    assert Cropping1D(2).get_config()["cropping"] == (2, 2)
    assert ZeroPadding2D(1).get_config()["padding"] == ((1, 1), (1, 1))
    assert UpSampling1D(3).get_config()["size"] == 3
    assert "data_format" not in UpSampling1D().get_config()


@pytest.mark.conformance
@pytest.mark.parametrize("cls, kwargs, shape, out", CASES)
def test_matches_keras(cls, kwargs, shape, out):
    keras = pytest.importorskip("keras")
    x = make_inputs(shape)
    assert_matches_keras(cls(**kwargs), getattr(keras.layers, cls.__name__)(**kwargs), x)
    theirs = getattr(keras.layers, cls.__name__)(**kwargs).get_config()
    ours = cls(**kwargs).get_config()
    for key in theirs.keys() & ours.keys() - {"name", "dtype", "trainable"}:
        assert np.asarray(theirs[key]).tolist() == np.asarray(ours[key]).tolist(), key
