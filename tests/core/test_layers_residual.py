"""StochasticDepth and LayerScale (the layer zoo's ConvNeXt layers) against Keras 3's."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn import layers


@pytest.mark.conformance
def test_layer_scale_matches_keras(keras_module):
    from keras.src.applications.convnext import LayerScale as KerasLayerScale

    x = np.random.RandomState(0).normal(size=(2, 3, 4)).astype("float32")
    k = KerasLayerScale(0.25, 4)
    with jax.numpy_rank_promotion("allow"):        # Keras's call broadcasts its weight
        expected = np.asarray(k(x))
    j = layers.LayerScale(0.25, 4)
    got = np.asarray(j(x))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert [w.name for w in j.weights] == [w.name for w in k.weights] == ["variable"]
    assert j.get_config()["init_values"] == k.get_config()["init_values"]
    assert j.get_config()["projection_dim"] == k.get_config()["projection_dim"]
    clone = layers.LayerScale.from_config(j.get_config())
    assert clone.projection_dim == 4


def test_layer_scale_rejects_wrong_channels():
    layer = layers.LayerScale(1e-6, 8)
    with pytest.raises(ValueError, match="projection_dim=8"):
        layer.init(jax.random.key(0), jnp.zeros((1, 3)))
    with pytest.raises(ValueError, match="projection_dim"):
        layers.LayerScale(1e-6, 0)


def test_stochastic_depth_drops_whole_samples():
    layer = layers.StochasticDepth(0.5)
    x = jnp.ones((64, 3, 3, 2))
    same, _ = layer.apply({"params": {}, "state": {}}, x, training=False)
    np.testing.assert_array_equal(np.asarray(same), np.asarray(x))
    y, _ = layer.apply({"params": {}, "state": {}}, x, training=True, rng=jax.random.key(1))
    y = np.asarray(y)
    per_sample = y.reshape(64, -1)
    # Each sample is either dropped whole or kept whole and scaled by 1 / (1 - rate).
    assert set(np.unique(per_sample).tolist()) <= {0.0, 2.0}
    assert (per_sample.min(axis=1) == per_sample.max(axis=1)).all()
    assert 0 < (per_sample[:, 0] == 0).sum() < 64
    assert layers.StochasticDepth.from_config(layer.get_config()).drop_path_rate == 0.5
    with pytest.raises(ValueError, match="rate"):
        layers.StochasticDepth(1.5)


@pytest.mark.conformance
def test_stochastic_depth_inference_matches_keras(keras_module):
    from keras.src.applications.convnext import StochasticDepth as KerasStochasticDepth

    x = np.random.RandomState(0).normal(size=(4, 2, 2, 3)).astype("float32")
    np.testing.assert_array_equal(np.asarray(layers.StochasticDepth(0.3)(x)),
                                  np.asarray(KerasStochasticDepth(0.3)(x, training=False)))
