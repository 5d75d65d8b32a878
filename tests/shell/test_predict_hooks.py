"""``on_predict_batch_begin`` / ``on_predict_batch_end`` fire once per batch, as in Keras 3."""

import numpy as np
import pytest

import jnn

pytestmark = [pytest.mark.conformance, pytest.mark.user_code]


def _recorder(base):
    class Recorder(base):
        def __init__(self):
            super().__init__()
            self.calls = []

        def on_predict_batch_begin(self, batch, logs=None):
            self.calls.append(("begin", batch))

        def on_predict_batch_end(self, batch, logs=None):
            self.calls.append(("end", batch, np.asarray(logs["outputs"]).shape))

    return Recorder()


@pytest.mark.parametrize("steps_per_execution", [1, 3, "auto"])
def test_predict_batch_hooks_match_keras(steps_per_execution):
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).normal(size=(10, 3)).astype("float32")
    km = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    jm = jnn.Sequential([jnn.layers.Dense(2, input_shape=(3,))])
    jm.compile(optimizer="sgd", loss="mse", steps_per_execution=steps_per_execution)
    jm.set_weights(km.get_weights())
    kr, jr = _recorder(keras.callbacks.Callback), _recorder(jnn.callbacks.Callback)
    expected = km.predict(x, batch_size=4, verbose=0, callbacks=[kr])
    got = jm.predict(x, batch_size=4, verbose=0, callbacks=[jr])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert jr.calls == kr.calls  # begin/end for batches 0, 1, 2; the last one has 2 rows
