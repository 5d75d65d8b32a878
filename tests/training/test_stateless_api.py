"""Keras 3's stateless JAX training API (keras.io/guides/custom_train_step_in_jax), run fused.

Each pattern of the guide is written once, generically over the library, and trained in jnn and
in real Keras 3 from the same initial weights and data order: weights and logs must agree.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jnn

pytestmark = [pytest.mark.conformance, pytest.mark.user_code]


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _update_all(model, mv, loss, y, y_pred, sw):
    """The guide's metric loop over `self.metrics`."""
    new, logs = [], {}
    for metric in model.metrics:
        this = mv[len(new): len(new) + len(metric.variables)]
        if metric.name == "loss":
            this = metric.stateless_update_state(this, loss, sample_weight=sw)
        else:
            this = metric.stateless_update_state(this, y, y_pred, sample_weight=sw)
        logs[metric.name] = metric.stateless_result(this)
        new += this
    return logs, new


def guide_model(lib, traces=None):
    """The guide's first example: stateless_compute_loss, compiled loss and metrics."""

    class CustomModel(lib.Model):
        def compute_loss_and_updates(self, tv, ntv, mv, x, y, sw, training=False):
            y_pred, ntv = self.stateless_call(tv, ntv, x, training=training)
            loss, (tv, ntv, mv) = self.stateless_compute_loss(
                tv, ntv, mv, x=x, y=y, y_pred=y_pred, sample_weight=sw, training=training)
            return loss, (y_pred, ntv, mv)

        def train_step(self, state, data):
            if traces is not None:
                traces.append(1)
            tv, ntv, ov, mv = state
            x, y, sw = lib.utils.unpack_x_y_sample_weight(data)
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
            (loss, (y_pred, ntv, mv)), grads = grad_fn(tv, ntv, mv, x, y, sw, training=True)
            tv, ov = self.optimizer.stateless_apply(ov, grads, tv)
            logs, mv = _update_all(self, mv, loss, y, y_pred, sw)
            return logs, (tv, ntv, ov, mv)

        def test_step(self, state, data):
            x, y, sw = lib.utils.unpack_x_y_sample_weight(data)
            tv, ntv, mv = state
            y_pred, ntv = self.stateless_call(tv, ntv, x, training=False)
            loss, (tv, ntv, mv) = self.stateless_compute_loss(
                tv, ntv, mv, x=x, y=y, y_pred=y_pred, sample_weight=sw, training=False)
            logs, mv = _update_all(self, mv, loss, y, y_pred, sw)
            return logs, (tv, ntv, mv)

        def predict_step(self, state, data):
            tv, ntv = state
            x = data[0] if isinstance(data, tuple) else data
            y_pred, ntv = self.stateless_call(tv, ntv, x, training=False)
            return 2.0 * y_pred + 1.0, ntv

    inputs = lib.Input(shape=(6,))
    hidden = lib.layers.BatchNormalization()(lib.layers.Dense(5, activation="relu")(inputs))
    model = CustomModel(inputs, lib.layers.Dense(1)(hidden))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def lower_level_model(lib):
    """The guide's "going lower-level": no compiled loss, own trackers, `metrics` overridden."""

    class CustomModel(lib.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = lib.metrics.Mean(name="loss")
            self.mae_metric = lib.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = lib.losses.MeanSquaredError()

        def compute_loss_and_updates(self, tv, ntv, x, y, sw, training=False):
            y_pred, ntv = self.stateless_call(tv, ntv, x, training=training)
            return self.loss_fn(y, y_pred, sample_weight=sw), (y_pred, ntv)

        def train_step(self, state, data):
            tv, ntv, ov, mv = state
            x, y, sw = lib.utils.unpack_x_y_sample_weight(data)
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
            (loss, (y_pred, ntv)), grads = grad_fn(tv, ntv, x, y, sw, training=True)
            tv, ov = self.optimizer.stateless_apply(ov, grads, tv)
            n = len(self.loss_tracker.variables)
            lt = self.loss_tracker.stateless_update_state(mv[:n], loss, sample_weight=sw)
            mae = self.mae_metric.stateless_update_state(mv[n:], y, y_pred, sample_weight=sw)
            logs = {"loss": self.loss_tracker.stateless_result(lt),
                    "mae": self.mae_metric.stateless_result(mae)}
            return logs, (tv, ntv, ov, lt + mae)

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    inputs = lib.Input(shape=(6,))
    model = CustomModel(inputs=inputs, outputs=lib.layers.Dense(1)(inputs))
    model.compile(optimizer="adam")
    return model


def compute_loss_model(lib):
    """Only `compute_loss` overridden: Keras's default train_step calls it."""

    class CustomModel(lib.Model):
        def compute_loss(self, x, y, y_pred, sample_weight=None, training=True):
            return jnp.mean(jnp.abs(y_pred - y)) + 0.1 * jnp.mean(y_pred ** 2)

    inputs = lib.Input(shape=(6,))
    model = CustomModel(inputs, lib.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


def _data(n):
    rs = np.random.RandomState(0)
    return (rs.random_sample((n, 6)).astype("float32"),
            rs.random_sample((n, 1)).astype("float32"))


def _pair(keras, build):
    km, jm = build(keras), build(jnn)
    jm.set_weights(km.get_weights())
    return km, jm


def _close_weights(km, jm):
    for a, b in zip(km.get_weights(), jm.get_weights(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)


def _close_logs(expected, got):
    assert set(got) == set(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("build", [lower_level_model, compute_loss_model])
def test_guide_patterns_train_like_keras(keras, build):
    x, y = _data(44)  # 44 = 2 * 16 + 12: the partial last batch runs at its true size
    km, jm = _pair(keras, build)
    hk = km.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    hj = jm.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert sorted(hj.history) == sorted(hk.history)
    for k in hk.history:
        np.testing.assert_allclose(hj.history[k], hk.history[k], rtol=1e-5, atol=1e-6)
    _close_weights(km, jm)


def test_guide_model_fit_evaluate_predict_and_on_batch_like_keras(keras):
    """The guide's first example (plus BatchNormalization: non-trainable variables), its
    custom test_step and predict_step, validation, and train_on_batch — one pair of models
    and one batch size, so each library compiles few programs."""
    x, y = _data(48)  # full batches only (the other tests cover a partial last batch)
    km, jm = _pair(keras, guide_model)
    kw = dict(batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(x, y))
    hk, hj = km.fit(x, y, **kw), jm.fit(x, y, **kw)
    assert sorted(hj.history) == sorted(hk.history) == ["loss", "mae", "val_loss", "val_mae"]
    for k in hk.history:
        np.testing.assert_allclose(hj.history[k], hk.history[k], rtol=1e-5, atol=1e-6)
    _close_weights(km, jm)
    _close_logs(km.evaluate(x, y, batch_size=16, verbose=0, return_dict=True),
                jm.evaluate(x, y, batch_size=16, verbose=0, return_dict=True))
    np.testing.assert_allclose(jm.predict(x, batch_size=16, verbose=0),
                               km.predict(x, batch_size=16, verbose=0), rtol=1e-5, atol=1e-6)
    b = slice(0, 16)
    history = jm.history
    _close_logs(km.train_on_batch(x[b], y[b], return_dict=True),
                jm.train_on_batch(x[b], y[b], return_dict=True))
    assert jm.history is history
    _close_weights(km, jm)


def test_user_step_is_traced_once_and_runs_fused():
    traces = []
    model = guide_model(jnn, traces)
    x, y = _data(64)
    seen = []

    class Count(jnn.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((batch, logs["loss"]))

    model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[Count()])
    # 24 steps ran; the Python body ran once (one trace), inside one lax.scan per epoch.
    assert len(traces) == 1
    assert [b for b, _ in seen] == list(range(8)) * 3
    assert len({v for _, v in seen}) > 1  # each batch has its own logs
    assert model.optimizer.variables and int(model._train_state.step) == 24


def test_model_state_lists_are_keras_ordered(keras):
    km, jm = _pair(keras, guide_model)
    assert [w.shape for w in jm.trainable_variables] == [
        tuple(v.shape) for v in km.trainable_variables]
    assert [w.shape for w in jm.non_trainable_variables] == [
        tuple(v.shape) for v in km.non_trainable_variables]
    assert [m.name for m in jm.metrics] == [m.name for m in km.metrics]
    assert len(jm.metrics_variables) == len(km.metrics_variables)  # compiled ones build at fit


def test_keras2_train_step_signature_is_explained():
    class Old(jnn.Model):
        def train_step(self, data):
            return {}

    inputs = jnn.Input(shape=(2,))
    model = Old(inputs, jnn.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match=r"train_step\(self, state, data\)"):
        model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)


def test_subclass_constructed_functionally():
    class Custom(jnn.Model):
        pass

    inputs = jnn.Input(shape=(3,))
    outputs = jnn.layers.Dense(2)(inputs)
    class Builds(jnn.Model):  # builds its graph in __init__, then super().__init__(in, out)
        def __init__(self, units):
            x = jnn.Input(shape=(3,))
            super().__init__(x, jnn.layers.Dense(units)(x), name="builds")

    for model in (Custom(inputs, outputs), Custom(inputs=inputs, outputs=outputs), Builds(2)):
        assert isinstance(model, (Custom, Builds)) and type(model).__name__ in ("Custom", "Builds")
        assert model.count_params() == 8
        assert model.predict(np.ones((2, 3), np.float32), verbose=0).shape == (2, 2)


def test_optimizer_stateless_apply_standalone(keras):
    w = [np.ones((2, 2), np.float32), np.zeros((2,), np.float32)]
    g = [np.full((2, 2), 0.5, np.float32), np.ones((2,), np.float32)]
    kopt, jopt = keras.optimizers.Adam(0.1), jnn.optimizers.Adam(0.1)
    kvars = [keras.Variable(a) for a in w]
    kopt.build(kvars)
    jopt.build(w)
    ktv, kov = kopt.stateless_apply([v.value for v in kopt.variables], g, w)
    jtv, jov = jopt.stateless_apply(jopt.variables, g, w)
    for a, b in zip(ktv, jtv, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6)
    assert len(jov) == len(jopt.variables)


def test_class_weight_reaches_the_custom_step_as_sample_weight(keras):
    x, y = _data(20)
    km, jm = _pair(keras, compute_loss_model)
    for m in (km, jm):  # a weighted metric shows the class weights arrived
        m.compile(optimizer="sgd", loss="mse", weighted_metrics=["mae"])
    kw = dict(batch_size=8, epochs=1, shuffle=False, verbose=0, class_weight={0: 0.5, 1: 2.0})
    hk, hj = km.fit(x, y, **kw), jm.fit(x, y, **kw)
    for k in hk.history:
        np.testing.assert_allclose(hj.history[k], hk.history[k], rtol=1e-5, atol=1e-6)
    _close_weights(km, jm)


def test_training_loop_from_scratch_matches_keras(keras):
    """keras.io's "writing a training loop from scratch in JAX": stateless_call outside fit,
    a standalone optimizer, state as lists of arrays, assigned back at the end."""
    x, y = _data(16)

    def run(lib, model):
        loss_fn, opt = lib.losses.MeanSquaredError(), lib.optimizers.Adam(0.01)
        opt.build(model.trainable_variables)

        def compute(tv, ntv, x, y):
            y_pred, ntv = model.stateless_call(tv, ntv, x, training=True)
            return loss_fn(y, y_pred), ntv

        @jax.jit
        def step(state, x, y):
            tv, ntv, ov = state
            (loss, ntv), grads = jax.value_and_grad(compute, has_aux=True)(tv, ntv, x, y)
            tv, ov = opt.stateless_apply(ov, grads, tv)
            return loss, (tv, ntv, ov)

        state = tuple([getattr(v, "value", v) for v in vs] for vs in (
            model.trainable_variables, model.non_trainable_variables, opt.variables))
        losses = []
        for i in range(0, 16, 4):
            loss, state = step(state, x[i:i + 4], y[i:i + 4])
            losses.append(float(loss))
        for v, value in zip(model.trainable_variables, state[0]):
            v.assign(value)
        return losses

    km, jm = (lower_level_model(lib) for lib in (keras, jnn))
    jm.set_weights(km.get_weights())
    np.testing.assert_allclose(run(jnn, jm), run(keras, km), rtol=1e-5)
    _close_weights(km, jm)


def test_custom_step_on_a_pydataset_with_a_short_last_batch(keras):
    x, y = _data(28)

    def batches(lib):
        class Batches(lib.utils.PyDataset):
            def __len__(self):
                return 2

            def __getitem__(self, i):  # 16 rows, then 12
                return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

        return Batches()

    km, jm = _pair(keras, compute_loss_model)
    hk = km.fit(batches(keras), epochs=2, shuffle=False, verbose=0)
    hj = jm.fit(batches(jnn), epochs=2, shuffle=False, verbose=0)
    for k in hk.history:
        np.testing.assert_allclose(hj.history[k], hk.history[k], rtol=1e-5, atol=1e-6)
    _close_weights(km, jm)


def test_dropout_in_a_custom_step_draws_fresh_masks_each_step():
    class Noisy(jnn.Model):
        def train_step(self, state, data):
            tv, ntv, ov, mv = state
            y_pred, ntv = self.stateless_call(tv, ntv, data[0], training=True)
            code = jnp.sum(y_pred * np.arange(y_pred.size).reshape(y_pred.shape))  # mask id
            return {"out": code}, (tv, ntv, ov, mv)

    inputs = jnn.Input(shape=(16,))
    model = Noisy(inputs, jnn.layers.Dropout(0.5)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    seen = []
    cb = jnn.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs["out"]))
    x = np.ones((32, 16), np.float32)
    model.fit(x, x, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[cb])
    assert len(seen) == 8 and len(set(seen)) == 8  # same batch, a new mask at every step
