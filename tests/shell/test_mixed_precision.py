"""Mixed precision: float32 variables, low-precision compute, float32 loss, loss scaling."""

import numpy as np
import pytest

import jnn
from jnn import layers


@pytest.fixture
def policy():
    def set_(name):
        jnn.mixed_precision.set_global_policy(name)

    yield set_
    jnn.mixed_precision.set_global_policy("float32")


def _model():
    return jnn.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                           layers.Dense(3, activation="softmax")])


@pytest.mark.parametrize("name,compute", [("mixed_bfloat16", "bfloat16"),
                                          ("mixed_float16", "float16")])
def test_mixed_policy_dtypes_and_training(policy, name, compute):
    policy(name)
    model = _model()
    assert all(w.dtype == np.float32 for w in model.weights)
    assert model.layers[0].compute_dtype == compute
    out = model.apply(model.variables_tree, np.ones((2, 4), np.float32))
    assert out.dtype == np.dtype(compute)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    if compute == "float16":  # Keras 3 wraps the optimizer for dynamic loss scaling
        assert isinstance(model.optimizer, jnn.optimizers.LossScaleOptimizer)
    rng = np.random.default_rng(0)
    x = rng.random((128, 4), dtype=np.float32)
    y = (x.sum(1) > 2).astype("int32")
    hist = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert all(np.isfinite(hist.history["loss"]))
    assert all(w.dtype == np.float32 for w in model.weights)


def test_loss_is_computed_in_float32(policy):
    """The logged loss equals a float32 computation from the (low precision) predictions."""
    policy("mixed_bfloat16")
    model = _model()
    model.compile("sgd", "sparse_categorical_crossentropy")
    x = np.random.default_rng(1).random((64, 4), dtype=np.float32)
    y = np.zeros(64, np.int32)
    loss = model.evaluate(x, y, batch_size=64, verbose=0)
    probs = np.asarray(model.predict(x, batch_size=64, verbose=0), np.float32)
    probs = probs / probs.sum(-1, keepdims=True)
    expected = -np.log(np.clip(probs[:, 0], 1e-7, 1 - 1e-7)).mean()
    # bf16 would quantize the loss to steps of 2**-7 (0.7%); float32 agrees to bf16 noise.
    np.testing.assert_allclose(loss, expected, rtol=1e-3)


def test_per_layer_dtype_overrides_policy(policy):
    policy("mixed_bfloat16")
    model = jnn.Sequential([layers.Dense(4, input_shape=(3,)),
                            layers.Dense(2, dtype="float32")])
    out = model.apply(model.variables_tree, np.ones((1, 3), np.float32))
    assert out.dtype == np.float32
    assert model.layers[0].compute_dtype == "bfloat16"


def test_unknown_policy_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown dtype policy 'mixed_float8'"):
        jnn.mixed_precision.set_global_policy("mixed_float8")


def test_float16_without_loss_scaling_warns(policy):
    policy("mixed_float16")
    model = _model()
    with pytest.warns(UserWarning, match="gradients smaller than .* underflow"):
        model.compile("sgd", "sparse_categorical_crossentropy", auto_scale_loss=False)
    assert not isinstance(model.optimizer, jnn.optimizers.LossScaleOptimizer)
    explicit = jnn.optimizers.LossScaleOptimizer(jnn.optimizers.SGD())
    model.compile(explicit, "sparse_categorical_crossentropy", auto_scale_loss=False)
    assert model.optimizer is explicit  # no warning: the user scales the loss
