"""compile / fit / evaluate / predict against Keras semantics (real Keras 3 as the oracle)."""

import jax
import numpy as np
import pytest

import jnn
from jnn import layers

RNG = np.random.default_rng(0)
X10 = RNG.normal(size=(10, 3)).astype(np.float32)
Y10_CLS = np.array([0, 1, 2, 1, 0, 2, 2, 1, 0, 1], np.int32)
SW10 = RNG.uniform(0.1, 2.0, size=(10,)).astype(np.float32)
YREG = RNG.normal(size=(10, 2)).astype(np.float32)
CLASS_WEIGHT = {0: 1.0, 1: 2.0, 2: 0.5}


# --- helpers -----------------------------------------------------------------------------------


def _jnn_classifier():
    return jnn.Sequential(
        [
            layers.Dense(4, activation="tanh", input_shape=(3,)),
            layers.Dense(3, activation="softmax"),
        ]
    )


def _keras_classifier(keras):
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )


def _copy_keras_weights(keras_model, jnn_model):
    """Copies weights layer by layer, matched by weight name (independent of list order)."""
    for kl, jl in zip(keras_model.layers, jnn_model.layers):
        by_name = {v.name: np.asarray(v) for v in kl.weights}
        for w in jl.weights:
            w.assign(by_name[w.name])


def _keras_call(fn, *args, **kwargs):
    """Runs a Keras method; Keras relies on implicit rank promotion, which our tests forbid."""
    with jax.numpy_rank_promotion("allow"):
        return fn(*args, **kwargs)


def _assert_same_weights(keras_model, jnn_model, atol=1e-5):
    for kl, jl in zip(keras_model.layers, jnn_model.layers):
        by_name = {v.name: np.asarray(v) for v in kl.weights}
        for w in jl.weights:
            np.testing.assert_allclose(w.numpy(), by_name[w.name], atol=atol, err_msg=w.path)


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


@pytest.fixture(scope="module")
def pair(keras):
    """A Keras classifier and a jnn twin with the same initial weights (both SGD-compiled)."""
    k = _keras_classifier(keras)
    j = _jnn_classifier()
    _copy_keras_weights(k, j)
    k.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    j.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    initial = k.get_weights()
    return k, j, initial


def _reset(pair_):
    k, j, initial = pair_
    k.set_weights(initial)
    _copy_keras_weights(k, j)
    return k, j


def _sparse_ce(probs, y):
    return -np.log(np.clip(probs[np.arange(len(y)), y], 1e-7, 1.0))


# --- History -----------------------------------------------------------------------------------


