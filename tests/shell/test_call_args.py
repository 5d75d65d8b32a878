"""Layers called with several tensors the Keras way: ``mha(query, value)``,
``mha(query, value, key)``, ``mha(query=q, value=v)`` and a Keras-style ``call(self, a, b)``,
eagerly, in functional graphs and inside subclassed models."""

import numpy as np
import pytest

import jnn
from jnn._core.layers.attention import MultiHeadAttention
from jnn._core.layers.embedding import Embedding

RNG = np.random.default_rng(0)
Q = RNG.standard_normal((2, 3, 8)).astype("float32")
V = RNG.standard_normal((2, 5, 6)).astype("float32")
K = RNG.standard_normal((2, 5, 4)).astype("float32")


@pytest.fixture(scope="module")
def mha():
    layer = MultiHeadAttention(num_heads=2, key_dim=4)
    layer([Q, V, K])  # builds the weights
    return layer


def test_eager_positional_and_keyword_forms_equal_the_list_form(mha):
    ref = np.asarray(mha([Q, V, K]))
    for out in (mha(Q, V, K), mha(Q, value=V, key=K), mha(query=Q, value=V, key=K)):
        np.testing.assert_array_equal(np.asarray(out), ref)
    with pytest.raises(TypeError, match="multiple values for argument 'value'"):
        mha(Q, V, value=V)
    with pytest.raises(ValueError, match="either in the inputs list"):
        mha([Q, V], V)


def test_functional_graph_records_every_tensor(mha):
    q, v, k = jnn.Input((3, 8)), jnn.Input((5, 6)), jnn.Input((5, 4))
    out = mha(q, v, k)
    model = jnn.Model([q, v, k], out)
    assert out.shape == (None, 3, 8)
    np.testing.assert_allclose(
        model.predict([Q, V, K], verbose=0), np.asarray(mha([Q, V, K])), atol=1e-6
    )
    with pytest.raises(ValueError, match="Graph disconnected"):
        jnn.Model(q, out)  # value and key are inputs of the graph too


def test_self_attention_with_padding_mask_in_a_subclassed_model():
    tokens = np.array([[1, 2, 0, 0], [3, 4, 5, 0]], "int32")

    class Encoder(jnn.Model):
        def __init__(self):
            super().__init__()
            self.emb = Embedding(8, 6, mask_zero=True)
            self.att = MultiHeadAttention(num_heads=2, key_dim=3)

        def call(self, x):
            h = self.emb(x)
            return self.att(h, h)

    model = Encoder()
    out = model.predict(tokens, verbose=0)
    # the same layers in a functional graph, where masks are known to propagate
    inp = jnn.Input((4,), dtype="int32")
    h = model.emb(inp)
    functional = jnn.Model(inp, model.att([h, h]))
    np.testing.assert_allclose(out, functional.predict(tokens, verbose=0), atol=1e-6)
    # the padding mask matters: changing a padded token's embedding changes nothing
    emb = np.array(model.emb.get_weights()[0])
    emb[0] += 1.0
    model.emb.set_weights([emb])
    np.testing.assert_allclose(model.predict(tokens, verbose=0)[:, :2], out[:, :2], atol=1e-5)


class Scale(jnn.layers.Layer):
    def call(self, inputs, scale):
        return inputs * scale


def test_keras_style_layer_with_two_tensor_arguments():
    a, b = np.ones((2, 3), "float32"), np.full((2, 3), 2.0, "float32")
    np.testing.assert_array_equal(Scale()(a, b), 2 * a)
    x, s = jnn.Input((3,)), jnn.Input((3,))
    model = jnn.Model([x, s], Scale()(x, s))
    np.testing.assert_array_equal(model.predict([a, 3 * b], verbose=0), 6 * a)
    with pytest.raises(TypeError, match="positional arguments"):
        Scale()(a, b, b)
