"""Preprocessing layers (Normalization, CategoryEncoding, Discretization, Resizing,
CenterCrop, random augmentation): harness, hand values, adapt, bad input, Keras conformance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.layers.preprocessing_extra import (
    CategoryEncoding,
    CenterCrop,
    Discretization,
    Normalization,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
    rotation_transforms,
    translation_transforms,
    zoom_transforms,
)
from tests.harness import assert_matches_keras, make_inputs, run_layer_test

EMPTY = {"params": {}, "state": {}}
KEY = jax.random.key(3)


# --- harness --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, kwargs, shape, out",
    [
        (Normalization, {"mean": [1.0, 2.0], "variance": [4.0, 1.0]}, (3, 2), (3, 2)),
        (
            Normalization,
            {"axis": None, "mean": 1.0, "variance": 2.0, "invert": True},
            (3, 2),
            (3, 2),
        ),
        (Resizing, {"height": 3, "width": 5}, (2, 4, 4, 1), (2, 3, 5, 1)),
        (
            Resizing,
            {"height": 2, "width": 2, "crop_to_aspect_ratio": True},
            (1, 4, 6, 1),
            (1, 2, 2, 1),
        ),
        (
            CenterCrop,
            {"height": 2, "width": 3, "data_format": "channels_first"},
            (1, 2, 4, 4),
            None,
        ),
        (RandomFlip, {"seed": 1}, (2, 3, 3, 1), (2, 3, 3, 1)),
        (RandomRotation, {"factor": 0.2, "fill_mode": "constant"}, (2, 4, 4, 2), (2, 4, 4, 2)),
        (
            RandomZoom,
            {"height_factor": 0.3, "width_factor": (-0.2, 0.1)},
            (2, 4, 5, 1),
            (2, 4, 5, 1),
        ),
        (RandomTranslation, {"height_factor": 0.2, "width_factor": 0.2}, (4, 4, 1), (4, 4, 1)),
    ],
)
def test_float_layers_harness(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, shape, expected_output_shape=out)


@pytest.mark.parametrize(
    "cls, kwargs, shape, out",
    [
        (CategoryEncoding, {"num_tokens": 10}, (3, 2), (3, 10)),
        (CategoryEncoding, {"num_tokens": 10, "output_mode": "one_hot"}, (3,), (3, 10)),
        (CategoryEncoding, {"num_tokens": 10, "output_mode": "count"}, (3, 4), (3, 10)),
        (Discretization, {"bin_boundaries": [2.0, 5.0]}, (3, 2), (3, 2)),
        (Discretization, {"bin_boundaries": [2.0, 5.0], "output_mode": "one_hot"}, (3, 1), (3, 3)),
    ],
)
def test_integer_layers_harness(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, shape, input_dtype="int32", expected_output_shape=out)


def test_adapted_normalization_harness_has_keras_state():
    run_layer_test(
        Normalization,
        {},
        (4, 3),
        expected_param_names=[],
        expected_state_names=["mean", "variance", "count"],
        expected_num_params=7,
    )


# --- Normalization ------------------------------------------------------------------------
def test_normalization_adapt_by_hand_and_batches():
    data = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 40.0], [6.0, 40.0]], np.float32)
    layer = Normalization()
    layer.adapt(data)
    v = layer.init(KEY, data[:1])
    np.testing.assert_allclose(v["state"]["mean"], [3.0, 25.0])
    np.testing.assert_allclose(v["state"]["variance"], [5.0, 225.0])
    y, state = layer.apply(v, data)
    np.testing.assert_allclose(y[:, 1], [-1.0, -1.0, 1.0, 1.0], rtol=1e-6)
    assert set(state) == {"mean", "variance", "count"}
    # Batches combine into the same statistics.
    batched = Normalization()
    batched.adapt([data[:1], data[1:3], (data[3:], None)])
    np.testing.assert_allclose(batched._adapted[0], [3.0, 25.0], rtol=1e-6)
    np.testing.assert_allclose(batched._adapted[1], [5.0, 225.0], rtol=1e-6)


def test_normalization_axis_none_and_invert():
    layer = Normalization(axis=None)
    layer.adapt(np.array([[1.0, 3.0]]))
    v = layer.init(KEY, np.zeros((1, 2), np.float32))
    assert v["state"]["mean"].shape == ()
    y, _ = layer.apply(v, jnp.array([[1.0, 3.0]]))
    np.testing.assert_allclose(y, [[-1.0, 1.0]])
    inv = Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    y, _ = inv.apply(EMPTY, jnp.array([[1.0, 1.0]]))
    np.testing.assert_allclose(y, [[3.0, 5.0]])


def test_normalization_bad_arguments():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(ValueError, match="cannot be adapted"):
        Normalization(mean=1.0, variance=1.0).adapt(np.ones((2, 2)))
    with pytest.raises(ValueError, match="axis"):
        Normalization(axis=3).init(KEY, np.zeros((1, 2)))
    adapted = Normalization()
    adapted.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"adapted to statistics of shape \(3,\)"):
        adapted.init(KEY, np.zeros((1, 2)))


def test_normalization_adapt_writes_into_a_built_model():
    jnn = pytest.importorskip("jnn")
    layer = Normalization()
    model = jnn.Sequential([jnn.layers.Input((2,)), layer])
    model.build((None, 2))
    layer.adapt(np.array([[1.0, 2.0], [3.0, 6.0]], np.float32))
    mean, variance, count = model.get_weights()
    np.testing.assert_allclose(mean, [2.0, 4.0])
    np.testing.assert_allclose(variance, [1.0, 4.0])
    assert count == 0
    np.testing.assert_allclose(model.predict(np.array([[3.0, 6.0]]), verbose=0), [[1.0, 1.0]])


# --- CategoryEncoding and Discretization --------------------------------------------------
def test_category_encoding_by_hand():
    ids = jnp.array([[0, 1, 1], [3, 3, 3]])
    multi, _ = CategoryEncoding(4).apply(EMPTY, ids)
    np.testing.assert_array_equal(multi, [[1, 1, 0, 0], [0, 0, 0, 1]])
    count, _ = CategoryEncoding(4, "count").apply(EMPTY, ids)
    np.testing.assert_array_equal(count, [[1, 2, 0, 0], [0, 0, 0, 3]])
    weighted, _ = CategoryEncoding(4, "count").apply(
        EMPTY, ids, count_weights=jnp.array([[1.0, 0.5, 0.5], [1.0, 1.0, 2.0]])
    )
    np.testing.assert_array_equal(weighted, [[1, 1, 0, 0], [0, 0, 0, 4]])
    one, _ = CategoryEncoding(4, "one_hot").apply(EMPTY, jnp.array([[2], [0]]))
    np.testing.assert_array_equal(one, [[0, 0, 1, 0], [1, 0, 0, 0]])
    # A rank-1 input is one sample for multi_hot (as Keras).
    assert CategoryEncoding(4).apply(EMPTY, jnp.array([1, 2]))[0].shape == (4,)
    assert CategoryEncoding(4, "binary").output_mode == "multi_hot"


def test_discretization_by_hand_and_adapt():
    layer = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    y, _ = layer.apply(EMPTY, jnp.array([[-1.0, 0.0, 0.5, 1.0, 5.0]]))
    np.testing.assert_array_equal(y, [[0, 1, 1, 2, 3]])
    assert y.dtype == jnp.int32
    adapted = Discretization(num_bins=4)
    adapted.adapt(np.arange(100, dtype=np.float32))
    np.testing.assert_allclose(adapted.bin_boundaries, [24.0, 49.0, 74.0], atol=1.0)
    config = adapted.get_config()
    assert Discretization.from_config(config).bin_boundaries == adapted.bin_boundaries


@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (CategoryEncoding, {}, "`num_tokens` must be set"),
        (CategoryEncoding, {"num_tokens": 3, "output_mode": "int"}, "`output_mode` must be one"),
        (CategoryEncoding, {"num_tokens": 3, "sparse": True}, "`sparse`"),
        (Discretization, {}, "either `num_bins` or `bin_boundaries`"),
        (Discretization, {"num_bins": 2, "bin_boundaries": [1.0]}, "not both"),
        (Discretization, {"bin_boundaries": [2.0, 1.0]}, "sorted"),
        (Resizing, {"height": 0, "width": 2}, "`height` must be a positive int"),
        (Resizing, {"height": 2, "width": 2, "interpolation": "area"}, "`interpolation`"),
        (RandomFlip, {"mode": "diagonal"}, "`mode` must be one of"),
        (RandomRotation, {"factor": 1.5}, "`factor`"),
        (RandomZoom, {"height_factor": -1.0}, r"\(-1, 1\]"),
        (RandomTranslation, {"height_factor": 0.1, "width_factor": (1, 2, 3)}, "`width_factor`"),
        (RandomRotation, {"factor": 0.1, "fill_mode": "mirror"}, "`fill_mode`"),
    ],
)
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_bad_image_rank_is_clear():
    with pytest.raises(ValueError, match='"flip".*found ndim=2'):
        RandomFlip(name="flip").apply(EMPTY, jnp.zeros((2, 3)))


# --- images ---------------------------------------------------------------------------------
def test_resizing_uint8_and_center_crop_by_hand():
    img = jnp.arange(16, dtype=jnp.uint8).reshape(1, 4, 4, 1)
    y, _ = Resizing(2, 2, interpolation="nearest").apply(EMPTY, img)
    assert y.dtype == jnp.uint8
    crop, _ = CenterCrop(2, 2).apply(EMPTY, img)
    np.testing.assert_array_equal(crop[0, :, :, 0], [[5, 6], [9, 10]])
    assert crop.dtype == jnp.float32


def test_random_layers_identity_at_inference_and_pure_in_training():
    x = make_inputs((2, 4, 4, 1))
    for layer in (RandomFlip(), RandomRotation(0.3), RandomZoom(0.3), RandomTranslation(0.3, 0.3)):
        np.testing.assert_array_equal(layer.apply(EMPTY, x)[0], x)
        a, _ = layer.apply(EMPTY, x, training=True, rng=jax.random.key(0))
        b, _ = layer.apply(EMPTY, x, training=True, rng=jax.random.key(0))
        np.testing.assert_array_equal(a, b)
        with pytest.raises(ValueError, match="needs a random key"):
            layer.apply(EMPTY, x, training=True)


def test_random_flip_flips_about_half_the_images():
    x = jnp.broadcast_to(jnp.arange(3.0).reshape(1, 1, 3, 1), (400, 1, 3, 1))
    y, _ = RandomFlip("horizontal").apply(EMPTY, x, training=True, rng=jax.random.key(0))
    flipped = np.asarray(y[:, 0, 0, 0] == 2.0)
    assert 150 < flipped.sum() < 250
    np.testing.assert_array_equal(
        y[flipped][:, 0, :, 0], np.tile([2.0, 1.0, 0.0], (flipped.sum(), 1))
    )


def test_transform_matrices_by_hand():
    img = jnp.arange(9.0).reshape(1, 3, 3, 1)
    from jnn._core.layers.preprocessing_extra import affine_transform

    shifted = affine_transform(img, translation_transforms(jnp.array([1.0]), jnp.array([0.0])))
    np.testing.assert_array_equal(shifted[0, :, :, 0], [[0, 0, 1], [0, 3, 4], [0, 6, 7]])
    rotated = affine_transform(img, rotation_transforms(jnp.array([90.0]), 3, 3))
    np.testing.assert_allclose(rotated[0, :, :, 0], [[2, 5, 8], [1, 4, 7], [0, 3, 6]], atol=1e-5)
    same = affine_transform(img, zoom_transforms(jnp.ones(1), jnp.ones(1), 3, 3))
    np.testing.assert_allclose(same, img)


# --- conformance with Keras 3 ---------------------------------------------------------------
@pytest.mark.conformance
def test_normalization_matches_keras():
    keras = pytest.importorskip("keras")
    data = np.random.default_rng(0).normal(size=(20, 3, 2)).astype(np.float32)
    for kwargs in ({}, {"axis": (1, 2)}, {"axis": None, "invert": True}):
        ours, theirs = Normalization(**kwargs), keras.layers.Normalization(**kwargs)
        ours.adapt(data)
        theirs.adapt(data)
        v = ours.init(KEY, data)
        for a, b in zip(list(v["state"].values()), theirs.get_weights()):
            np.testing.assert_allclose(np.asarray(a), b, rtol=1e-5, atol=1e-6)
        with jax.numpy_rank_promotion("allow"):
            expected = theirs(data)
        np.testing.assert_allclose(ours.apply(v, data)[0], expected, rtol=1e-5, atol=1e-5)
    fixed = {"mean": [1.0, -1.0], "variance": [2.0, 0.5]}
    assert_matches_keras(Normalization(**fixed), keras.layers.Normalization(**fixed), data)


@pytest.mark.conformance
def test_encodings_match_keras():
    keras = pytest.importorskip("keras")
    ids = np.array([[0, 3, 3], [1, 2, 4]])
    for mode in ("multi_hot", "one_hot", "count"):
        x = ids if mode != "one_hot" else ids[:, :1]
        got = CategoryEncoding(5, mode).apply(EMPTY, jnp.asarray(x))[0]
        np.testing.assert_array_equal(got, keras.layers.CategoryEncoding(5, mode)(x))
    values = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    ours, theirs = Discretization(num_bins=5), keras.layers.Discretization(num_bins=5)
    ours.adapt(values)
    theirs.update_state(values)  # what adapt() does for an array (without TensorFlow)
    theirs.finalize_state()
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    for mode in ("int", "one_hot", "multi_hot", "count"):
        a = Discretization([-0.5, 0.0, 0.7], output_mode=mode).apply(EMPTY, values[:, :1])[0]
        b = keras.layers.Discretization([-0.5, 0.0, 0.7], output_mode=mode)(values[:, :1])
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.dtype(b.dtype)


@pytest.mark.conformance
@pytest.mark.parametrize(
    "cls, kwargs, shape",
    [
        (Resizing, {"height": 3, "width": 5}, (2, 4, 6, 2)),
        (Resizing, {"height": 4, "width": 2, "interpolation": "bicubic"}, (1, 3, 3, 1)),
        (Resizing, {"height": 3, "width": 3, "crop_to_aspect_ratio": True}, (1, 4, 7, 1)),
        (
            Resizing,
            {"height": 3, "width": 3, "pad_to_aspect_ratio": True, "fill_value": 2.0},
            (1, 5, 3, 1),
        ),
        (
            Resizing,
            {"height": 2, "width": 3, "antialias": True, "data_format": "channels_first"},
            (1, 2, 6, 6),
        ),
        (CenterCrop, {"height": 2, "width": 3}, (2, 5, 5, 1)),
        (CenterCrop, {"height": 6, "width": 4}, (1, 5, 5, 2)),
    ],
)
def test_image_layers_match_keras(cls, kwargs, shape):
    keras = pytest.importorskip("keras")
    x = make_inputs(shape)
    assert_matches_keras(
        cls(**kwargs), getattr(keras.layers, cls.__name__)(**kwargs), x, rtol=1e-5, atol=1e-5
    )


@pytest.mark.conformance
def test_resizing_uint8_matches_keras():
    keras = pytest.importorskip("keras")
    img = np.random.default_rng(0).integers(0, 256, (1, 5, 4, 1)).astype(np.uint8)
    got = Resizing(3, 3).apply(EMPTY, jnp.asarray(img))[0]
    np.testing.assert_array_equal(got, keras.layers.Resizing(3, 3)(img))


@pytest.mark.conformance
@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
def test_random_transforms_match_keras_for_given_draws(fill_mode):
    keras = pytest.importorskip("keras")
    x = make_inputs((2, 5, 4, 1))
    angles = np.array([30.0, -100.0], np.float32)
    common = {"fill_mode": fill_mode, "fill_value": 0.5}

    from jnn._core.layers.preprocessing_extra import affine_transform

    def ours(t, interpolation="bilinear"):
        return affine_transform(x, t, interpolation, fill_mode, 0.5)

    with jax.numpy_rank_promotion("allow"):
        rot = keras.layers.RandomRotation(0.5, **common)
        keras_matrix = rot._compute_affine_matrix(
            0.5,
            0.5,
            jnp.asarray(angles),
            jnp.zeros(2),
            jnp.zeros(2),
            jnp.ones(2),
            jnp.zeros(2),
            jnp.zeros(2),
            5,
            4,
        )
        expected_rot = rot.transform_images(x, {"rotation_matrix": keras_matrix})
        zooms = np.array([[0.7], [1.3]], np.float32)
        zoom = keras.layers.RandomZoom(0.5, 0.5, interpolation="nearest", **common)
        expected_zoom = zoom.transform_images(x, {"height_zoom": zooms, "width_zoom": zooms[::-1]})
        shifts = np.array([[1.5, -1.0], [-0.5, 2.0]], np.float32)
        tr = keras.layers.RandomTranslation(0.5, 0.5, **common)
        expected_tr = tr.transform_images(x, {"translations": shifts})
    mine = rotation_transforms(jnp.asarray(angles), 5, 4)
    np.testing.assert_allclose(mine, keras_matrix, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours(mine), expected_rot, rtol=1e-5, atol=1e-5)
    zt = zoom_transforms(jnp.asarray(zooms[::-1, 0]), jnp.asarray(zooms[:, 0]), 5, 4)
    np.testing.assert_allclose(ours(zt, "nearest"), expected_zoom, rtol=1e-5, atol=1e-5)
    tt = translation_transforms(jnp.asarray(shifts[:, 0]), jnp.asarray(shifts[:, 1]))
    np.testing.assert_allclose(ours(tt), expected_tr, rtol=1e-5, atol=1e-5)


@pytest.mark.conformance
def test_random_flip_matches_keras_for_given_draws():
    keras = pytest.importorskip("keras")
    x = make_inputs((2, 3, 4, 1))
    flips = np.array([True, False]).reshape(2, 1, 1, 1)
    for mode in ("horizontal", "vertical", "horizontal_and_vertical"):
        expected = keras.layers.RandomFlip(mode).transform_images(x, {"flips": flips})
        axes = {"horizontal": (1,), "vertical": (0,), "horizontal_and_vertical": (0, 1)}[mode]
        np.testing.assert_array_equal(expected[0], jnp.flip(x[0], axes))
        np.testing.assert_array_equal(expected[1], x[1])
        # Our layer produces one of exactly these two images per sample.
        y, _ = RandomFlip(mode).apply(EMPTY, x, training=True, rng=jax.random.key(1))
        for i in range(2):
            assert np.array_equal(y[i], x[i]) or np.array_equal(y[i], jnp.flip(x[i], axes))


def test_single_images_are_accepted():
    img = make_inputs((4, 6, 1))
    assert Resizing(2, 3).apply(EMPTY, img)[0].shape == (2, 3, 1)
    assert CenterCrop(2, 2).apply(EMPTY, img)[0].shape == (2, 2, 1)
    y, _ = RandomRotation(0.1).apply(EMPTY, img, training=True, rng=KEY)
    assert y.shape == (4, 6, 1)


@pytest.mark.conformance
@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (Normalization, {}),
        (CategoryEncoding, {"num_tokens": 3}),
        (Resizing, {"height": 2, "width": 2}),
        (CenterCrop, {"height": 2, "width": 2}),
        (RandomFlip, {}),
        (RandomRotation, {"factor": 0.1}),
        (RandomZoom, {"height_factor": 0.1}),
        (RandomTranslation, {"height_factor": 0.1, "width_factor": 0.1}),
    ],
)
def test_config_keys_match_keras(cls, kwargs):
    keras = pytest.importorskip("keras")
    theirs = getattr(keras.layers, cls.__name__)(**kwargs).get_config()
    assert set(cls(**kwargs).get_config()) == set(theirs)


def test_adapted_statistics_are_saved_with_the_weights(tmp_path):
    jnn = pytest.importorskip("jnn")

    def build():
        layer = Normalization()
        return layer, jnn.Sequential([jnn.layers.Input((2,)), layer, jnn.layers.Dense(1)])

    norm, model = build()
    norm.adapt(np.array([[1.0, 2.0], [3.0, 6.0]], np.float32))
    model.save_weights(str(tmp_path / "m.weights.h5"))
    fresh, other = build()
    other.load_weights(str(tmp_path / "m.weights.h5"))
    for a, b in zip(norm.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)


# --- IntegerLookup (Keras needs TensorFlow for it: golden values from Keras's docstring) ----
VOCAB = [12, 36, 1138, 42]


def _lookup(data, **kwargs):
    from jnn._core.layers.preprocessing_extra import IntegerLookup

    layer = IntegerLookup(**kwargs)
    return layer, np.asarray(layer.apply(EMPTY, jnp.asarray(data))[0])


def test_integer_lookup_int_modes_and_oov_buckets():
    data = [[12, 1138, 42], [42, 1000, 36]]
    np.testing.assert_array_equal(_lookup(data, vocabulary=VOCAB)[1], [[1, 3, 4], [4, 0, 2]])
    two = [[12, 1138, 42], [37, 1000, 36]]
    np.testing.assert_array_equal(
        _lookup(two, vocabulary=VOCAB, num_oov_indices=2)[1], [[2, 4, 5], [1, 0, 3]]
    )
    layer, masked = _lookup([[0, 12, 7]], vocabulary=VOCAB, mask_token=0)
    np.testing.assert_array_equal(masked, [[0, 2, 1]])
    assert layer.get_vocabulary() == [0, -1] + VOCAB
    inverted = _lookup([[1, 3, 4], [4, 0, 2]], vocabulary=VOCAB, invert=True)[1]
    np.testing.assert_array_equal(inverted, [[12, 1138, 42], [42, -1, 36]])


def test_integer_lookup_adapt_orders_by_frequency_then_token():
    from jnn._core.layers.preprocessing_extra import IntegerLookup

    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    layer = IntegerLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    np.testing.assert_array_equal(layer.apply(EMPTY, jnp.asarray(data))[0], [[5, 2, 1], [1, 3, 4]])
    small = IntegerLookup(max_tokens=3)
    small.adapt(data)
    assert small.get_vocabulary() == [-1, 42, 1138]
    rebuilt = IntegerLookup.from_config(layer.get_config())
    assert rebuilt.get_vocabulary() == layer.get_vocabulary()


def test_integer_lookup_encodings():
    one = _lookup([12, 36, 1138, 42, 7], vocabulary=VOCAB, output_mode="one_hot")[1]
    np.testing.assert_array_equal(one, np.eye(5)[[1, 2, 3, 4, 0]])
    data = [[12, 1138, 42, 42], [42, 7, 36, 7]]
    multi = _lookup(data, vocabulary=VOCAB, output_mode="multi_hot")[1]
    np.testing.assert_array_equal(multi, [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    count = _lookup(data, vocabulary=VOCAB, output_mode="count")[1]
    np.testing.assert_array_equal(count, [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    idf = [0.25, 0.75, 0.6, 0.4]
    tfidf = _lookup(data, vocabulary=VOCAB, output_mode="tf_idf", idf_weights=idf)[1]
    np.testing.assert_allclose(tfidf, [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    layer, with_oov = _lookup(
        data, vocabulary=[-1] + VOCAB, output_mode="tf_idf", idf_weights=[0.9] + idf
    )
    np.testing.assert_allclose(
        with_oov, [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6
    )
    from jnn._core.layers.preprocessing_extra import IntegerLookup

    again = IntegerLookup.from_config(layer.get_config())
    np.testing.assert_allclose(again.apply(EMPTY, jnp.asarray(data))[0], with_oov, rtol=1e-6)


def test_integer_lookup_harness_and_bad_arguments():
    from jnn._core.layers.preprocessing_extra import IntegerLookup

    run_layer_test(
        IntegerLookup,
        {"vocabulary": [1, 3, 5]},
        (3, 2),
        input_dtype="int32",
        expected_output_shape=(3, 2),
    )
    for kwargs, match in [
        ({"max_tokens": 1}, "`max_tokens`"),
        ({"num_oov_indices": -1}, "`num_oov_indices`"),
        ({"output_mode": "binary"}, "`output_mode`"),
        ({"oov_method": "farmhash"}, "`oov_method`"),
        ({"vocabulary": [1, 1]}, "repeated"),
    ]:
        with pytest.raises(ValueError, match=match):
            IntegerLookup(**kwargs)
