"""``mixed_bfloat16`` end to end on the benchmark's model families (issue 21): a tiny
GPT-style decoder (causal MultiHeadAttention, LayerNorm, GELU MLP, residuals) and a ResNet-style
block (Conv-BatchNorm-ReLU, projection shortcut) train with bfloat16 compute, float32 variables
(BatchNorm's moving statistics included) and a finite, decreasing float32 loss."""

import numpy as np
import pytest

import jnn
from jnn import layers as L


@pytest.fixture
def mixed():
    jnn.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    jnn.mixed_precision.set_global_policy("float32")


def _gpt(t=8, d=16, vocab=32):
    tokens, positions = jnn.Input((t,), dtype="int32"), jnn.Input((t,), dtype="int32")
    h = L.Add()([L.Embedding(vocab, d)(tokens), L.Embedding(t, d)(positions)])
    a = L.LayerNormalization()(h)
    h = L.Add()([h, L.MultiHeadAttention(2, d // 2)(a, a, use_causal_mask=True)])
    f = L.LayerNormalization()(h)
    h = L.Add()([h, L.Dense(d)(L.Dense(4 * d, activation="gelu")(f))])
    logits = L.Activation("linear", dtype="float32")(L.Dense(vocab)(L.LayerNormalization()(h)))
    rng = np.random.default_rng(0)
    seq = rng.integers(0, vocab, (64, t + 1)).astype("int32")
    x = [seq[:, :-1], np.broadcast_to(np.arange(t, dtype="int32"), (64, t)).copy()]
    loss = jnn.losses.SparseCategoricalCrossentropy(from_logits=True)
    return [tokens, positions], h, logits, loss, x, seq[:, 1:]


def _resnet_block(size=8):
    image = jnn.Input((size, size, 3))
    y = L.ReLU()(L.BatchNormalization()(L.Conv2D(8, 3, padding="same")(image)))
    y = L.BatchNormalization()(L.Conv2D(8, 3, padding="same")(y))
    short = L.BatchNormalization()(L.Conv2D(8, 1)(image))
    h = L.ReLU()(L.Add()([y, short]))
    logits = L.Dense(2)(L.GlobalAveragePooling2D()(h))
    probs = L.Activation("softmax", dtype="float32")(logits)  # Keras's mixed-precision guide
    x = np.random.default_rng(0).random((64, size, size, 3), dtype=np.float32)
    y_true = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int32")
    return image, h, probs, "sparse_categorical_crossentropy", x, y_true


@pytest.mark.parametrize("build", [_gpt, _resnet_block], ids=["gpt", "resnet_block"])
def test_mixed_bfloat16_trains_end_to_end(mixed, build):
    inputs, hidden, outputs, loss, x, y = build()
    model = jnn.Model(inputs, outputs)
    probe = jnn.Model(inputs, hidden)  # the same layers: an inner activation
    model.compile(jnn.optimizers.Adam(1e-2), loss)
    history = model.fit(x, y, epochs=4, batch_size=16, verbose=0).history["loss"]
    assert np.all(np.isfinite(history)), history
    assert history[-1] < history[0], history
    assert {w.dtype for w in model.weights} == {np.dtype("float32")}
    assert {a.dtype for a in jnn.tree.flatten(model.variables_tree)} == {np.dtype("float32")}
    assert probe.apply(probe.variables_tree, x).dtype == np.dtype("bfloat16")
    assert model.apply(model.variables_tree, x).dtype == np.dtype("float32")
    assert all(layer.compute_dtype == "bfloat16" for layer in model.layers[len(
        model.inputs):-1] if layer.weights)
