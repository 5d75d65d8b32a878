"""FlaxLayer (linen and nnx modules inside jnn) and to_flax (jnn models inside Flax)."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx, traverse_util

import jnn
from jnn.layers import FlaxLayer

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 4)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5], [1.5]], "float32")).astype("float32")


class LinenMLP(nn.Module):
    @nn.compact
    def __call__(self, x, training=False):
        x = nn.Dense(8)(x)
        x = nn.BatchNorm(use_running_average=not training, momentum=0.5)(x)
        x = nn.Dropout(0.5, deterministic=not training)(nn.relu(x))
        return nn.Dense(1)(x)


def _as_flax(flat_params, flat_state):
    out = {"params": traverse_util.unflatten_dict(flat_params, sep="/")}
    out.update(traverse_util.unflatten_dict(flat_state, sep="/"))
    return out


@pytest.fixture(scope="module")
def linen_model():
    jnn.utils.set_random_seed(0)
    model = jnn.Sequential([jnn.Input(shape=(4,)), FlaxLayer(LinenMLP(), name="mlp")])
    before = jax.tree.map(np.array, model.variables_tree)  # a copy: the stores update
    model.compile(optimizer=jnn.optimizers.Adam(0.02), loss="mse")
    history = model.fit(X, Y, batch_size=8, epochs=3, verbose=0)
    return model, before, history.history["loss"]


def test_linen_layer_trains_and_matches_module_apply(linen_model, tmp_path):
    model, before, losses = linen_model
    assert [w.path for w in model.weights][:2] == ["mlp/Dense_0/kernel", "mlp/Dense_0/bias"]
    assert [w.path for w in model.non_trainable_weights] == [
        "mlp/batch_stats/BatchNorm_0/mean",
        "mlp/batch_stats/BatchNorm_0/var",
    ]
    assert losses[-1] < losses[0]
    after = model.variables_tree
    assert not np.allclose(
        before["state"]["mlp"]["batch_stats/BatchNorm_0/mean"],
        after["state"]["mlp"]["batch_stats/BatchNorm_0/mean"],
    )
    flax_vars = _as_flax(after["params"]["mlp"], after["state"]["mlp"])
    reference = jax.jit(LinenMLP().apply)(flax_vars, X)
    np.testing.assert_allclose(model.predict(X, verbose=0), reference, rtol=1e-5, atol=1e-6)
    path = str(tmp_path / "flax.weights.h5")
    model.save_weights(path)
    saved = model.get_weights()
    model.set_weights([np.zeros_like(w) for w in saved])
    model.load_weights(path)
    for a, b in zip(model.get_weights(), saved, strict=True):
        np.testing.assert_array_equal(a, b)


def test_linen_dropout_draws_from_the_step_rng(linen_model):
    layer = linen_model[0].get_layer("mlp")
    tree = linen_model[0].variables_tree
    variables = {"params": tree["params"]["mlp"], "state": tree["state"]["mlp"]}
    run = jax.jit(lambda k: layer.apply(variables, X, training=True, rng=jax.random.key(k)))
    (a, state_a), (b, _) = run(1), run(2)
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(a, run(1)[0])
    assert set(state_a) == set(variables["state"])
    y, state = layer.apply(variables, X)  # inference: the module's own apply, state unchanged
    flax_vars = _as_flax(variables["params"], variables["state"])
    np.testing.assert_allclose(y, LinenMLP().apply(flax_vars, X), rtol=1e-6)
    assert state == variables["state"]


class NnxMLP(nnx.Module):
    def __init__(self, rngs):
        self.hidden = nnx.Linear(4, 8, rngs=rngs)
        self.norm = nnx.BatchNorm(8, rngs=rngs)
        self.drop = nnx.Dropout(0.2, rngs=rngs)
        self.out = nnx.Linear(8, 1, rngs=rngs)

    def __call__(self, x):
        return self.out(self.drop(nnx.relu(self.norm(self.hidden(x)))))


def test_nnx_layer_matches_module_and_trains():
    module = NnxMLP(nnx.Rngs(0))
    kernel0 = np.asarray(module.hidden.kernel[...])
    model = jnn.Sequential([jnn.Input(shape=(4,)), FlaxLayer(module, name="nnx_mlp")])
    module.eval()
    np.testing.assert_allclose(model.predict(X, verbose=0), module(X), rtol=1e-6)
    assert model.count_params() == 4 * 8 + 8 + 8 + 8 + 8 + 1 + 8 + 8  # + BatchNorm stats
    model.compile(optimizer=jnn.optimizers.Adam(0.02), loss="mse")
    losses = model.fit(X, Y, batch_size=8, epochs=3, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    trained = dict(zip([w.name for w in model.weights], model.get_weights()))
    assert not np.allclose(trained["hidden/kernel"], kernel0)
    np.testing.assert_array_equal(module.hidden.kernel[...], kernel0)  # the module is untouched


def test_to_flax_exports_params_and_round_trips(linen_model):
    src = jnn.Sequential(
        [
            jnn.Input(shape=(4,)),
            jnn.layers.Dense(6, activation="relu"),
            jnn.layers.BatchNormalization(),
            jnn.layers.Dense(1),
        ]
    )
    module = jnn.utils.to_flax(src)
    dense = src.layers[0].name  # "dense" in a fresh session
    variables = module.init(jax.random.key(0), X[:1])
    jax.tree.map(np.testing.assert_array_equal, variables["params"], src.variables_tree["params"])
    np.testing.assert_allclose(module.apply(variables, X), src.predict(X, verbose=0), rtol=1e-6)
    # training mode updates batch_stats exactly as jnn's own pure apply does
    y, updated = module.apply(variables, X, training=True, mutable=["batch_stats"])
    y_ref, state_ref = src.apply(src.variables_tree, X, training=True, mutable=True)
    np.testing.assert_allclose(y, y_ref, rtol=1e-6)
    jax.tree.map(np.testing.assert_allclose, updated["batch_stats"], state_ref)
    # round trip: the exported module wrapped back as a FlaxLayer gives the same outputs
    back = jnn.Sequential([jnn.Input(shape=(4,)), FlaxLayer(jnn.utils.to_flax(src))])
    np.testing.assert_allclose(back.predict(X, verbose=0), src.predict(X, verbose=0), rtol=1e-6)
    init, apply = jnn.utils.flax_init_apply(src, trained=False)
    fresh = init(jax.random.key(1), X[:1])
    assert not np.allclose(fresh["params"][dense]["kernel"], variables["params"][dense]["kernel"])
    grads = jax.jit(jax.grad(lambda p: jnp.sum(apply({**fresh, "params": p}, X))))(fresh["params"])
    assert all(np.isfinite(g).all() for g in jax.tree.leaves(grads))
