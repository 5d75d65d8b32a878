"""Embedding: harness, lookups by hand, masks, out-of-range indices, Keras conformance."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.layers.embedding import Embedding
from tests.harness import assert_matches_keras, run_layer_test

TABLE = {"params": {"embeddings": jnp.arange(6.0).reshape(3, 2)}, "state": {}}


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 2)])
def test_embedding_harness(shape):
    result = run_layer_test(
        Embedding,
        {"input_dim": 10, "output_dim": 4, "mask_zero": True},
        shape,
        input_dtype="int32",
        expected_output_shape=shape + (4,),
        expected_param_names=["embeddings"],
        expected_num_params=40,
    )
    table = result.variables["params"]["embeddings"]
    assert float(jnp.max(jnp.abs(table))) <= 0.05  # RandomUniform(-0.05, 0.05)
    np.testing.assert_array_equal(result.outputs[False], table[np.asarray(result.inputs)])


def test_float_inputs_are_truncated_and_output_shape():
    layer = Embedding(3, 2)
    y, _ = layer.apply(TABLE, jnp.array([[0.7, 1.9, 2.2]]))
    np.testing.assert_array_equal(y, [[[0, 1], [2, 3], [4, 5]]])
    assert layer.compute_output_shape((None, 7)) == (None, 7, 2)


def test_out_of_range_indices_follow_keras_on_jax():
    y, _ = Embedding(3, 2).apply(TABLE, jnp.array([[-1, 3, 100]]))
    np.testing.assert_array_equal(y[0, 0], [4.0, 5.0])  # -1 wraps to the last row
    assert np.all(np.isnan(np.asarray(y[0, 1:])))  # beyond the table: NaN rows


def test_mask_zero_and_gradient_scatter():
    layer = Embedding(3, 2, mask_zero=True)
    x = jnp.array([[0, 2, 2]])
    np.testing.assert_array_equal(layer.compute_mask(x), [[False, True, True]])
    assert Embedding(3, 2).compute_mask(x) is None

    def loss(table):
        return jnp.sum(layer.apply({"params": {"embeddings": table}, "state": {}}, x)[0])

    grad = jax.grad(loss)(TABLE["params"]["embeddings"])
    np.testing.assert_array_equal(grad, [[1, 1], [0, 0], [2, 2]])


def test_keras2_input_length_and_weights():
    layer = Embedding(5, 3, input_length=7)
    assert layer._batch_input_shape == (None, 7)
    config = layer.get_config()
    assert Embedding.from_config(config).get_config() == config
    assert layer._initial_weights is None
    assert Embedding(3, 2, weights=np.ones((3, 2)))._initial_weights[0].shape == (3, 2)


def test_regularizer_constraint_and_bfloat16():
    layer = Embedding(4, 2, embeddings_regularizer="l2", embeddings_constraint="unit_norm")
    assert set(layer.weight_regularizers()) == {"embeddings"}
    assert set(layer.weight_constraints()) == {"embeddings"}
    mixed = Embedding(4, 2, dtype="mixed_bfloat16")
    v = mixed.init(jax.random.key(0))
    assert v["params"]["embeddings"].dtype == jnp.float32
    assert mixed.apply(v, jnp.array([1]))[0].dtype == jnp.bfloat16


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"input_dim": 0, "output_dim": 2}, "`input_dim` must be a positive int"),
        ({"input_dim": 3, "output_dim": 2.5}, "`output_dim` must be a positive int"),
        ({"input_dim": 3, "output_dim": 2, "mask_zero": 1}, "`mask_zero` must be a bool"),
        ({"input_dim": 3, "output_dim": 2, "lora_rank": 2}, "lora"),
        ({"input_dim": 3, "output_dim": 2, "embeddings_initializer": "nope"}, "nope"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Embedding(**kwargs)


@pytest.mark.conformance
def test_embedding_matches_keras():
    keras = pytest.importorskip("keras")
    x = jnp.array([[1, 0, 4], [3, 3, 2]])
    layer = Embedding(5, 3, mask_zero=True)
    kl = keras.layers.Embedding(5, 3, mask_zero=True)
    variables = assert_matches_keras(layer, kl, x)
    np.testing.assert_array_equal(layer.compute_mask(x), np.asarray(kl.compute_mask(x)))
    assert kl.count_params() == variables["params"]["embeddings"].size
    # Out-of-range and float indices agree too.
    odd = jnp.array([[-1.0, 2.6, 9.0]])
    np.testing.assert_array_equal(
        np.asarray(layer.apply(variables, odd)[0]), np.asarray(kl(np.asarray(odd)))
    )


@pytest.mark.conformance
def test_config_keys_match_keras():
    keras = pytest.importorskip("keras")
    theirs = keras.layers.Embedding(3, 2).get_config()
    ours = Embedding(3, 2).get_config()
    assert set(ours) == set(theirs)
    assert Embedding.from_config({**theirs, "dtype": None}).get_config()["input_dim"] == 3
