"""compile(optimizer=<optax>): chains, MultiSteps, contrib optimizers, logged learning rate."""

import numpy as np
import optax
import pytest

import jnn

X = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
Y = (X @ np.array([[1.0], [-1.0], [0.5]], "float32") + 0.25).astype("float32")


def _fit(optimizer, batch_size, epochs=1):
    model = jnn.Sequential([jnn.Input(shape=(3,)), jnn.layers.Dense(1)])
    model.set_weights([np.full((3, 1), 0.1, "float32"), np.zeros((1,), "float32")])
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(X, Y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    return model, history


def test_multisteps_accumulates_gradients():
    # Two batches of 4 accumulated == one SGD step on the batch of 8 (equal-size means).
    acc, _ = _fit(optax.MultiSteps(optax.sgd(0.1), every_k_schedule=2), batch_size=4)
    full, _ = _fit(optax.sgd(0.1), batch_size=8)
    for a, b in zip(acc.get_weights(), full.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    one, _ = _fit(optax.sgd(0.1), batch_size=4)  # two separate steps differ
    assert not np.allclose(one.get_weights()[0], full.get_weights()[0])


def test_inject_hyperparams_learning_rate_is_logged():
    schedule = optax.linear_schedule(0.1, 0.0, transition_steps=8)
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=schedule)
    _, history = _fit(tx, batch_size=4, epochs=2)
    # inject_hyperparams stores the rate of the last update: steps 0,1 then 2,3.
    np.testing.assert_allclose(
        history.history["learning_rate"], [schedule(1), schedule(3)], rtol=1e-6
    )
    model, history = _fit(optax.inject_hyperparams(optax.adam)(learning_rate=0.01), 8)
    assert history.history["learning_rate"] == pytest.approx([0.01])
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    _, history = _fit(optax.chain(optax.clip_by_global_norm(1.0), optax.adam(0.01)), 8)
    assert list(history.history) == ["loss"]  # nothing to log without inject_hyperparams


def test_contrib_optimizers_train_and_loss_value_ones_are_refused():
    # prodigy keeps the initial params in its state (aliased buffers): fit donates the state.
    model, history = _fit(optax.contrib.prodigy(), batch_size=4, epochs=2)
    assert np.all(np.isfinite(model.get_weights()[0]))
    assert history.history["loss"][1] < history.history["loss"][0]
    with pytest.raises(ValueError, match="needs \\['value'\\]"):
        jnn.optimizers.get(optax.contrib.momo())
    with pytest.raises(ValueError, match="MultiSteps"):
        jnn.optimizers.get(object())
