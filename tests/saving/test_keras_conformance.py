"""Whole-model files move between jnn and Keras 3 (KERAS_BACKEND=jax), both directions."""

import numpy as np
import pytest

import jnn

pytestmark = [pytest.mark.conformance, pytest.mark.user_code]

RNG = np.random.default_rng(5)
IMAGES = RNG.normal(size=(3, 8, 8, 2)).astype(np.float32)
TOKENS = RNG.integers(1, 20, size=(3, 6)).astype(np.int32)
FEATURES = RNG.normal(size=(3, 4)).astype(np.float32)
SEQUENCES = RNG.normal(size=(2, 3, 2)).astype(np.float32)


def _cnn(lib):
    lay = lib.layers
    return lib.Sequential(
        [
            lib.Input((8, 8, 2)),
            lay.Conv2D(3, 3, activation="relu", padding="same"),
            lay.BatchNormalization(),
            lay.MaxPooling2D(2),
            lay.Flatten(),
            lay.Dropout(0.2),
            lay.Dense(2, activation="softmax"),
        ]
    )


def _shared_graph(lib):
    """Two inputs, a shared Dense applied three times, a masked branch, two outputs."""
    lay = lib.layers
    tokens = lib.Input((6,), dtype="int32", name="tokens")
    feats = lib.Input((4,), name="feats")
    # mask_zero: Keras 3 records the mask's `not_equal` op in the graph.
    pooled = lay.GlobalAveragePooling1D()(lay.Embedding(20, 3, mask_zero=True)(tokens))
    shared = lay.Dense(3, activation="tanh", name="shared")
    merged = lay.Concatenate()([shared(pooled), shared(lay.Dense(3)(feats))])
    main = lay.Dense(1, name="main")(lay.LayerNormalization()(merged))
    aux = lay.Add(name="aux")([shared(pooled), pooled])
    return lib.Model([tokens, feats], [main, aux])


def _attention_recurrent(lib):
    """Sub-layer weight groups: ``lstm/cell``, ``bidirectional/forward_layer/cell``,
    ``time_distributed/layer``, ``multi_head_attention/query_dense``..."""
    lay = lib.layers
    x = lib.Input((3, 2))
    att = lay.MultiHeadAttention(2, 3)(x, x)  # built by Keras only: jnn loads the file
    seq = lay.Bidirectional(lay.LSTM(2, return_sequences=True))(att)
    return lib.Model(x, lay.TimeDistributed(lay.Dense(1))(seq))


CASES = {
    "sequential": (_cnn, IMAGES),
    "functional_shared": (_shared_graph, [TOKENS, FEATURES]),
    "attention_recurrent": (_attention_recurrent, SEQUENCES),
}


def _outputs(model, x):
    # Eager calls: no compilation of a predict step on either side (keeps the test fast).
    out = model(x, training=False)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _compile(model, lib):
    loss = "mse" if len(model.outputs) == 1 else ["mse", "mse"]
    model.compile(optimizer=lib.optimizers.Adam(0.003), loss=loss)


