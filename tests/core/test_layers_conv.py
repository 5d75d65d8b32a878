"""Convolution layers: harness, hand-computed values, shape rules vs Keras (hypothesis),
transpose = gradient of conv, bad input, and Keras 3 conformance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax import test_util

from jnn._core.layers.conv import Conv1D, Conv2D, Conv3D, Convolution2D
from jnn._core.layers.conv_transpose import Conv1DTranspose, Conv2DTranspose, Conv3DTranspose
from jnn._core.layers.separable import (
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
)
from tests.harness import make_inputs, run_layer_test

KEY = jax.random.key(0, impl="rbg")


def _params(layer, x):
    return layer.init(KEY, jax.ShapeDtypeStruct(x.shape, x.dtype))


# --- harness --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, kwargs, shape, out_shape, names, count",
    [
        (Conv1D, {"filters": 4, "kernel_size": 3}, (2, 7, 3), (2, 5, 4), None, 40),
        (Conv1D, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "groups": 2,
                  "data_format": "channels_first", "use_bias": False},
         (2, 4, 7), (2, 4, 4), ["kernel"], 24),
        (Conv2D, {"filters": 3, "kernel_size": 2, "strides": 2, "padding": "same"},
         (2, 5, 4, 2), (2, 3, 2, 3), None, 27),
        (Conv2D, {"filters": 2, "kernel_size": (3, 2), "dilation_rate": (1, 2),
                  "data_format": "channels_first", "activation": "relu"},
         (2, 3, 5, 6), (2, 2, 3, 4), None, 38),
        (Conv3D, {"filters": 2, "kernel_size": 2, "padding": "same"},
         (1, 3, 3, 2, 2), (1, 3, 3, 2, 2), None, 34),
        (Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2},
         (2, 4, 3), (2, 9, 2), None, 20),
        (Conv2DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                           "output_padding": 1, "data_format": "channels_first"},
         (2, 3, 3, 2), (2, 2, 6, 4), None, 56),
        (Conv3DTranspose, {"filters": 1, "kernel_size": 2, "strides": (1, 2, 1)},
         (1, 2, 2, 2, 2), (1, 3, 4, 3, 1), None, 17),
        (DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
         (2, 5, 3), (2, 5, 6), None, 24),
        (DepthwiseConv2D, {"kernel_size": 2, "strides": 2, "data_format": "channels_first"},
         (2, 3, 5, 4), (2, 3, 2, 2), None, 15),
        (SeparableConv1D, {"filters": 4, "kernel_size": 2, "depth_multiplier": 2},
         (2, 5, 3), (2, 4, 4), ["depthwise_kernel", "pointwise_kernel", "bias"], 40),
        (SeparableConv2D, {"filters": 2, "kernel_size": 3, "padding": "same", "dilation_rate": 2},
         (2, 5, 5, 3), (2, 5, 5, 2), ["depthwise_kernel", "pointwise_kernel", "bias"], 35),
    ],
)  # fmt: skip
def test_conv_harness(cls, kwargs, shape, out_shape, names, count):
    if names is None:
        names = ["kernel", "bias"]
    run_layer_test(
        cls,
        kwargs,
        shape,
        expected_output_shape=out_shape,
        expected_param_names=names,
        expected_num_params=count,
        training_modes=(False,),
    )


def test_conv_unknown_spatial_dims():
    layer = Conv2D(4, 3, strides=2)
    assert layer.compute_output_shape((None, None, 7, 3)) == (None, None, 3, 4)
    layer = Conv2DTranspose(4, 3, strides=2, padding="same")
    assert layer.compute_output_shape((None, None, 7, 3)) == (None, None, 14, 4)
    assert DepthwiseConv2D(3, depth_multiplier=2).compute_output_shape((None, 5, 5, None)) == (
        None,
        3,
        3,
        None,
    )


# --- hand-computed values -------------------------------------------------------------------
def _ones_apply(layer, x):
    variables = jax.tree.map(jnp.ones_like, _params(layer, x))
    return np.asarray(layer.apply(variables, x)[0])


def test_conv1d_hand_values():
    x = jnp.arange(1.0, 5.0).reshape(1, 4, 1)  # [1, 2, 3, 4]
    kw = {"kernel_initializer": "ones", "use_bias": False}
    np.testing.assert_array_equal(_ones_apply(Conv1D(1, 2, **kw), x)[0, :, 0], [3, 5, 7])
    # "same" with an even kernel pads on the right (TensorFlow / XLA rule).
    np.testing.assert_array_equal(
        _ones_apply(Conv1D(1, 2, padding="same", **kw), x)[0, :, 0], [3, 5, 7, 4]
    )
    # "causal": output t sees inputs <= t.
    np.testing.assert_array_equal(
        _ones_apply(Conv1D(1, 2, padding="causal", **kw), x)[0, :, 0], [1, 3, 5, 7]
    )
    np.testing.assert_array_equal(
        _ones_apply(Conv1D(1, 2, padding="causal", dilation_rate=2, **kw), x)[0, :, 0],
        [1, 2, 4, 6],
    )
    np.testing.assert_array_equal(
        _ones_apply(Conv1D(1, 3, strides=2, padding="same", **kw), x)[0, :, 0], [6, 7]
    )


def test_conv2d_hand_values_with_bias_and_groups():
    x = jnp.arange(16.0).reshape(1, 4, 4, 1)
    y = _ones_apply(Conv2D(1, 2, strides=2), x)  # kernel and bias all ones
    np.testing.assert_array_equal(y[0, :, :, 0], [[0 + 1 + 4 + 5 + 1, 2 + 3 + 6 + 7 + 1],
                                                  [8 + 9 + 12 + 13 + 1, 10 + 11 + 14 + 15 + 1]])  # fmt: skip
    # groups=2: each half of the filters sees only its half of the channels.
    x2 = jnp.concatenate([jnp.ones((1, 3, 3, 1)), 10 * jnp.ones((1, 3, 3, 1))], axis=-1)
    y2 = _ones_apply(Conv2D(2, 3, groups=2, use_bias=False), x2)
    np.testing.assert_array_equal(y2[0, 0, 0], [9.0, 90.0])


def test_conv1d_transpose_hand_values():
    x = jnp.array([1.0, 2.0]).reshape(1, 2, 1)
    kw = {"kernel_initializer": "ones", "use_bias": False}
    # Each input scatters kernel_size copies of itself, stride apart.
    y = _ones_apply(Conv1DTranspose(1, 2, strides=2, **kw), x)
    np.testing.assert_array_equal(y[0, :, 0], [1, 1, 2, 2])
    y = _ones_apply(Conv1DTranspose(1, 3, strides=2, **kw), x)
    np.testing.assert_array_equal(y[0, :, 0], [1, 1, 3, 2, 2])
    # "same": length input * stride, the full result [1, 1, 3, 2, 2] cropped at the end.
    y = _ones_apply(Conv1DTranspose(1, 3, strides=2, padding="same", **kw), x)
    np.testing.assert_array_equal(y[0, :, 0], [1, 1, 3, 2])


def test_depthwise_and_separable_hand_values():
    x = jnp.stack([jnp.ones((3,)), 2 * jnp.ones((3,))], axis=-1)[None]  # (1, 3, 2)
    y = _ones_apply(DepthwiseConv1D(3, depth_multiplier=2, use_bias=False), x)
    # Output channel c * multiplier + m comes from input channel c.
    np.testing.assert_array_equal(y[0, 0], [3, 3, 6, 6])
    y = _ones_apply(SeparableConv1D(1, 3, depth_multiplier=2, use_bias=False), x)
    np.testing.assert_array_equal(y[0, 0], [18])


def test_transpose_is_the_gradient_of_conv():
    x = make_inputs((2, 7, 6, 3))
    conv = Conv2D(4, 3, strides=2, use_bias=False)
    kernel = _params(conv, x)["params"]["kernel"]
    y, vjp = jax.vjp(lambda a: conv.apply({"params": {"kernel": kernel}, "state": {}}, a)[0], x)
    cotangent = make_inputs(y.shape, seed=1)
    (expected,) = vjp(cotangent)
    # The same kernel, read as (k, k, filters=3, in=4), maps the 4 channels back to 3.
    transpose = Conv2DTranspose(3, 3, strides=2, output_padding=(0, 1), use_bias=False)
    got, _ = transpose.apply({"params": {"kernel": kernel}, "state": {}}, cotangent)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_conv1d_check_grads():
    layer = Conv1D(2, 3, padding="same", dilation_rate=2)
    x = make_inputs((1, 5, 2))
    variables = _params(layer, x)

    def fn(kernel, a):
        params = {**variables["params"], "kernel": kernel}
        return layer.apply({"params": params, "state": {}}, a)[0]

    test_util.check_grads(
        fn, (variables["params"]["kernel"], x), order=1, modes=["rev"], atol=5e-2, rtol=5e-2
    )


def test_regularizers_constraints_and_mixed_precision():
    layer = Conv2D(
        2, 2, kernel_regularizer="l2", bias_regularizer="l1", kernel_constraint="non_neg"
    )
    x = make_inputs((1, 3, 3, 2))
    params = _params(layer, x)["params"]
    assert set(layer.weight_regularizers()) == {"kernel", "bias"}
    expected = 0.01 * float(jnp.sum(params["kernel"] ** 2))
    np.testing.assert_allclose(layer.regularization_penalty(params), expected, rtol=1e-5)
    assert float(jnp.min(layer.apply_constraints(params)["kernel"])) >= 0.0
    sep = SeparableConv2D(2, 2, pointwise_regularizer="l2", depthwise_constraint="non_neg")
    assert set(sep.weight_regularizers()) == {"pointwise_kernel"}
    assert set(sep.weight_constraints()) == {"depthwise_kernel"}
    assert set(DepthwiseConv2D(2, depthwise_regularizer="l1").weight_regularizers()) == {"kernel"}
    mixed = Conv2D(2, 2, dtype="mixed_bfloat16")
    v = _params(mixed, x)
    assert v["params"]["kernel"].dtype == jnp.float32
    assert mixed.apply(v, x)[0].dtype == jnp.bfloat16
    # Integer inputs are converted to the compute dtype.
    assert (
        layer.apply({"params": params, "state": {}}, jnp.ones((1, 3, 3, 2), jnp.int32))[0].dtype
        == jnp.float32
    )


def test_keras2_alias():
    assert Convolution2D is Conv2D


# --- output shapes: Keras's rules (hypothesis) -------------------------------------------------
@pytest.mark.conformance
@settings(max_examples=25, deadline=None)
@given(
    size=st.integers(1, 12),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=st.sampled_from(["valid", "same", "causal"]),
    transpose=st.booleans(),
    output_padding=st.one_of(st.none(), st.integers(0, 2)),
)
def test_output_length_matches_keras_and_lax(
    size, kernel, stride, dilation, padding, transpose, output_padding
):
    pytest.importorskip("keras")
    from keras.src.backend.common.backend_utils import compute_conv_transpose_output_shape
    from keras.src.ops.operation_utils import compute_conv_output_shape

    if stride > 1:
        dilation = 1
    shape = (2, size, 3)
    if transpose:
        padding = "same" if padding == "causal" else padding
        if output_padding is not None and output_padding >= stride:
            output_padding = None
        layer = Conv1DTranspose(
            2, kernel, strides=stride, padding=padding, dilation_rate=dilation,
            output_padding=output_padding,
        )  # fmt: skip
        expected = compute_conv_transpose_output_shape(
            shape, (kernel,), 2, (stride,), padding, output_padding, dilation_rate=(dilation,)
        )
        if expected[1] <= 0:  # Keras returns an empty output; we raise a clear error.
            with pytest.raises(ValueError, match="too small"):
                layer.compute_output_shape(shape)
            return
    else:
        layer = Conv1D(2, kernel, strides=stride, padding=padding, dilation_rate=dilation)
        if padding == "valid" and size < (kernel - 1) * dilation + 1:
            with pytest.raises(ValueError, match="too small"):
                layer.compute_output_shape(shape)
            return
        expected = compute_conv_output_shape(
            shape, 2, (kernel,), (stride,), padding, dilation_rate=(dilation,)
        )
    assert layer.compute_output_shape(shape) == tuple(expected)
    spec = jax.ShapeDtypeStruct(shape, jnp.float32)
    out = jax.eval_shape(lambda a: layer.apply(layer.init(KEY, spec), a)[0], spec)
    assert out.shape == tuple(expected)


# --- bad input ------------------------------------------------------------------------------
def test_kernel_larger_than_input_is_a_clear_error():
    layer = Conv2D(2, 3, name="small_conv")
    msg = r'"small_conv" \(Conv2D\).*kernel_size=\(3, 3\).*Spatial input size \(2, 5\)'
    with pytest.raises(ValueError, match=msg):
        layer.compute_output_shape((None, 2, 5, 1))
    with pytest.raises(ValueError, match=msg):
        layer.init(KEY, jax.ShapeDtypeStruct((1, 2, 5, 1), jnp.float32))
    with pytest.raises(ValueError, match="too small"):
        Conv1D(1, 3, dilation_rate=3).compute_output_shape((None, 6, 1))
    # Keras's rule for "same" with output_padding gives length 0 here: a clear error instead.
    with pytest.raises(ValueError, match=r"Conv1DTranspose.*output size \(0,\)"):
        Conv1DTranspose(2, 2, padding="same", output_padding=0).compute_output_shape((None, 1, 3))
    # "same" never shrinks below one output.
    assert Conv2D(2, 3, padding="same").compute_output_shape((None, 2, 5, 1)) == (None, 2, 5, 2)


def test_symbolic_call_reports_small_input_and_rank():
    jnn = pytest.importorskip("jnn")
    with pytest.raises(ValueError, match=r'"sym_conv" \(Conv2D\).*\(None, 2, 2, 1\)'):
        Conv2D(1, 3, name="sym_conv")(jnn.Input((2, 2, 1)))
    with pytest.raises(ValueError, match='"sym_conv3".*expected ndim=5, found ndim=4'):
        Conv3D(1, 3, name="sym_conv3")(jnn.Input((4, 4, 1)))
    y = Conv2D(4, 3, strides=2, name="sym_ok")(jnn.Input((None, 7, 3)))
    assert tuple(y.shape) == (None, None, 3, 4)


def test_channels_mismatch_with_built_kernel():
    layer = Conv2D(2, 3, name="c")
    variables = layer.init(KEY, jax.ShapeDtypeStruct((1, 5, 5, 3), jnp.float32))
    msg = 'layer "c" is incompatible.*axis -1 of input shape to have value 3.*\\(2, 5, 5, 4\\)'
    with pytest.raises(ValueError, match=msg):
        layer.apply(variables, jnp.zeros((2, 5, 5, 4)))
    transpose = Conv1DTranspose(2, 3, data_format="channels_first", name="t")
    variables = transpose.init(KEY, jax.ShapeDtypeStruct((1, 3, 5), jnp.float32))
    with pytest.raises(ValueError, match="axis 1 of input shape to have value 3"):
        transpose.apply(variables, jnp.zeros((1, 2, 5)))
    sep = SeparableConv1D(2, 2)
    variables = sep.init(KEY, jax.ShapeDtypeStruct((1, 5, 3), jnp.float32))
    with pytest.raises(ValueError, match="to have value 3"):
        sep.apply(variables, jnp.zeros((1, 5, 2)))


@pytest.mark.parametrize(
    "cls, kwargs, shape, ndim",
    [
        (Conv2D, {"filters": 2, "kernel_size": 3}, (5, 5, 3), 4),
        (Conv1D, {"filters": 2, "kernel_size": 3}, (2, 5, 5, 3), 3),
        (Conv3DTranspose, {"filters": 2, "kernel_size": 3}, (2, 5, 5, 3), 5),
        (DepthwiseConv2D, {"kernel_size": 3}, (2, 5, 3), 4),
    ],
)
def test_wrong_rank_names_the_layer(cls, kwargs, shape, ndim):
    layer = cls(name="lay", **kwargs)
    msg = f'Input 0 of layer "lay" is incompatible with the layer: expected ndim={ndim}, found '
    with pytest.raises(ValueError, match=msg + f"ndim={len(shape)}"):
        layer.init(KEY, jax.ShapeDtypeStruct(shape, jnp.float32))
    with pytest.raises(ValueError, match=f"expected ndim={ndim}"):
        layer.compute_output_shape((None,) + shape[1:])


def test_input_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match='"g".*divisible by `groups`.*groups=2.*3 channels'):
        Conv2D(4, 3, groups=2, name="g").init(KEY, jax.ShapeDtypeStruct((1, 5, 5, 3), "float32"))


@pytest.mark.parametrize(
    "make, arg",
    [
        (lambda: Conv2D(0, 3), "filters"),
        (lambda: Conv2D(-1, 3), "filters"),
        (lambda: Conv1DTranspose(0, 3), "filters"),
        (lambda: SeparableConv2D(0, 3), "filters"),
        (lambda: Conv2D(2.5, 3), "filters"),
        (lambda: Conv2D(3, 3, groups=2), "filters"),
        (lambda: Conv2D(2, 3, groups=0), "groups"),
        (lambda: Conv2D(2, (3, 0)), "kernel_size"),
        (lambda: Conv2D(2, (3, 3, 3)), "kernel_size"),
        (lambda: Conv2D(2, "3"), "kernel_size"),
        (lambda: Conv2D(2, 3, strides=0), "strides"),
        (lambda: Conv2D(2, 3, dilation_rate=(1, -1)), "dilation_rate"),
        (lambda: Conv2D(2, 3, padding="full"), "padding"),
        (lambda: Conv2D(2, 3, padding="causal"), "padding"),
        (lambda: Conv1DTranspose(2, 3, padding="causal"), "padding"),
        (lambda: Conv2D(2, 3, padding=None), "padding"),
        (lambda: Conv2D(2, 3, data_format="NHWC"), "data_format"),
        (lambda: Conv2D(2, 3, use_bias="yes"), "use_bias"),
        (lambda: Conv2D(2, 3, lora_rank=4), "lora_rank"),
        (lambda: Conv2DTranspose(2, 3, strides=2, output_padding=2), "output_padding"),
        (lambda: Conv2DTranspose(2, 3, output_padding=(0, 0, 0)), "output_padding"),
        (lambda: Conv2DTranspose(2, 3, strides=2, output_padding=-1), "output_padding"),
        (lambda: DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
        (lambda: SeparableConv1D(2, 3, depth_multiplier=-2), "depth_multiplier"),
    ],
)
def test_bad_arguments_name_the_argument(make, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        make()


def test_strides_with_dilation_rejected_for_conv_only():
    with pytest.raises(ValueError, match="strides > 1.*dilation_rate > 1"):
        Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="strides > 1.*dilation_rate > 1"):
        Conv1DTranspose(2, 3, strides=2, dilation_rate=2)
    # Keras allows both at once for depthwise and separable convolutions.
    assert DepthwiseConv2D(3, strides=2, dilation_rate=2).compute_output_shape((None, 9, 9, 3)) == (
        None,
        3,
        3,
        3,
    )


def test_unknown_activation_lists_choices():
    with pytest.raises(ValueError, match="Could not interpret activation.*relu"):
        Conv1D(2, 3, activation="rleu")


# --- conformance with Keras 3 ---------------------------------------------------------------
CONFORMANCE = [
    ("Conv1D", {"filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 2,
                "data_format": "channels_first"}, (2, 2, 6)),
    ("Conv1D", {"filters": 4, "kernel_size": 2, "strides": 2, "padding": "same", "groups": 2,
                "data_format": "channels_first"}, (2, 4, 5)),
    ("Conv2D", {"filters": 3, "kernel_size": (2, 4), "strides": (2, 1), "padding": "same"},
     (2, 5, 6, 2)),
    ("Conv2D", {"filters": 2, "kernel_size": 3, "dilation_rate": 2,
                "data_format": "channels_first", "activation": "tanh"}, (2, 2, 6, 7)),
    ("Conv3D", {"filters": 2, "kernel_size": (2, 3, 2), "strides": 2, "padding": "same"},
     (1, 3, 4, 5, 2)),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 4, "strides": 3, "output_padding": 2},
     (2, 3, 3)),
    ("Conv2DTranspose", {"filters": 3, "kernel_size": (2, 3), "strides": 2, "padding": "same"},
     (2, 3, 4, 2)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "dilation_rate": 2,
                         "data_format": "channels_first"}, (1, 2, 3, 4)),
    ("Conv3DTranspose", {"filters": 2, "kernel_size": 2, "strides": (2, 1, 2), "padding": "same",
                         "output_padding": (1, 0, 0)}, (1, 2, 3, 2, 2)),
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2, "strides": 2,
                         "padding": "same"}, (2, 7, 3)),
    ("DepthwiseConv2D", {"kernel_size": (3, 2), "depth_multiplier": 3, "dilation_rate": 2,
                         "data_format": "channels_first"}, (2, 2, 7, 6)),
    ("DepthwiseConv2D", {"kernel_size": 3, "strides": 2, "dilation_rate": 2}, (1, 9, 8, 2)),
    ("SeparableConv1D", {"filters": 3, "kernel_size": 3, "depth_multiplier": 2,
                         "padding": "same"}, (2, 6, 2)),
    ("SeparableConv2D", {"filters": 4, "kernel_size": 2, "strides": 2,
                         "data_format": "channels_first"}, (2, 3, 5, 5)),
]  # fmt: skip

MODULES = {
    "Conv1D": Conv1D,
    "Conv2D": Conv2D,
    "Conv3D": Conv3D,
    "Conv1DTranspose": Conv1DTranspose,
    "Conv2DTranspose": Conv2DTranspose,
    "Conv3DTranspose": Conv3DTranspose,
    "DepthwiseConv1D": DepthwiseConv1D,
    "DepthwiseConv2D": DepthwiseConv2D,
    "SeparableConv1D": SeparableConv1D,
    "SeparableConv2D": SeparableConv2D,
}


def keras_reference(keras_layer, x, seed=0):
    """Random weights set in the Keras layer, returned in ``get_weights()`` order, and the
    Keras output for ``x`` (one jitted ``stateless_call``: eager Keras compiles every op)."""
    x = np.asarray(x)
    keras_layer.build(x.shape)
    rng = np.random.default_rng(seed)
    keras_layer.set_weights([rng.standard_normal(w.shape).astype("float32") for w in
                             keras_layer.weights])  # fmt: skip
    weights = keras_layer.get_weights()
    with jax.numpy_rank_promotion("allow"):
        call = jax.jit(lambda tv, a: keras_layer.stateless_call(tv, [], a)[0])
        expected = call([jnp.asarray(w) for w in weights], x)
    return weights, np.asarray(expected)


@pytest.mark.conformance
@pytest.mark.parametrize("name, kwargs, shape", CONFORMANCE)
def test_matches_keras(name, kwargs, shape):
    keras = pytest.importorskip("keras")
    x = make_inputs(shape)
    # Cheap initial values (the real ones are set below): random init compiles per shape.
    prefix = {"Conv": ["kernel"], "Dept": ["depthwise"], "Sepa": ["depthwise", "pointwise"]}
    fast_init = {f"{p}_initializer": "zeros" for p in prefix[name[:4]]}
    theirs = getattr(keras.layers, name)(**kwargs, **fast_init)
    weights, expected = keras_reference(theirs, x)
    # Keras's random weights, in get_weights() order, loaded into our variables.
    ours = MODULES[name](**kwargs)
    variables = _params(ours, x)  # (eval_shape would sort the dict keys)
    assert [w.shape for w in weights] == [v.shape for v in variables["params"].values()]
    assert [w.path.split("/")[-1] for w in theirs.weights] == list(variables["params"])
    loaded = {"params": dict(zip(variables["params"], map(jnp.asarray, weights))), "state": {}}
    got = jax.jit(lambda v, a: ours.apply(v, a)[0])(loaded, x)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert theirs.count_params() == sum(w.size for w in weights)
    assert ours.compute_output_shape((None,) + shape[1:]) == tuple(
        theirs.compute_output_shape((None,) + shape[1:])
    )
    theirs_cfg, ours_cfg = getattr(keras.layers, name)(**kwargs).get_config(), ours.get_config()
    assert set(theirs_cfg) == set(ours_cfg)
    for key in set(theirs_cfg) - {"name", "dtype"}:
        assert ours_cfg[key] == theirs_cfg[key], key