def test_history_keys_params_epoch():
    model = jnn.Sequential([layers.Dense(2, input_dim=3)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    hist = model.fit(X10, YREG, epochs=3, batch_size=4, validation_split=0.2, verbose=0)
    assert set(hist.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert all(len(v) == 3 for v in hist.history.values())
    assert hist.epoch == [0, 1, 2]
    assert hist.params == {"verbose": 0, "epochs": 3, "steps": 2}
    assert model.history is hist
    assert hist.model is model


def test_loss_decreases_on_easy_problem():
    x = RNG.normal(size=(64, 2)).astype(np.float32)
    y = x @ np.array([[2.0], [-3.0]], np.float32) + 1.0
    model = jnn.Sequential([layers.Dense(1, input_dim=2)])
    model.compile(optimizer=jnn.optimizers.Adam(learning_rate=0.1), loss="mse")
    losses = model.fit(x, y, epochs=40, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.05 * losses[0]
    kernel = model.layers[0].kernel.numpy()
    np.testing.assert_allclose(kernel[:, 0], [2.0, -3.0], atol=0.2)


# --- validation --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frozen_linear():
    """Dense(1) with zero weights and a zero learning rate: predictions are always 0."""
    model = jnn.Sequential([layers.Dense(1, input_dim=3)])
    model.set_weights([np.zeros(w.shape, np.float32) for w in model.get_weights()])
    model.compile(optimizer=jnn.optimizers.SGD(learning_rate=0.0), loss="mse")
    return model


def test_validation_split_takes_the_last_fraction(frozen_linear):
    y = np.zeros((10, 1), np.float32)
    y[8:] = 10.0  # only the last 20% differ
    hist = frozen_linear.fit(X10, y, epochs=1, batch_size=4, validation_split=0.2, verbose=0)
    assert hist.history["loss"][0] == pytest.approx(0.0)
    assert hist.history["val_loss"][0] == pytest.approx(100.0)


def test_validation_split_is_taken_before_shuffling(frozen_linear):
    y = np.zeros((10, 1), np.float32)
    y[7:] = 2.0
    hist = frozen_linear.fit(
        X10, y, epochs=3, batch_size=4, validation_split=0.3, shuffle=True, verbose=0
    )
    assert hist.history["val_loss"] == pytest.approx([4.0] * 3)
    assert hist.history["loss"] == pytest.approx([0.0] * 3)


def test_validation_data_two_and_three_tuples(frozen_linear):
    xv = X10[:5]
    yv = np.arange(5, dtype=np.float32).reshape(5, 1)
    swv = np.array([1.0, 0.0, 2.0, 0.5, 1.0], np.float32)
    h2 = frozen_linear.fit(X10, YREG[:, :1], epochs=1, validation_data=(xv, yv), verbose=0)
    assert h2.history["val_loss"][0] == pytest.approx(np.mean(yv**2))
    h3 = frozen_linear.fit(X10, YREG[:, :1], epochs=1, validation_data=(xv, yv, swv), verbose=0)
    # Keras's sum_over_batch_size: weighted sum divided by the number of samples.
    want = np.sum(swv * yv[:, 0] ** 2) / 5
    assert h3.history["val_loss"][0] == pytest.approx(want, rel=1e-6)


def test_class_weight_rounds_soft_binary_targets(frozen_linear):
    y = np.array([0.1, 0.9, 0.2, 0.8, 0.6, 0.4, 0.0, 1.0, 0.7, 0.3], np.float32).reshape(10, 1)
    hist = frozen_linear.fit(X10, y, epochs=1, class_weight={0: 1.0, 1: 10.0}, verbose=0)
    weights = np.where(y[:, 0] >= 0.5, 10.0, 1.0)
    want = np.sum(weights * y[:, 0] ** 2) / 10  # predictions are 0
    assert hist.history["loss"][0] == pytest.approx(want, rel=1e-6)


# --- padding of the last batch -----------------------------------------------------------------


def test_evaluate_with_padded_last_batch_is_mean_over_all_samples(pair):
    _, j = _reset(pair)
    probs = j.predict(X10, verbose=0)
    want = _sparse_ce(probs, Y10_CLS).mean()
    got = j.evaluate(X10, Y10_CLS, batch_size=4, verbose=0)
    assert got == pytest.approx(want, rel=1e-5)
    # sample-weighted: sum(w * l) / N with the same padding
    want_w = np.sum(SW10 * _sparse_ce(probs, Y10_CLS)) / 10
    got_w = j.evaluate(X10, Y10_CLS, batch_size=4, sample_weight=SW10, verbose=0)
    assert got_w == pytest.approx(want_w, rel=1e-5)


@pytest.mark.conformance
def test_evaluate_padded_batch_matches_keras(pair):
    k, j = _reset(pair)
    for sw in (None, SW10):
        want = _keras_call(k.evaluate, X10, Y10_CLS, batch_size=4, sample_weight=sw, verbose=0)
        got = j.evaluate(X10, Y10_CLS, batch_size=4, sample_weight=sw, verbose=0)
        assert got == pytest.approx(want, rel=1e-5)
    # a metric over padded batches: accuracy over all 10 samples
    for m in (k, j):
        m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    try:
        want = _keras_call(k.evaluate, X10, Y10_CLS, batch_size=4, verbose=0, return_dict=True)
        got = j.evaluate(X10, Y10_CLS, batch_size=4, verbose=0, return_dict=True)
    finally:
        for m in (k, j):
            m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert got["accuracy"] == pytest.approx(want["accuracy"], rel=1e-6)
    probs = j.predict(X10, verbose=0)
    assert got["accuracy"] == pytest.approx(np.mean(probs.argmax(-1) == Y10_CLS), rel=1e-6)


@pytest.mark.conformance
def test_fit_padded_batches_two_epochs_matches_keras_weights(pair):
    k, j = _reset(pair)
    hk = _keras_call(k.fit, X10, Y10_CLS, batch_size=4, epochs=2, shuffle=False, verbose=0)
    hj = j.fit(X10, Y10_CLS, batch_size=4, epochs=2, shuffle=False, verbose=0)
    _assert_same_weights(k, j, atol=1e-5)
    np.testing.assert_allclose(hj.history["loss"], hk.history["loss"], rtol=1e-5)


def _regularized_pair(keras, **kwargs):
    k = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, **kwargs)])
    j = jnn.Sequential([layers.Dense(2, input_dim=3, **kwargs)])
    _copy_keras_weights(k, j)
    for m in (k, j):
        m.compile(optimizer="sgd", loss="mse")
    return k, j


@pytest.mark.conformance
def test_kernel_regularizer_loss_matches_keras(keras):
    k, j = _regularized_pair(keras, kernel_regularizer="l2")
    want = _keras_call(k.evaluate, X10, YREG, batch_size=4, verbose=0)
    assert j.evaluate(X10, YREG, batch_size=4, verbose=0) == pytest.approx(want, rel=1e-6)
    hk = _keras_call(k.fit, X10, YREG, batch_size=4, epochs=2, shuffle=False, verbose=0)
    hj = j.fit(X10, YREG, batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(hj.history["loss"], hk.history["loss"], rtol=1e-5)
    _assert_same_weights(k, j)


@pytest.mark.conformance
def test_activity_regularizer_on_padded_batch_matches_keras(keras):
    k, j = _regularized_pair(keras, activity_regularizer="l1")
    want = _keras_call(k.evaluate, X10, YREG, batch_size=4, verbose=0)
    assert j.evaluate(X10, YREG, batch_size=4, verbose=0) == pytest.approx(want, rel=1e-6)


@pytest.mark.conformance
def test_sample_weight_fit_matches_keras(pair):
    k, j = _reset(pair)
    hk = _keras_call(
        k.fit, X10, Y10_CLS, sample_weight=SW10, batch_size=4, epochs=2, shuffle=False, verbose=0
    )
    hj = j.fit(X10, Y10_CLS, sample_weight=SW10, batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(hj.history["loss"], hk.history["loss"], rtol=1e-5)
    _assert_same_weights(k, j, atol=1e-5)


@pytest.mark.conformance
def test_class_weight_fit_matches_keras(pair):
    k, j = _reset(pair)
    kw = dict(batch_size=4, epochs=2, shuffle=False, verbose=0, class_weight=CLASS_WEIGHT)
    hk = _keras_call(k.fit, X10, Y10_CLS, **kw)
    hj = j.fit(X10, Y10_CLS, **kw)
    np.testing.assert_allclose(hj.history["loss"], hk.history["loss"], rtol=1e-5)
    _assert_same_weights(k, j, atol=1e-5)


def test_class_weight_equals_per_sample_weights(pair):
    _, j = _reset(pair)
    lr0 = dict(batch_size=4, epochs=1, shuffle=False, verbose=0)
    j.compile(
        optimizer=jnn.optimizers.SGD(learning_rate=0.0), loss="sparse_categorical_crossentropy"
    )
    try:
        a = j.fit(X10, Y10_CLS, class_weight=CLASS_WEIGHT, **lr0).history["loss"][0]
        sw = np.array([CLASS_WEIGHT[int(c)] for c in Y10_CLS], np.float32)
        b = j.fit(X10, Y10_CLS, sample_weight=sw, **lr0).history["loss"][0]
        probs = j.predict(X10, verbose=0)
        want = np.sum(sw * _sparse_ce(probs, Y10_CLS)) / 10
    finally:
        j.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert a == pytest.approx(b, rel=1e-6)
    assert a == pytest.approx(want, rel=1e-5)


@pytest.mark.conformance
def test_plain_metrics_ignore_sample_weight_like_keras(keras):
    k = _keras_classifier(keras)
    j = _jnn_classifier()
    _copy_keras_weights(k, j)
    for m in (k, j):
        m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    want = _keras_call(k.evaluate, X10, Y10_CLS, sample_weight=SW10, return_dict=True, verbose=0)
    got = j.evaluate(X10, Y10_CLS, sample_weight=SW10, return_dict=True, verbose=0)
    assert got["accuracy"] == pytest.approx(want["accuracy"], rel=1e-6)
    assert got["loss"] == pytest.approx(want["loss"], rel=1e-5)


@pytest.mark.conformance
def test_weighted_metrics_like_keras(keras):
    k = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    j = jnn.Sequential([layers.Dense(2, input_dim=3)])
    _copy_keras_weights(k, j)
    for m in (k, j):
        m.compile(optimizer="sgd", loss="mse", metrics=["mae"], weighted_metrics=["mae"])
    want = _keras_call(k.evaluate, X10, YREG, sample_weight=SW10, return_dict=True, verbose=0)
    got = j.evaluate(X10, YREG, sample_weight=SW10, return_dict=True, verbose=0)
    assert list(got) == ["loss", "mae", "weighted_mae"]
    for name in want:
        assert got[name] == pytest.approx(want[name], rel=1e-5), name
    pred = j.predict(X10, verbose=0)
    err = np.abs(pred - YREG).mean(axis=-1)
    assert got["mae"] == pytest.approx(err.mean(), rel=1e-5)
    assert got["weighted_mae"] == pytest.approx(np.sum(SW10 * err) / np.sum(SW10), rel=1e-5)


# --- execution modes give the same numbers -------------------------------------------------------


def _train_momentum(model, initial, shuffle=False, **compile_kwargs):
    model.set_weights(initial)
    opt = jnn.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    model.compile(optimizer=opt, loss="mse", **compile_kwargs)
    # 10 samples, batch 3: four steps per epoch, the last one padded; with
    # steps_per_execution=3 the second chunk is padded with an empty step
    hist = model.fit(X10, YREG, batch_size=3, epochs=2, shuffle=shuffle, verbose=0)
    return model.get_weights(), hist.history["loss"]


@pytest.fixture(scope="module")
def momentum_reference():
    """SGD with momentum (optimizer state crosses chunk boundaries), default 'auto' execution."""
    model = jnn.Sequential([layers.Dense(3, activation="tanh", input_dim=3), layers.Dense(2)])
    initial = model.get_weights()
    return (model, initial) + _train_momentum(model, initial)


@pytest.mark.parametrize(
    "options",
    [{"run_eagerly": True}, {"steps_per_execution": 1}, {"steps_per_execution": 3}],
    ids=["run_eagerly", "spe1", "spe3"],
)
def test_execution_modes_give_the_same_weights(momentum_reference, options):
    model, initial, ref_w, ref_loss = momentum_reference
    got_w, got_loss = _train_momentum(model, initial, **options)
    for a, b in zip(got_w, ref_w):
        np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(got_loss, ref_loss, rtol=1e-6)


def test_shuffle_changes_the_batches(momentum_reference):
    model, initial, ref_w, _ = momentum_reference
    shuffled_w, _ = _train_momentum(model, initial, shuffle=True)
    assert any(not np.allclose(a, b, atol=1e-6) for a, b in zip(shuffled_w, ref_w))


# --- compiled-function cache ----------------------------------------------------------------------


def test_no_recompilation_after_first_fit():
    model = jnn.Sequential([layers.Dense(4, activation="relu", input_dim=3), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(X10, YREG, batch_size=4, epochs=1, validation_data=(X10, YREG), verbose=0)
    after_fit = model._engine.trace_count
    assert after_fit >= 1
    # evaluate on data shaped like the validation data reuses fit's compiled evaluation
    model.evaluate(X10, YREG, batch_size=4, verbose=0)
    assert model._engine.trace_count == after_fit
    model.predict(X10, batch_size=4, verbose=0)
    count = model._engine.trace_count
    compiles = []

    def listener(event, duration, **kwargs):
        if "backend_compile" in event:
            compiles.append(event)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        model.fit(X10 + 1, YREG, batch_size=4, epochs=2, validation_data=(X10, YREG), verbose=0)
        model.evaluate(X10 - 1, YREG, batch_size=4, verbose=0)
        model.predict(X10 * 2, batch_size=4, verbose=0)
        assert compiles == []
        jax.jit(lambda a: a * 3 + 1)(X10)  # a fresh function: the listener does see compiles
        assert compiles
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert model._engine.trace_count == count


# --- evaluate / predict return values -------------------------------------------------------------


@pytest.fixture(scope="module")
def reg_model():
    model = jnn.Sequential([layers.Dense(2, input_dim=3)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_evaluate_return_types(reg_model):
    reg_model.compile(optimizer="sgd", loss="mse")
    scalar = reg_model.evaluate(X10, YREG, verbose=0)
    assert isinstance(scalar, float)
    pred = reg_model.predict(X10, verbose=0)
    assert scalar == pytest.approx(np.mean((pred - YREG) ** 2), rel=1e-5)
    reg_model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    both = reg_model.evaluate(X10, YREG, verbose=0)
    assert isinstance(both, list) and len(both) == 2
    assert both[1] == pytest.approx(np.mean(np.abs(pred - YREG)), rel=1e-5)
    as_dict = reg_model.evaluate(X10, YREG, verbose=0, return_dict=True)
    assert list(as_dict) == ["loss", "mae"]
    assert as_dict["loss"] == pytest.approx(both[0])
    assert reg_model.metrics_names == ["loss", "mae"]


@pytest.mark.parametrize("batch_size", [1, 3, 4, 7, 10, 32])
def test_predict_shapes_for_any_batch_size(reg_model, batch_size):
    out = reg_model.predict(X10, batch_size=batch_size, verbose=0)
    assert isinstance(out, np.ndarray)
    assert out.shape == (10, 2)
    k, b = reg_model.layers[0].kernel.numpy(), reg_model.layers[0].bias.numpy()
    np.testing.assert_allclose(out, X10 @ k + b, atol=1e-5)


def test_train_test_predict_on_batch(reg_model):
    reg_model.compile(optimizer="sgd", loss="mse")
    before = reg_model.get_weights()
    pred = reg_model.predict_on_batch(X10)
    assert isinstance(pred, np.ndarray) and pred.shape == (10, 2)
    np.testing.assert_allclose(pred, reg_model.predict(X10, verbose=0), atol=1e-6)
    test_loss = reg_model.test_on_batch(X10, YREG)
    assert test_loss == pytest.approx(np.mean((pred - YREG) ** 2), rel=1e-5)
    train_loss = reg_model.train_on_batch(X10, YREG)
    # the returned loss is the loss before the update (Keras), and weights changed
    assert train_loss == pytest.approx(test_loss, rel=1e-5)
    assert any(not np.allclose(a, b) for a, b in zip(reg_model.get_weights(), before))
    assert reg_model.test_on_batch(X10, YREG) < test_loss
    as_dict = reg_model.test_on_batch(X10, YREG, return_dict=True)
    assert list(as_dict) == ["loss"]


def test_pandas_dataframe_and_list_of_lists(reg_model):
    pd = pytest.importorskip("pandas")
    reg_model.compile(optimizer="sgd", loss="mse")
    df = pd.DataFrame(X10, columns=["a", "b", "c"])
    ydf = pd.DataFrame(YREG)
    want = reg_model.predict(X10, verbose=0)
    np.testing.assert_allclose(reg_model.predict(df, verbose=0), want, atol=1e-6)
    rows = X10.astype(float).tolist()
    np.testing.assert_allclose(reg_model.predict(rows, verbose=0), want, atol=1e-5)
    assert reg_model.evaluate(df, ydf, verbose=0) == pytest.approx(
        reg_model.evaluate(X10, YREG, verbose=0), rel=1e-6
    )
    hist = reg_model.fit(df, ydf, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])


# --- multi-output and dict I/O ------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_output_model():
    jnn.backend.clear_session()
    inp = jnn.Input(shape=(3,), name="features")
    hidden = layers.Dense(4, activation="tanh")(inp)  # dense
    a = layers.Dense(2)(hidden)  # dense_1
    b = layers.Dense(1)(hidden)  # dense_2
    return jnn.Model(inp, [a, b])


def test_multi_output_loss_weights_and_log_names(two_output_model):
    model = two_output_model
    assert model.output_names == ["dense_1", "dense_2"]
    y1, y2 = YREG, YREG[:, :1] * 3
    model.compile(optimizer="sgd", loss=["mse", "mae"], loss_weights=[1.0, 0.5])
    logs = model.evaluate(X10, [y1, y2], batch_size=4, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "dense_1_loss", "dense_2_loss"}
    p1, p2 = model.predict(X10, verbose=0)
    mse = np.mean((p1 - y1) ** 2)
    mae = np.mean(np.abs(p2 - y2))
    assert logs["dense_1_loss"] == pytest.approx(mse, rel=1e-5)
    assert logs["dense_2_loss"] == pytest.approx(mae, rel=1e-5)
    assert logs["loss"] == pytest.approx(mse + 0.5 * mae, rel=1e-5)
    values = model.evaluate(X10, [y1, y2], verbose=0)
    assert values == pytest.approx([logs["loss"], logs["dense_1_loss"], logs["dense_2_loss"]])
    hist = model.fit(X10, [y1, y2], epochs=1, batch_size=4, verbose=0)
    assert set(hist.history) == {"loss", "dense_1_loss", "dense_2_loss"}


def test_multi_output_dict_losses_targets_and_loss_weights(two_output_model):
    model = two_output_model
    y = {"dense_1": YREG, "dense_2": YREG[:, :1]}
    model.compile(
        optimizer="sgd",
        loss={"dense_1": "mse", "dense_2": "mse"},
        loss_weights={"dense_1": 0.0, "dense_2": 2.0},
    )
    logs = model.evaluate(X10, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(2.0 * logs["dense_2_loss"], rel=1e-6)


@pytest.mark.conformance
def test_multi_output_matches_keras(two_output_model, keras):
    j = two_output_model
    inp = keras.Input((3,), name="features")
    h = keras.layers.Dense(4, activation="tanh", name="dense")(inp)
    k = keras.Model(
        inp, [keras.layers.Dense(2, name="dense_1")(h), keras.layers.Dense(1, name="dense_2")(h)]
    )
    _copy_keras_weights(k, j)
    y = [YREG, YREG[:, :1]]
    for m in (k, j):
        m.compile(
            optimizer="sgd",
            loss=["mse", "mae"],
            loss_weights=[1.0, 0.3],
            metrics=[["mae"], ["mse"]],
        )
    want = _keras_call(k.evaluate, X10, y, batch_size=4, verbose=0, return_dict=True)
    got = j.evaluate(X10, y, batch_size=4, verbose=0, return_dict=True)
    assert set(got) == set(want)
    for name in want:
        assert got[name] == pytest.approx(want[name], rel=1e-5), name
    # the list form is ordered as Keras orders it: loss, per-output losses, then metrics
    want_list = _keras_call(k.evaluate, X10, y, batch_size=4, verbose=0)
    got_list = j.evaluate(X10, y, batch_size=4, verbose=0)
    np.testing.assert_allclose(got_list, want_list, rtol=1e-5)
    # one sample-weight array per output
    sws = [SW10, SW10[::-1].copy()]
    want = _keras_call(
        k.evaluate, X10, y, sample_weight=sws, batch_size=4, verbose=0, return_dict=True
    )
    got = j.evaluate(X10, y, sample_weight=sws, batch_size=4, verbose=0, return_dict=True)
    for name in ("loss", "dense_1_loss", "dense_2_loss"):
        assert got[name] == pytest.approx(want[name], rel=1e-5), name


def test_dict_inputs_and_outputs_by_name():
    ia = jnn.Input(shape=(2,), name="a")
    ib = jnn.Input(shape=(1,), name="b")
    merged = layers.Dense(3)(ia) + layers.Dense(3)(ib)
    outputs = {
        "score": layers.Dense(1, name="score")(merged),
        "label": layers.Dense(2, name="label")(merged),
    }
    model = jnn.Model({"a": ia, "b": ib}, outputs)
    x = {"a": X10[:, :2], "b": X10[:, 2:]}
    pred = model.predict(x, verbose=0)
    assert isinstance(pred, dict) and set(pred) == {"score", "label"}
    assert pred["score"].shape == (10, 1) and pred["label"].shape == (10, 2)
    model.compile(optimizer="sgd", loss={"score": "mse", "label": "mse"})
    y = {"label": YREG, "score": YREG[:, :1]}
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["score_loss"] == pytest.approx(np.mean((pred["score"] - y["score"]) ** 2), rel=1e-5)
    assert logs["label_loss"] == pytest.approx(np.mean((pred["label"] - y["label"]) ** 2), rel=1e-5)
    # dict keys are matched by name, not by order
    swapped = model.predict({"b": x["b"], "a": x["a"]}, verbose=0)
    np.testing.assert_allclose(swapped["score"], pred["score"], atol=1e-6)
    hist = model.fit(x, y, epochs=1, verbose=0)
    assert {"loss", "score_loss", "label_loss"} <= set(hist.history)


def test_on_batch_results_are_per_batch_not_accumulated(frozen_linear):
    """As in Keras 3, each *_on_batch call reports only its own batch."""
    ya = np.full((5, 1), 2.0, np.float32)
    yb = np.full((5, 1), 4.0, np.float32)
    assert frozen_linear.train_on_batch(X10[:5], ya) == pytest.approx(4.0)
    assert frozen_linear.train_on_batch(X10[5:], yb) == pytest.approx(16.0)
    assert frozen_linear.test_on_batch(X10[:5], ya) == pytest.approx(4.0)
    assert frozen_linear.test_on_batch(X10[5:], yb) == pytest.approx(16.0)