@pytest.mark.parametrize(
    "kind",
    [pytest.param(k, marks=pytest.mark.slow) if k == "attention_recurrent" else k
     for k in sorted(CASES)],
)  # fmt: skip
def test_keras_file_loads_in_jnn_and_back(tmp_path, kind):
    keras = pytest.importorskip("keras")
    build, x = CASES[kind]
    kmodel = build(keras)
    _compile(kmodel, keras)
    kmodel.set_weights([RNG.normal(size=w.shape).astype(np.float32) * 0.5 + 0.1
                        for w in kmodel.weights])  # fmt: skip
    kpath = str(tmp_path / "k.keras")
    kmodel.save(kpath)
    # Keras 3 -> jnn: same predictions and compile configuration.
    model = jnn.models.load_model(kpath)
    for a, b in zip(_outputs(model, x), _outputs(kmodel, x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.learning_rate == pytest.approx(0.003)
    # jnn -> Keras 3: the file jnn writes for the loaded model loads back in Keras.
    jpath = str(tmp_path / "j.keras")
    model.save(jpath)
    back = keras.models.load_model(jpath)
    for a, b in zip(_outputs(back, x), _outputs(kmodel, x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert [la.name for la in back.layers] == [la.name for la in kmodel.layers]


def test_legacy_h5_both_ways(tmp_path):
    keras = pytest.importorskip("keras")
    kmodel = _cnn(keras)
    kpath = str(tmp_path / "k.h5")
    kmodel.save(kpath)
    model = jnn.models.load_model(kpath)
    np.testing.assert_allclose(_outputs(model, IMAGES)[0], _outputs(kmodel, IMAGES)[0],
                               rtol=1e-5, atol=1e-6)  # fmt: skip
    jpath = str(tmp_path / "j.h5")
    model.save(jpath)
    # Keras 3.15 cannot compile its own legacy files that name a loss by string: compile=False.
    back = keras.models.load_model(jpath, compile=False)
    np.testing.assert_allclose(_outputs(back, IMAGES)[0], _outputs(kmodel, IMAGES)[0],
                               rtol=1e-5, atol=1e-6)  # fmt: skip


# Constructor arguments for the layers that need some (the others use their defaults).
LAYER_ARGS = {
    "Dense": (3,), "Conv1D": (2, 3), "Conv2D": (2, 3), "Conv3D": (2, 3),
    "Conv1DTranspose": (2, 3), "Conv2DTranspose": (2, 3), "Conv3DTranspose": (2, 3),
    "SeparableConv1D": (2, 3), "SeparableConv2D": (2, 3), "DepthwiseConv1D": (3,),
    "DepthwiseConv2D": (3,), "Embedding": (10, 3), "LSTM": (2,), "GRU": (2,), "SimpleRNN": (2,),
    "Dropout": (0.5,), "SpatialDropout1D": (0.5,), "SpatialDropout2D": (0.5,),
    "SpatialDropout3D": (0.5,), "GaussianDropout": (0.5,), "GaussianNoise": (0.5,),
    "AlphaDropout": (0.5,), "Reshape": ((2, 2),), "Permute": ((2, 1),), "RepeatVector": (2,),
    "Activation": ("relu",), "MultiHeadAttention": (2, 4), "Rescaling": (0.5,),
    "CategoryEncoding": (3,), "AveragePooling1D": (2,), "AveragePooling2D": (2,),
    "AveragePooling3D": (2,), "Resizing": (4, 4), "CenterCrop": (2, 2), "Dot": (1,),
    "RandomRotation": (0.1,), "RandomZoom": (0.1,), "RandomTranslation": (0.1, 0.1),
}  # fmt: skip
_NOT_CONFIG_ONLY = {"Layer", "InputLayer", "Lambda", "Bidirectional", "TimeDistributed", "RNN",
                    "IntegerLookup", "StringLookup", "TextVectorization", "FlaxLayer"}  # fmt: skip


def test_every_shared_layer_config_crosses_both_ways():
    """Each jnn layer Keras 3 also has: jnn's config builds the Keras layer and back."""
    import inspect
    import json

    keras = pytest.importorskip("keras")
    crossed = []
    for name in jnn.layers.__all__:
        cls = getattr(jnn.layers, name)
        if not inspect.isclass(cls) or name in _NOT_CONFIG_ONLY or not hasattr(keras.layers, name):
            continue
        try:
            ours = cls(*LAYER_ARGS.get(name, ()))
        except (TypeError, ValueError):
            continue  # aliases and cells that need arguments: covered under their main name
        theirs = keras.saving.deserialize_keras_object(
            json.loads(json.dumps(jnn.saving.serialize_keras_object(ours)))
        )
        assert isinstance(theirs, getattr(keras.layers, name)), name
        back = jnn.saving.deserialize_keras_object(
            json.loads(json.dumps(keras.saving.serialize_keras_object(theirs)))
        )
        assert type(back) is type(ours), name
        crossed.append(name)
    assert len(crossed) >= 80
