"""Metric subclasses written the Keras 3 way (add_variable / update_state with assign_add /
result / reset_state) run inside jnn's fused engine, with Keras 3 as the oracle."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jnn

# Keras's own layers broadcast biases (x @ w + b): user code, outside the strict rank rule.
pytestmark = pytest.mark.user_code


def _metric_class(lib, ops):
    class TruePositiveRate(lib.metrics.Metric):
        def __init__(self, name="tp_rate", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), initializer="zeros", name="tp")
            self.positives = self.add_weight(shape=(), initializer="zeros", name="pos")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = ops.cast(y_true, self.dtype)
            hit = ops.cast(ops.greater(y_pred, 0.5), self.dtype) * y_true
            if sample_weight is not None:
                w = ops.reshape(ops.cast(sample_weight, self.dtype), (-1, 1))
                hit, y_true = hit * w, y_true * w
            self.true_positives.assign_add(ops.sum(hit))
            self.positives.assign_add(ops.sum(y_true))

        def result(self):
            return self.true_positives / self.positives

        def reset_state(self):
            self.true_positives.assign(0.0)
            self.positives.assign(0.0)

    return TruePositiveRate


class _JnpOps:
    """The few keras.ops names the metric uses, on jax.numpy (jnn.ops is tested elsewhere)."""

    cast = staticmethod(lambda x, dtype: jnp.asarray(x).astype(dtype))
    greater = staticmethod(jnp.greater)
    reshape = staticmethod(jnp.reshape)
    sum = staticmethod(jnp.sum)


def _run(lib, ops, weights):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3)).astype(np.float32)  # 30 rows, batch 8: a partial last batch
    y = (rng.random((30, 1)) > 0.5).astype(np.float32)
    inp = lib.Input((3,))
    model = lib.Model(inp, lib.layers.Dense(1, activation="sigmoid")(inp))
    model.set_weights(weights)
    metric = _metric_class(lib, ops)()
    model.compile(lib.optimizers.SGD(0.5), "binary_crossentropy", metrics=[metric])
    hist = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    ev = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    standalone = _metric_class(lib, ops)()
    standalone.update_state(y, rng.random((30, 1)).astype(np.float32))
    value = float(standalone.result())
    standalone.reset_state()
    return (model.get_weights(), hist.history["tp_rate"], ev["tp_rate"], value,
            float(standalone.result() if lib is not jnn else standalone.positives.numpy()),
            [v.path for v in standalone.variables])


@pytest.mark.conformance
def test_keras_style_metric_in_fit_and_evaluate_equals_keras():
    keras = pytest.importorskip("keras")
    inp = keras.Input((3,))  # both start from the same initial weights
    init_model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(inp))
    w0 = init_model.get_weights()
    w_keras, h_keras, ev_keras, v_keras, _, paths_keras = _run(keras, keras.ops, w0)
    w_jnn, h_jnn, ev_jnn, v_jnn, reset, paths_jnn = _run(jnn, _JnpOps, w0)
    np.testing.assert_allclose(h_jnn, h_keras, rtol=1e-5)
    np.testing.assert_allclose(ev_jnn, ev_keras, rtol=1e-5)
    np.testing.assert_allclose(v_jnn, v_keras, rtol=1e-6)
    for a, b in zip(w_jnn, w_keras):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert reset == 0.0
    assert paths_jnn == paths_keras == ["tp_rate/tp", "tp_rate/pos"]


def test_keras_style_metric_is_a_pure_state_under_jit():
    metric = _metric_class(jnn, _JnpOps)()
    state = metric.init()
    assert sorted(state) == ["pos", "tp"]
    update = jax.jit(metric.update)
    y_true = jnp.array([[1.0], [1.0], [0.0]])
    state = update(state, y_true, jnp.array([[0.9], [0.2], [0.8]]))
    state = update(state, y_true, jnp.array([[0.9], [0.7], [0.8]]))
    assert float(metric.result(state)) == pytest.approx(3 / 4)
    # the traced update wrote nothing into the metric's own variables
    assert float(metric.true_positives.numpy()) == 0.0
    # Keras 3's stateless protocol sees the same state
    mv = metric.stateless_reset_state()
    mv = metric.stateless_update_state(mv, y_true, jnp.array([[0.9], [0.2], [0.8]]))
    assert float(metric.stateless_result(mv)) == pytest.approx(0.5)


def test_metric_add_variable_errors_are_clear():
    class Twice(jnn.metrics.Metric):
        def __init__(self):
            super().__init__(name="twice")
            self.a = self.add_variable((), "zeros", name="a")
            self.b = self.add_variable((), "zeros", name="a")

        def update_state(self, values):
            self.a.assign_add(jnp.sum(values))

        def result(self):
            return self.a.value

    with pytest.raises(ValueError, match="twice"):
        Twice()
