"""The pure API: model.init / model.apply under jit, grad and vmap; pure train steps."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jnn
from jnn import layers, training

RNG = np.random.default_rng(3)
X = RNG.normal(size=(8, 3)).astype(np.float32)
Y = RNG.normal(size=(8, 2)).astype(np.float32)


@pytest.fixture(scope="module")
def mlp():
    model = jnn.Sequential(
        [layers.Dense(4, activation="tanh", input_dim=3), layers.Dropout(0.5), layers.Dense(2)]
    )
    variables = model.init(jax.random.key(0), np.zeros((1, 3), np.float32))
    return model, variables


def _forward_np(variables, x):
    p = variables["params"]
    (l1, l2) = sorted(p)
    h = np.tanh(x @ np.asarray(p[l1]["kernel"]) + np.asarray(p[l1]["bias"]))
    return h @ np.asarray(p[l2]["kernel"]) + np.asarray(p[l2]["bias"])


def test_init_returns_params_and_state_trees(mlp):
    model, variables = mlp
    assert set(variables) == {"params", "state"}
    names = [la.name for la in model.layers]
    assert set(variables["params"]) == {names[0], names[2]}  # Dropout has no variables
    shapes = jax.tree.map(lambda a: a.shape, variables["params"])
    assert shapes[names[0]] == {"kernel": (3, 4), "bias": (4,)}
    assert shapes[names[2]] == {"kernel": (4, 2), "bias": (2,)}
    assert variables["state"] == {}


def test_init_is_pure_and_keyed(mlp):
    model, variables = mlp
    before = model.get_weights()
    again = model.init(jax.random.key(0), np.zeros((1, 3), np.float32))
    other = model.init(jax.random.key(1), np.zeros((1, 3), np.float32))
    chex.assert_trees_all_equal(again, variables)
    first = sorted(variables["params"])[0]
    assert not np.allclose(other["params"][first]["kernel"], variables["params"][first]["kernel"])
    for got, want in zip(model.get_weights(), before):  # the model's own weights untouched
        np.testing.assert_array_equal(got, want)


def test_apply_under_jit_matches_hand_computation(mlp):
    model, variables = mlp
    out = jax.jit(model.apply)(variables, X)
    np.testing.assert_allclose(np.asarray(out), _forward_np(variables, X), atol=1e-5)
    chex.assert_trees_all_close(model.apply(variables, X), out, atol=1e-6)


def test_apply_training_needs_rng_and_is_deterministic_given_it(mlp):
    model, variables = mlp
    with pytest.raises(ValueError, match="random key"):
        model.apply(variables, X, training=True)
    a = model.apply(variables, X, training=True, rng=jax.random.key(5))
    b = model.apply(variables, X, training=True, rng=jax.random.key(5))
    c = model.apply(variables, X, training=True, rng=jax.random.key(6))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.allclose(np.asarray(a), np.asarray(c))
    out, new_state = model.apply(variables, X, training=True, rng=jax.random.key(5), mutable=True)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(a))
    assert new_state == {}


def test_apply_under_grad(mlp):
    model, variables = mlp

    def loss(params):
        pred = model.apply({"params": params, "state": variables["state"]}, X)
        return jnp.mean((pred - Y) ** 2)

    grads = jax.grad(loss)(variables["params"])
    assert jax.tree.structure(grads) == jax.tree.structure(variables["params"])
    # hand gradient of the last layer's bias: mean over the batch of 2 (pred - y) / n_out
    last = sorted(variables["params"])[-1]
    pred = _forward_np(variables, X)
    want = 2 * (pred - Y).sum(axis=0) / Y.size
    np.testing.assert_allclose(np.asarray(grads[last]["bias"]), want, atol=1e-5)
    check_grads(loss, (variables["params"],), order=1, modes=["rev"], atol=2e-2, rtol=2e-2)


def test_apply_under_vmap(mlp):
    model, variables = mlp
    per_sample = jax.vmap(lambda xi: model.apply(variables, xi[None])[0])(X)
    np.testing.assert_allclose(
        np.asarray(per_sample), np.asarray(model.apply(variables, X)), atol=1e-5
    )
    # an ensemble: vmap init over keys, apply over the stacked params
    keys = jax.random.split(jax.random.key(0), 3)
    ensemble = jax.vmap(lambda k: model.init(k, jnp.zeros((1, 3), jnp.float32)))(keys)
    outs = jax.vmap(model.apply, in_axes=(0, None))(ensemble, X)
    assert outs.shape == (3, 8, 2)
    one = jax.tree.map(lambda a: a[1], ensemble)
    np.testing.assert_allclose(np.asarray(outs[1]), _forward_np(one, X), atol=1e-5)


def test_hand_written_jitted_loop_reduces_loss():
    model = jnn.Sequential([layers.Dense(8, activation="relu", input_dim=3), layers.Dense(2)])
    variables = model.init(jax.random.key(0), np.zeros((1, 3), np.float32))
    own = jax.tree.map(np.array, model.variables_tree)
    step = training.make_train_step(model, "mse", jnn.optimizers.Adam(learning_rate=0.05))
    ts = training.TrainState.create(variables, step.optimizer, step.objectives)
    assert int(ts.step) == 0
    jstep = jax.jit(step)
    batch = training.Batch(X, [Y])
    first = None
    for _ in range(60):
        ts = ts.reset_metrics(step.objectives)
        ts, logs = jstep(ts, batch)
        first = float(logs["loss"]) if first is None else first
    assert int(ts.step) == 60
    assert float(logs["loss"]) < 0.3 * first
    # the model object itself was not touched by the pure loop
    jax.tree.map(np.testing.assert_array_equal, model.variables_tree, own)


def test_pure_train_step_equals_fit():
    """Full-batch SGD: 4 pure steps give exactly the weights of fit(epochs=4, batch_size=N)."""
    model = jnn.Sequential([layers.Dense(3, activation="tanh", input_dim=3), layers.Dense(2)])
    variables = jax.tree.map(jnp.array, model.variables_tree)
    step = jax.jit(training.make_train_step(model, "mse", jnn.optimizers.SGD(learning_rate=0.1)))
    ts = training.TrainState.create(variables, jnn.optimizers.SGD(learning_rate=0.1))
    ts = ts.replace(metrics=training.make_objectives(model, "mse").init())
    for _ in range(4):
        ts, _ = step(ts, training.Batch(X, [Y]))
    model.compile(optimizer=jnn.optimizers.SGD(learning_rate=0.1), loss="mse")
    model.fit(X, Y, batch_size=8, epochs=4, shuffle=False, verbose=0)
    jax.tree.map(
        lambda a, b: np.testing.assert_allclose(a, b, atol=1e-6),
        model.variables_tree["params"],
        ts.params,
    )


def test_apply_structure_matches_predict_for_multi_io():
    ia, ib = jnn.Input(shape=(3,)), jnn.Input(shape=(2,))
    h = layers.Dense(2)(ia) + layers.Dense(2)(ib)
    model = jnn.Model([ia, ib], [h, layers.Dense(1)(h)])
    xs = [X, X[:, :2]]
    variables = model.init(jax.random.key(0), [np.zeros((1, 3), "f"), np.zeros((1, 2), "f")])
    model.set_variables(variables)
    out = jax.jit(model.apply)(variables, xs)
    pred = model.predict(xs, verbose=0)
    assert jax.tree.structure(out) == jax.tree.structure(pred)
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=1e-6), out, pred)
    assert [p.shape for p in pred] == [(8, 2), (8, 1)]
