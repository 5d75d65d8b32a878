"""fit / evaluate numbers equal real Keras 3's for the same weights and data order."""

import numpy as np
import pytest

import jnn

# Keras itself relies on implicit rank promotion, so no strict rank check here.
pytestmark = [pytest.mark.conformance, pytest.mark.user_code]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _pair(keras, optimizer="sgd", **compile_kw):
    km = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                           keras.layers.Dense(2, activation="softmax")])
    km.compile(optimizer, "sparse_categorical_crossentropy", **compile_kw)
    jm = jnn.Sequential([jnn.layers.Dense(4, activation="relu", input_shape=(3,)),
                         jnn.layers.Dense(2, activation="softmax")])
    jm.compile(optimizer, "sparse_categorical_crossentropy", **compile_kw)
    jm.set_weights(km.get_weights())
    return km, jm


def _data(n=10):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, rng.integers(0, 2, n), rng.random(n).astype("float32")


def test_evaluate_with_padding_sample_and_weighted_metrics(keras):
    x, y, sw = _data()
    km, jm = _pair(keras, metrics=["accuracy"], weighted_metrics=["accuracy"])
    expected = km.evaluate(x, y, sample_weight=sw, batch_size=4, verbose=0, return_dict=True)
    got = jm.evaluate(x, y, sample_weight=sw, batch_size=4, verbose=0, return_dict=True)
    assert set(got) == set(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-6, err_msg=k)


@pytest.mark.parametrize("kind", ["plain", "sample_weight", "class_weight"])
def test_fit_history_and_weights_match(keras, kind):
    x, y, sw = _data(n=22)
    km, jm = _pair(keras, optimizer="sgd", metrics=["accuracy"])
    kw = {"sample_weight": sw} if kind == "sample_weight" else (
        {"class_weight": {0: 0.3, 1: 2.0}} if kind == "class_weight" else {})
    hk = km.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0, **kw)
    hj = jm.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0, **kw)
    for a, b in zip(km.get_weights(), jm.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(hj.history[key], hk.history[key], rtol=1e-5, err_msg=key)


def test_fit_with_adam_and_validation_split(keras):
    x, y, _ = _data(n=30)
    km, jm = _pair(keras, optimizer="adam", metrics=["accuracy"])
    hk = km.fit(x, y, epochs=2, batch_size=8, shuffle=False, validation_split=0.2, verbose=0)
    hj = jm.fit(x, y, epochs=2, batch_size=8, shuffle=False, validation_split=0.2, verbose=0)
    assert list(hj.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    for key in hk.history:
        np.testing.assert_allclose(hj.history[key], hk.history[key], rtol=1e-5, err_msg=key)
    for a, b in zip(km.get_weights(), jm.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_branching_functional_layer_and_weight_order_match_keras(keras):
    def build(L, Input, Model):
        a, b = Input((3,)), Input((4,))
        d2 = L.Dense(3)(L.Dense(2)(a))
        d3 = L.Dense(5)(b)
        d4 = L.Dense(1)(L.Concatenate()([d2, d3]))
        return Model([a, b], [d4, L.Dense(2)(d3)])

    km = build(keras.layers, keras.Input, keras.Model)
    jm = build(jnn.layers, jnn.Input, jnn.Model)
    assert [type(la).__name__ for la in jm.layers] == [type(la).__name__ for la in km.layers]
    assert [w.shape for w in jm.get_weights()] == [tuple(w.shape) for w in km.get_weights()]
    jm.set_weights(km.get_weights())
    xa, xb = np.ones((2, 3), np.float32), np.ones((2, 4), np.float32)
    for a, b in zip(jm.predict([xa, xb], verbose=0), km.predict([xa, xb], verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_batchnorm_dropout_fit_with_a_partial_last_batch_matches_keras(keras):
    # 22 samples at batch 4: the last batch has 2 rows. jnn pads it to 4 and masks; the padded
    # rows must stay out of BatchNormalization's batch statistics, as in Keras's smaller batch.
    x, y, _ = _data(n=22)
    km = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5),
                           keras.layers.BatchNormalization(), keras.layers.Activation("relu"),
                           keras.layers.Dropout(0.0), keras.layers.Dense(2, activation="softmax")])
    jm = jnn.Sequential([jnn.layers.Dense(5, input_shape=(3,)),
                         jnn.layers.BatchNormalization(), jnn.layers.Activation("relu"),
                         jnn.layers.Dropout(0.0), jnn.layers.Dense(2, activation="softmax")])
    for m in (km, jm):
        m.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    jm.set_weights(km.get_weights())
    hk = km.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    hj = jm.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(km.get_weights(), jm.get_weights()):  # moving stats included
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hj.history["loss"], hk.history["loss"], rtol=1e-5)
