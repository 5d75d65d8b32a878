"""Optimizer properties with chex: one step equals the reference rule, the optimizer state keeps
its tree structure, and ten jitted steps compile once."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jnn import optimizers
from jnn.testing import assert_no_retrace
from tests.harness import examples

PARAMS = {"dense": {"kernel": np.full((3, 2), 0.5, np.float32), "bias": np.zeros(2, np.float32)}}


def _keras_adam_step(p, g, lr, b1, b2, eps):
    """Keras 3 Adam, first step: epsilon added before the bias correction of the step size."""
    m, v = (1 - b1) * g, (1 - b2) * g * g
    lr_t = lr * np.sqrt(1 - b2) / (1 - b1)
    return p - lr_t * m / (np.sqrt(v) + eps)


def _reference(name, lr):
    """The first update of each rule, from optax or (Adam) written out."""
    if name == "SGD":
        return lambda p, g: jax.tree.map(
            lambda a, b: a + b, p, optax.sgd(lr, momentum=0.9).update(
                g, optax.sgd(lr, momentum=0.9).init(p), p)[0])
    if name == "RMSprop":
        tx = optax.rmsprop(lr, decay=0.9, eps=1e-7, eps_in_sqrt=True)
        return lambda p, g: optax.apply_updates(p, tx.update(g, tx.init(p), p)[0])
    if name == "Adagrad":
        return lambda p, g: jax.tree.map(  # Keras: accumulator starts at 0.1, eps 1e-7
            lambda a, b: a - lr * b / (np.sqrt(0.1 + b * b) + 1e-7), p, g)
    return lambda p, g: jax.tree.map(
        lambda a, b: _keras_adam_step(a, b, lr, 0.9, 0.999, 1e-7), p, g)


OPTIMIZERS = {
    "SGD": lambda lr: optimizers.SGD(lr, momentum=0.9),
    "RMSprop": lambda lr: optimizers.RMSprop(lr),
    "Adam": lambda lr: optimizers.Adam(lr),
    "Adagrad": lambda lr: optimizers.Adagrad(lr),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_one_step_equals_the_reference(name):
    @settings(max_examples=examples(2), deadline=None, database=None)
    @given(lr=st.sampled_from([1e-3, 0.1]), seed=st.integers(0, 2**16))
    def run(lr, seed):
        tx = OPTIMIZERS[name](lr).tx
        rng = np.random.default_rng(seed)
        grads = jax.tree.map(lambda a: rng.standard_normal(a.shape).astype(np.float32), PARAMS)
        updates, _ = tx.update(grads, tx.init(PARAMS), PARAMS)
        got = optax.apply_updates(PARAMS, updates)
        want = _reference(name, lr)(PARAMS, grads)
        chex.assert_trees_all_equal_shapes_and_dtypes(got, PARAMS)
        chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-6)

    run()


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_structure_is_stable_and_ten_steps_compile_once(name):
    tx = OPTIMIZERS[name](0.01).tx

    def step(params, opt_state, grads):
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    guarded = assert_no_retrace(step)
    params, opt_state = jax.tree.map(jnp.asarray, PARAMS), tx.init(PARAMS)
    first = opt_state
    for i in range(10):
        grads = jax.tree.map(lambda a, i=i: jnp.full(a.shape, 0.1 * (i - 4), a.dtype), params)
        params, opt_state = guarded(params, opt_state, grads)
        chex.assert_trees_all_equal_structs(opt_state, first)
        chex.assert_trees_all_equal_shapes_and_dtypes(opt_state, first)
    chex.assert_tree_all_finite((params, opt_state))
