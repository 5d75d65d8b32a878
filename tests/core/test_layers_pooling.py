"""Pooling layers: harness, hand-computed values (Keras's "same" averaging), shape rules vs
Keras (hypothesis), masks, bad input, and Keras 3 conformance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jnn._core.layers import pooling
from jnn._core.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from tests.harness import make_inputs, run_layer_test

EMPTY = {"params": {}, "state": {}}


def _apply(layer, x, **kwargs):
    return np.asarray(layer.apply(EMPTY, jnp.asarray(x, jnp.float32), **kwargs)[0])


# --- harness --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, kwargs, shape, out_shape",
    [
        (MaxPooling1D, {}, (2, 5, 3), (2, 2, 3)),
        (MaxPooling2D, {"pool_size": (2, 3), "strides": 1, "padding": "same"},
         (2, 4, 5, 2), (2, 4, 5, 2)),
        (MaxPooling3D, {"data_format": "channels_first"}, (1, 2, 4, 4, 3), (1, 2, 2, 2, 1)),
        (AveragePooling1D, {"pool_size": 3, "strides": 2, "padding": "same"},
         (2, 6, 3), (2, 3, 3)),
        (AveragePooling2D, {"data_format": "channels_first", "padding": "same"},
         (2, 3, 5, 4), (2, 3, 3, 2)),
        (AveragePooling3D, {"pool_size": (1, 2, 2)}, (1, 3, 4, 4, 2), (1, 3, 2, 2, 2)),
        (GlobalMaxPooling1D, {"keepdims": True}, (2, 5, 3), (2, 1, 3)),
        (GlobalMaxPooling2D, {"data_format": "channels_first"}, (2, 3, 4, 5), (2, 3)),
        (GlobalMaxPooling3D, {}, (2, 2, 3, 2, 4), (2, 4)),
        (GlobalAveragePooling1D, {"data_format": "channels_first"}, (2, 3, 5), (2, 3)),
        (GlobalAveragePooling2D, {"keepdims": True}, (2, 4, 5, 3), (2, 1, 1, 3)),
        (GlobalAveragePooling3D, {"keepdims": True, "data_format": "channels_first"},
         (2, 3, 2, 2, 2), (2, 3, 1, 1, 1)),
    ],
)  # fmt: skip
def test_pooling_harness(cls, kwargs, shape, out_shape):
    run_layer_test(
        cls,
        kwargs,
        shape,
        expected_output_shape=out_shape,
        expected_num_params=0,
        training_modes=(False,),
    )


def test_unknown_spatial_dims():
    assert MaxPooling2D(2).compute_output_shape((None, None, 5, 3)) == (None, None, 2, 3)
    assert GlobalAveragePooling2D().compute_output_shape((None, None, None, 3)) == (None, 3)
    assert AveragePooling1D(2, data_format="channels_first").compute_output_shape(
        (None, 4, None)
    ) == (None, 4, None)


# --- hand-computed values -------------------------------------------------------------------
def test_max_pooling_hand_values():
    x = np.array([1.0, 5.0, 2.0, -1.0, 3.0]).reshape(1, 5, 1)
    np.testing.assert_array_equal(_apply(MaxPooling1D(2), x)[0, :, 0], [5, 2])
    # "same" pads with -inf: an all-negative last window keeps its own maximum.
    np.testing.assert_array_equal(_apply(MaxPooling1D(2, padding="same"), -x)[0, :, 0], [-1, 1, -3])
    np.testing.assert_array_equal(_apply(MaxPooling1D(3, strides=1), x)[0, :, 0], [5, 5, 3])
    x2 = np.arange(16.0).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(_apply(MaxPooling2D(), x2)[0, :, :, 0], [[5, 7], [13, 15]])


def test_average_pooling_same_counts_only_real_elements():
    x = np.arange(5.0).reshape(1, 5, 1)
    np.testing.assert_allclose(
        _apply(AveragePooling1D(2, padding="same"), x)[0, :, 0], [0.5, 2.5, 4.0]
    )
    # pool 3, stride 1, "same": one padded element at each end is ignored.
    np.testing.assert_allclose(
        _apply(AveragePooling1D(3, strides=1, padding="same"), x)[0, :, 0],
        [0.5, 1.0, 2.0, 3.0, 3.5],
    )
    x2 = np.arange(9.0).reshape(1, 3, 3, 1)
    y = _apply(AveragePooling2D(2, padding="same"), x2)[0, :, :, 0]
    np.testing.assert_allclose(y, [[(0 + 1 + 3 + 4) / 4, (2 + 5) / 2], [(6 + 7) / 2, 8]])
    np.testing.assert_allclose(_apply(AveragePooling2D(2), x2)[0, :, :, 0], [[2.0]])


def test_global_pooling_hand_values_and_mask():
    x = np.array([[[1.0, -1.0], [3.0, -5.0], [100.0, 0.0]]])  # (1, 3 steps, 2 channels)
    np.testing.assert_array_equal(_apply(GlobalMaxPooling1D(), x), [[100.0, 0.0]])
    np.testing.assert_allclose(_apply(GlobalAveragePooling1D(), x), [[104 / 3, -2.0]])
    mask = jnp.array([[True, True, False]])
    layer = GlobalAveragePooling1D()
    np.testing.assert_allclose(_apply(layer, x, mask=mask), [[2.0, -3.0]])
    assert layer.supports_masking and layer.compute_mask(x, mask) is None
    cf = GlobalAveragePooling1D(data_format="channels_first", keepdims=True)
    np.testing.assert_allclose(_apply(cf, np.transpose(x, (0, 2, 1)), mask=mask), [[[2.0], [-3.0]]])
    np.testing.assert_allclose(
        _apply(GlobalAveragePooling2D(), np.arange(8.0).reshape(1, 2, 2, 2)), [[3.0, 4.0]]
    )


def test_integer_inputs_and_mixed_precision():
    y = MaxPooling1D(2).apply(EMPTY, jnp.arange(4, dtype=jnp.int32).reshape(1, 4, 1))[0]
    assert y.dtype == jnp.float32
    np.testing.assert_array_equal(y[0, :, 0], [1, 3])
    x = make_inputs((1, 4, 4, 2))
    y = AveragePooling2D(2, padding="same", dtype="mixed_bfloat16").apply(EMPTY, x)[0]
    assert y.dtype == jnp.bfloat16


def test_keras2_aliases():
    assert pooling.MaxPool2D is MaxPooling2D
    assert pooling.AvgPool1D is AveragePooling1D
    assert pooling.GlobalMaxPool3D is GlobalMaxPooling3D
    assert pooling.GlobalAvgPool2D is GlobalAveragePooling2D


# --- output shapes: Keras's rules (hypothesis) -------------------------------------------------
@pytest.mark.conformance
@settings(max_examples=30, deadline=None)
@given(
    size=st.integers(1, 10),
    pool=st.integers(1, 4),
    stride=st.one_of(st.none(), st.integers(1, 3)),
    padding=st.sampled_from(["valid", "same"]),
)
def test_pooling_output_length_matches_keras_and_lax(size, pool, stride, padding):
    pytest.importorskip("keras")
    from keras.src.ops.operation_utils import compute_pooling_output_shape

    shape = (2, size, 3)
    layer = MaxPooling1D(pool, strides=stride, padding=padding)
    if padding == "valid" and size < pool:
        with pytest.raises(ValueError, match="too small"):
            layer.compute_output_shape(shape)
        return
    expected = compute_pooling_output_shape(shape, (pool,), (stride or pool,), padding)
    assert layer.compute_output_shape(shape) == tuple(expected)
    for cls in (MaxPooling1D, AveragePooling1D):
        spec = jax.ShapeDtypeStruct(shape, jnp.float32)
        out = jax.eval_shape(lambda a, c=cls: c(pool, stride, padding).apply(EMPTY, a)[0], spec)
        assert out.shape == tuple(expected)


# --- bad input ------------------------------------------------------------------------------
def test_zero_size_output_is_a_clear_error():
    layer = MaxPooling2D(3, name="pool")
    msg = r'"pool" \(MaxPooling2D\).*pool_size=\(3, 3\).*Spatial input size \(2, 5\)'
    with pytest.raises(ValueError, match=msg):
        layer.compute_output_shape((None, 2, 5, 1))
    with pytest.raises(ValueError, match=msg):
        layer.apply(EMPTY, jnp.zeros((1, 2, 5, 1)))
    with pytest.raises(ValueError, match="too small"):
        AveragePooling1D(4, data_format="channels_first").apply(EMPTY, jnp.zeros((1, 5, 3)))
    # "same" always keeps at least one output.
    assert _apply(MaxPooling2D(3, padding="same"), np.ones((1, 2, 2, 1))).shape == (1, 1, 1, 1)


def test_symbolic_call_reports_zero_size_output():
    jnn = pytest.importorskip("jnn")
    with pytest.raises(ValueError, match=r'"sym_pool" \(AveragePooling2D\).*output size \(2, 0\)'):
        AveragePooling2D((2, 3), name="sym_pool")(jnn.Input((4, 2, 1)))
    y = GlobalMaxPooling2D()(jnn.Input((None, None, 3)))
    assert tuple(y.shape) == (None, 3)


@pytest.mark.parametrize(
    "cls, shape, ndim",
    [
        (MaxPooling2D, (2, 5, 3), 4),
        (AveragePooling1D, (2, 5, 5, 3), 3),
        (AveragePooling3D, (2, 5, 5, 3), 5),
        (GlobalMaxPooling2D, (2, 5, 3), 4),
        (GlobalAveragePooling1D, (2, 5), 3),
    ],
)
def test_wrong_rank_names_the_layer(cls, shape, ndim):
    layer = cls(name="lay")
    msg = f'Input 0 of layer "lay" is incompatible with the layer: expected ndim={ndim}, found '
    with pytest.raises(ValueError, match=msg + f"ndim={len(shape)}"):
        layer.apply(EMPTY, jnp.zeros(shape))
    with pytest.raises(ValueError, match=f"expected ndim={ndim}"):
        layer.compute_output_shape((None,) + shape[1:])


@pytest.mark.parametrize(
    "make, arg",
    [
        (lambda: MaxPooling2D(0), "pool_size"),
        (lambda: MaxPooling2D((2, 2, 2)), "pool_size"),
        (lambda: AveragePooling1D(-1), "pool_size"),
        (lambda: MaxPooling3D("2"), "pool_size"),
        (lambda: MaxPooling2D(2, strides=0), "strides"),
        (lambda: AveragePooling2D(2, strides=(1, 2, 3)), "strides"),
        (lambda: MaxPooling1D(2, padding="full"), "padding"),
        (lambda: MaxPooling1D(2, padding="causal"), "padding"),
        (lambda: AveragePooling2D(2, data_format="NCHW"), "data_format"),
        (lambda: GlobalMaxPooling1D(data_format="channels_middle"), "data_format"),
        (lambda: GlobalAveragePooling2D(keepdims="yes"), "keepdims"),
    ],
)
def test_bad_arguments_name_the_argument(make, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        make()


def test_unknown_keyword_rejected():
    with pytest.raises(TypeError, match="pool_sise"):
        MaxPooling2D(pool_sise=2)


# --- conformance with Keras 3 ---------------------------------------------------------------
CONFORMANCE = [
    ("MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 8, 3)),
    ("MaxPooling2D", {"pool_size": (2, 3), "data_format": "channels_first"}, (2, 3, 5, 7)),
    ("MaxPooling3D", {"pool_size": 2, "strides": (1, 2, 3), "padding": "same"}, (1, 3, 4, 5, 2)),
    ("AveragePooling1D", {"pool_size": 2, "strides": 1}, (2, 6, 3)),
    ("AveragePooling2D", {"pool_size": (3, 2), "strides": 2, "padding": "same"}, (2, 5, 7, 2)),
    ("AveragePooling3D", {"pool_size": (2, 3, 2), "padding": "same",
                          "data_format": "channels_first"}, (1, 2, 3, 4, 5)),
    ("GlobalMaxPooling1D", {"keepdims": True}, (2, 5, 3)),
    ("GlobalMaxPooling2D", {"data_format": "channels_first"}, (2, 3, 4, 5)),
    ("GlobalMaxPooling3D", {}, (2, 2, 3, 4, 3)),
    ("GlobalAveragePooling1D", {"data_format": "channels_first"}, (2, 3, 5)),
    ("GlobalAveragePooling2D", {"keepdims": True}, (2, 4, 5, 3)),
    ("GlobalAveragePooling3D", {"data_format": "channels_first"}, (2, 3, 2, 2, 2)),
]  # fmt: skip


@pytest.mark.conformance
def test_all_pooling_layers_match_keras():
    keras = pytest.importorskip("keras")
    for name, kwargs, shape in CONFORMANCE:
        x = make_inputs(shape)
        theirs = getattr(keras.layers, name)(**kwargs)
        ours = getattr(pooling, name)(**kwargs)
        with jax.numpy_rank_promotion("allow"):
            expected = jax.jit(lambda a, t=theirs: t(a))(np.asarray(x))
        got = jax.jit(lambda a, o=ours: o.apply(EMPTY, a)[0])(x)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6, err_msg=name)
        assert ours.compute_output_shape((None,) + shape[1:]) == tuple(
            theirs.compute_output_shape((None,) + shape[1:])
        ), name
        theirs_cfg, ours_cfg = theirs.get_config(), ours.get_config()
        assert set(theirs_cfg) == set(ours_cfg), name
        for key in set(theirs_cfg) - {"name", "dtype"}:
            assert ours_cfg[key] == theirs_cfg[key], (name, key)


@pytest.mark.conformance
def test_global_average_pooling_mask_matches_keras():
    keras = pytest.importorskip("keras")
    x = make_inputs((3, 5, 2))
    mask = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    with jax.numpy_rank_promotion("allow"):
        expected = keras.layers.GlobalAveragePooling1D()(np.asarray(x), mask=mask)
    np.testing.assert_allclose(_apply(GlobalAveragePooling1D(), x, mask=mask), expected, rtol=1e-6)
