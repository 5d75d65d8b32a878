"""CustomScaleLayer (InceptionResNetV2's residual sum) against Keras 3's."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jnn
from jnn._core.layers.custom_scale import CustomScaleLayer


@pytest.mark.conformance
def test_custom_scale_layer_matches_keras(keras_module):
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer as KerasLayer

    rng = np.random.RandomState(0)
    a, b = (rng.normal(size=(2, 3, 3, 4)).astype("float32") for _ in range(2))
    keras_module.backend.clear_session()
    jnn.backend.clear_session()
    k = KerasLayer(0.17)
    j = CustomScaleLayer(0.17)
    assert j.name == k.name == "custom_scale_layer"   # Keras's auto-name
    np.testing.assert_allclose(np.asarray(j([a, b])), np.asarray(k([a, b])), rtol=1e-6)
    assert j.get_config()["scale"] == k.get_config()["scale"]
    assert CustomScaleLayer.from_config(j.get_config()).scale == 0.17
    assert not j.weights


def test_custom_scale_layer_in_a_model_and_under_jit():
    x, r = jnn.Input((4,)), jnn.Input((4,))
    model = jnn.Model([x, r], CustomScaleLayer(0.5)([x, r]))
    variables = model.init(jax.random.key(0), [jnp.zeros((1, 4)), jnp.zeros((1, 4))])
    out = jax.jit(lambda v, a, b: model.apply(v, [a, b]))(variables, jnp.ones((2, 4)),
                                                         jnp.full((2, 4), 2.0))
    np.testing.assert_array_equal(np.asarray(out), np.full((2, 4), 2.0))
    assert model.output_shape == (None, 4)


def test_custom_scale_layer_rejects_bad_input():
    with pytest.raises(ValueError, match="scale"):
        CustomScaleLayer("big")
    layer = CustomScaleLayer(0.1)
    with pytest.raises(ValueError, match="exactly 2"):
        layer.apply({}, [jnp.ones((1, 2))] * 3)
    with pytest.raises(ValueError, match="incompatible"):
        layer.apply({}, [jnp.ones((1, 2)), jnp.ones((1, 3))])
