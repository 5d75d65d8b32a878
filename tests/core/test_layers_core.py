"""Core layers (InputLayer, Dense, Activation, Lambda, Identity) through the shared harness,
golden values, bad input and Keras conformance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn.layers import Activation, Dense, Identity, InputLayer, Lambda
from tests.harness import assert_matches_keras, make_inputs, run_layer_test

EMPTY = {"params": {}, "state": {}}


# --- harness --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 3), (2, 4, 3), (2, 2, 3, 3)])
def test_dense_harness(shape):
    result = run_layer_test(
        Dense,
        {"units": 5, "activation": "tanh"},
        shape,
        expected_output_shape=shape[:-1] + (5,),
        expected_num_params=3 * 5 + 5,
        expected_param_names=["kernel", "bias"],
        expected_state_names=[],
    )
    assert result.variables["params"]["kernel"].shape == (3, 5)
    assert result.variables["params"]["bias"].shape == (5,)


def test_dense_harness_no_bias_with_regularizers_and_constraints():
    result = run_layer_test(
        Dense,
        {
            "units": 2,
            "use_bias": False,
            "kernel_regularizer": "l2",
            "kernel_constraint": "non_neg",
            "activity_regularizer": "l1",
            "input_dim": 4,
            "name": "d",
        },
        (3, 4),
        expected_param_names=["kernel"],
        expected_num_params=8,
    )
    layer = result.layer
    assert list(layer.weight_regularizers()) == ["kernel"]
    assert list(layer.weight_constraints()) == ["kernel"]
    assert layer.activity_regularizer is not None
    kernel = result.variables["params"]["kernel"]
    penalty = layer.regularization_penalty(result.variables["params"])
    np.testing.assert_allclose(penalty, 0.01 * jnp.sum(kernel**2), rtol=1e-6)
    projected = layer.apply_constraints(result.variables["params"])["kernel"]
    assert bool(jnp.all(projected >= 0))
    assert layer.get_config()["batch_input_shape"] == [None, 4]


def test_dense_integer_inputs_are_cast():
    result = run_layer_test(
        Dense, {"units": 2}, (3, 4), input_dtype="int32", expected_param_names=["kernel", "bias"]
    )
    assert result.outputs[False].dtype == jnp.float32


@pytest.mark.parametrize("activation", ["relu", "softmax", None, jax.nn.relu])
def test_activation_harness(activation):
    run_layer_test(Activation, {"activation": activation}, (2, 3, 4), expected_num_params=0)


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4)])
def test_identity_and_input_layer_harness(shape):
    result = run_layer_test(Identity, {}, shape, expected_output_shape=shape)
    np.testing.assert_array_equal(result.outputs[True], result.inputs)
    result = run_layer_test(InputLayer, {"shape": shape[1:]}, shape, expected_num_params=0)
    np.testing.assert_array_equal(result.outputs[False], result.inputs)


def _scale_and_shift(x, factor=2.0):
    return x * factor + 1.0


def _add(xs):
    return xs[0] + xs[1]


def _uses_training(x, training=False):
    return x * (2.0 if training else 1.0)


def test_lambda_harness_variants():
    result = run_layer_test(
        Lambda, {"function": _scale_and_shift, "arguments": {"factor": 3.0}}, (2, 4)
    )
    np.testing.assert_allclose(result.outputs[False], result.inputs * 3.0 + 1.0, rtol=1e-6)
    result = run_layer_test(Lambda, {"function": _add}, [(2, 3), (2, 3)])
    np.testing.assert_allclose(result.outputs[False], result.inputs[0] + result.inputs[1])
    result = run_layer_test(Lambda, {"function": _uses_training}, (2, 3))
    np.testing.assert_allclose(result.outputs[True], 2 * result.outputs[False])
    run_layer_test(
        Lambda, {"function": lambda x: jnp.reshape(x, (-1, 12)), "output_shape": (12,)}, (2, 3, 4)
    )
    run_layer_test(
        Lambda,
        {"function": lambda x: x[:, :2], "output_shape": lambda s: (s[0], 2)},
        (2, 3),
    )


# --- golden values --------------------------------------------------------------------------
def test_dense_ones_kernel_is_sum_plus_bias():
    layer = Dense(3, kernel_initializer="ones", bias_initializer="ones")
    x = jnp.array([[1.0, 2.0, 3.0, 4.0], [0.0, -1.0, 0.5, 0.5]])
    variables = layer.init(jax.random.key(0), x)
    y, state = layer.apply(variables, x)
    np.testing.assert_allclose(y, [[11.0] * 3, [1.0] * 3])
    assert state == {}


def test_dense_rank3_and_relu_by_hand():
    layer = Dense(2, activation="relu", kernel_initializer="ones")
    x = jnp.array([[[1.0, -3.0], [2.0, 2.0]]])  # (1, 2, 2)
    y, _ = layer.apply(layer.init(jax.random.key(0), x), x)
    np.testing.assert_allclose(y, [[[0.0, 0.0], [4.0, 4.0]]])


def test_dense_glorot_uniform_default_bound():
    layer = Dense(200)
    kernel = layer.init(jax.random.key(3), jnp.zeros((1, 300)))["params"]["kernel"]
    limit = np.sqrt(6.0 / (300 + 200))
    assert float(jnp.max(jnp.abs(kernel))) <= limit
    assert float(jnp.max(jnp.abs(kernel))) > 0.95 * limit
    np.testing.assert_allclose(float(jnp.std(kernel)), limit / np.sqrt(3), rtol=0.02)


def test_lambda_mask_and_config():
    layer = Lambda(_scale_and_shift, mask=lambda inputs, mask: mask)
    assert layer.supports_masking
    m = jnp.array([True, False])
    assert layer.compute_mask(jnp.zeros(2), m) is m
    config = layer.get_config()
    assert config["function"] is _scale_and_shift
    assert Lambda.from_config(config).function is _scale_and_shift


def test_input_layer_config_and_dtype():
    layer = InputLayer(shape=(3,), dtype="int32", name="inp")
    assert layer.batch_shape == (None, 3)
    assert layer.dtype == "int32"
    assert layer.get_config()["batch_shape"] == (None, 3)
    assert InputLayer(input_shape=(4, 2)).batch_shape == (None, 4, 2)
    assert InputLayer(batch_shape=(8, 2)).batch_shape == (8, 2)
    assert InputLayer(shape=(2,), batch_size=5).batch_shape == (5, 2)
    rebuilt = InputLayer.from_config(layer.get_config())
    assert rebuilt.get_config() == layer.get_config()


def test_dense_serializes_objects():
    config = Dense(
        4,
        activation="relu",
        kernel_initializer="he_normal",
        kernel_regularizer="l2",
        bias_constraint="max_norm",
    ).get_config()
    assert config["units"] == 4
    assert config["activation"] == "relu"
    assert config["kernel_initializer"]["class_name"] == "HeNormal"
    assert config["kernel_regularizer"]["class_name"] == "L2"
    assert config["bias_constraint"]["class_name"] == "MaxNorm"
    assert config["bias_regularizer"] is None
    rebuilt = Dense.from_config(config)
    assert rebuilt.get_config() == config


# --- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize("units", [-1, 0, 2.5, "3", True, None])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="`units` must be a positive int"):
        Dense(units)


def test_dense_rejects_lora_and_unknown_kwargs():
    with pytest.raises(ValueError, match="lora_rank"):
        Dense(3, lora_rank=4)
    with pytest.raises(TypeError, match="unrecognized keyword"):
        Dense(3, kernel_init="ones")
    with pytest.raises(ValueError, match="use_bias"):
        Dense(3, use_bias="yes")
    with pytest.raises(ValueError, match="adamm|Could not interpret"):
        Dense(3, activation="adamm")


def test_dense_wrong_last_dim_names_layer_expected_and_received():
    layer = Dense(3, name="dense")
    variables = layer.init(jax.random.key(0), jnp.zeros((1, 784)))
    with pytest.raises(ValueError) as info:
        layer.apply(variables, jnp.zeros((2, 10)))
    msg = str(info.value)
    assert 'layer "dense"' in msg
    assert "expected axis -1 of input shape to have value 784" in msg
    assert "(2, 10)" in msg


def test_dense_rank1_input_rejected():
    layer = Dense(3, name="d1")
    with pytest.raises(ValueError, match='layer "d1".*min_ndim=2'):
        layer.init(jax.random.key(0), jnp.zeros((4,)))


def test_input_layer_and_lambda_bad_arguments():
    with pytest.raises(ValueError, match="shape"):
        InputLayer()
    with pytest.raises(ValueError, match="not both"):
        InputLayer(shape=(2,), batch_shape=(None, 2))
    with pytest.raises(ValueError, match="sparse"):
        InputLayer(shape=(2,), sparse=True)
    with pytest.raises(ValueError, match="`function` must be callable"):
        Lambda(3)
    with pytest.raises(ValueError, match="`output_shape`"):
        Lambda(_add, output_shape="big")


# --- conformance with Keras 3 ---------------------------------------------------------------
@pytest.mark.conformance
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)])
@pytest.mark.parametrize("activation", [None, "relu", "sigmoid"])
def test_dense_matches_keras(shape, activation):
    keras = pytest.importorskip("keras")
    layer = Dense(5, activation=activation)
    x = make_inputs(shape)
    variables = layer.init(jax.random.key(0), x)
    variables = {
        "params": {
            "kernel": variables["params"]["kernel"],
            "bias": jnp.linspace(-1.0, 1.0, 5),
        },
        "state": {},
    }
    assert_matches_keras(
        layer, keras.layers.Dense(5, activation=activation), x, variables=variables
    )


@pytest.mark.conformance
def test_activation_identity_lambda_match_keras():
    keras = pytest.importorskip("keras")
    x = make_inputs((2, 3, 4))
    for ours, theirs in [
        (Activation("gelu"), keras.layers.Activation("gelu")),
        (Activation("softmax"), keras.layers.Activation("softmax")),
        (Identity(), keras.layers.Identity()),
        (Lambda(_scale_and_shift), keras.layers.Lambda(_scale_and_shift)),
    ]:
        assert_matches_keras(ours, theirs, x)


@pytest.mark.conformance
def test_dense_config_keys_match_keras():
    keras = pytest.importorskip("keras")
    ours = set(Dense(3).get_config())
    theirs = set(keras.layers.Dense(3).get_config())
    # Keras-only keys: quantization / LoRA bookkeeping and its dtype-policy object.
    missing = theirs - ours - {"quantization_config", "lora_rank", "lora_alpha"}
    assert not missing, missing


def test_dense_mismatch_during_shape_inference_shows_none_batch():
    layer = Dense(3, name="dense")
    variables = layer.init(jax.random.key(0), jnp.zeros((1, 784)))
    spec = jax.ShapeDtypeStruct((83, 10), jnp.float32)  # base's probe size for an unknown batch
    with pytest.raises(ValueError, match=r"received input with shape \(None, 10\)"):
        jax.eval_shape(lambda x: layer.apply(variables, x), spec)


def test_dense_mixed_precision_policy():
    result = run_layer_test(Dense, {"units": 3, "dtype": "mixed_bfloat16"}, (2, 4))
    assert result.variables["params"]["kernel"].dtype == jnp.float32
    assert result.outputs[False].dtype == jnp.bfloat16


def test_dense_input_shape_kwargs_in_config():
    assert Dense(3, input_shape=(4,)).get_config()["batch_input_shape"] == [None, 4]
    assert Dense(3, input_dim=5, batch_size=8).get_config()["batch_input_shape"] == [8, 5]


@pytest.mark.conformance
def test_input_layer_config_matches_keras():
    keras = pytest.importorskip("keras")
    ours = InputLayer(shape=(3, 4), dtype="int32", name="x").get_config()
    theirs = keras.layers.InputLayer(shape=(3, 4), dtype="int32", name="x").get_config()
    assert ours == theirs


def test_lambda_declared_output_shape_skips_tracing():
    from jnn._core.layers.base import SymbolicSpec

    def needs_concrete_batch(x):
        return jnp.reshape(x, (2, 12))  # only valid for batch 2: cannot be traced at 83 / 89

    layer = Lambda(needs_concrete_batch, output_shape=(12,))
    spec = layer.compute_output_spec(SymbolicSpec((None, 3, 4)))
    assert spec == SymbolicSpec((None, 12), "float32")
    with pytest.raises(TypeError):
        Lambda(needs_concrete_batch).compute_output_spec(SymbolicSpec((None, 3, 4)))


def test_noise_layers_promote_integer_inputs_in_training():
    from jnn.layers import GaussianNoise

    x = jnp.ones((2, 3), jnp.int32)
    y, _ = GaussianNoise(0.1).apply(EMPTY, x, training=True, rng=jax.random.key(0, impl="rbg"))
    assert y.dtype == jnp.float32
    assert GaussianNoise(0.1).apply(EMPTY, x)[0].dtype == jnp.int32
