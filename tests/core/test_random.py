"""jnn.random: Keras 3's names, arguments and dtypes; reproducible seeds; fresh keys per step."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jnn
from jnn._core import random as core_random


def _cheap(r, seed):
    return {
        "normal": r.normal((64,), mean=1.0, stddev=2.0, seed=seed),
        "normal_f16": r.normal((4,), dtype="float16", seed=seed),
        "uniform": r.uniform((64,), minval=-1.0, maxval=3.0, seed=seed),
        "randint": r.randint((64,), 2, 7, seed=seed),
        "randint_i8": r.randint((4,), 0, 3, dtype="int8", seed=seed),
        "truncated_normal": r.truncated_normal((64,), mean=0.5, stddev=2.0, seed=seed),
        "dropout": r.dropout(np.ones((8, 6), np.float32), 0.25, noise_shape=(None, 1),
                             seed=seed),
        "categorical": r.categorical(np.log(np.array([[0.2, 0.8], [0.9, 0.1]], np.float32)),
                                     16, seed=seed),
        "shuffle": r.shuffle(np.arange(12).reshape(6, 2), axis=0, seed=seed),
    }


def _slow(r):
    # gamma / binomial / beta samplers take seconds to compile: compared as programs
    return {
        "gamma": lambda: r.gamma((8,), 2.0, seed=3),
        "binomial": lambda: r.binomial((8,), 5, 0.3, seed=3),
        "beta": lambda: r.beta((8,), 2.0, 3.0, seed=3),
    }


@pytest.mark.conformance
def test_values_and_dtypes_equal_keras_for_the_same_seed():
    keras = pytest.importorskip("keras")
    for seed in (3, 2**32 - 1):
        ours, theirs = _cheap(jnn.random, seed), _cheap(keras.random, seed)
        for name, a in ours.items():
            b = np.asarray(theirs[name])
            assert np.asarray(a).dtype == b.dtype, name
            np.testing.assert_array_equal(np.asarray(a), b, err_msg=name)
    # a SeedGenerator draws Keras's sequence of keys too
    g1, g2 = jnn.random.SeedGenerator(5), keras.random.SeedGenerator(5)
    for _ in range(3):
        np.testing.assert_array_equal(jnn.random.uniform((3,), seed=g1),
                                      keras.random.uniform((3,), seed=g2))
    for (name, ours), theirs in zip(_slow(jnn.random).items(), _slow(keras.random).values()):
        assert str(jax.make_jaxpr(ours)()) == str(jax.make_jaxpr(theirs)()), name


def test_seeds_are_reproducible_and_generators_advance():
    a = jnn.random.normal((3,), seed=11)
    np.testing.assert_array_equal(a, jnn.random.normal((3,), seed=11))
    assert not np.array_equal(a, jnn.random.normal((3,), seed=12))
    # a JAX key (typed or raw uint32[2]) is used as is
    k = jax.random.key(5)
    np.testing.assert_array_equal(jnn.random.uniform((3,), seed=k),
                                  jnn.random.uniform((3,), seed=jax.random.PRNGKey(5)))
    g1, g2 = jnn.random.SeedGenerator(7), jnn.random.SeedGenerator(7)
    seq1 = [np.asarray(jnn.random.uniform((2,), seed=g1)) for _ in range(3)]
    seq2 = [np.asarray(jnn.random.uniform((2,), seed=g2)) for _ in range(3)]
    np.testing.assert_array_equal(seq1, seq2)
    assert not np.array_equal(seq1[0], seq1[1])
    assert g1.state.tolist() == [7, 3]
    # dropout's noise_shape shares the mask along size-1 axes
    y = np.asarray(jnn.random.dropout(jnp.ones((4, 6)), 0.5, noise_shape=(None, 1), seed=0))
    assert all(len(set(row.tolist())) == 1 for row in y)


def test_unseeded_draws_follow_the_global_seed_and_the_key_scope():
    jnn.utils.set_random_seed(4)
    a = jnn.random.normal((2,))
    jnn.utils.set_random_seed(4)
    np.testing.assert_array_equal(a, jnn.random.normal((2,)))

    @jax.jit
    def traced(key):
        with core_random.key_scope(key):
            return jnp.stack([jnn.random.normal((3,)), jnn.random.normal((3,))])

    x, y = traced(jax.random.key(0)), traced(jax.random.key(1))
    assert not np.array_equal(x[0], x[1])  # two call sites, two keys
    assert not np.array_equal(x, y)  # the key is an argument, not a constant of the trace


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="seed"):
        jnn.random.normal((2,), seed="abc")
    with pytest.raises(ValueError, match="rate"):
        jnn.random.dropout(jnp.ones(3), 1.5)
    with pytest.raises(ValueError, match="dtype"):
        jnn.random.normal((2,), dtype="int32")
    with pytest.raises(ValueError, match="2-D"):
        jnn.random.categorical(jnp.ones(3), 2)


class _Noisy(jnn.layers.Layer):
    """Drops half its inputs in training: with the call's key, or the layer's own generator."""

    def __init__(self, own_generator=False, **kwargs):
        super().__init__(**kwargs)
        self.gen = jnn.random.SeedGenerator(1337) if own_generator else None

    def call(self, x, training=None):
        if training:
            return jnn.random.dropout(x, 0.5, seed=self.gen)
        return x


class _NoisyModel(jnn.Model):
    """A subclassed model drawing noise directly in its call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.out = jnn.layers.Dense(1, kernel_initializer="ones")

    def call(self, x, training=None):
        if training:
            x = x + jnn.random.normal(x.shape)
        return self.out(x)


def _per_step_losses(build):
    jnn.utils.set_random_seed(0)
    model = build()
    model.compile(jnn.optimizers.SGD(0.0), "mse")
    losses = []
    cb = jnn.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: losses.append(float(logs["loss"])))
    x, y = np.ones((16, 4), np.float32), np.zeros((16, 1), np.float32)
    model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    running = np.array(losses)
    counts = np.arange(1, len(running) + 1)
    per_step = running * counts - np.concatenate([[0.0], running[:-1] * counts[:-1]])
    return per_step


@pytest.mark.parametrize("which", ["unseeded", "seed_generator", "model_call"])
def test_masks_are_fresh_at_every_fused_step_and_reproducible(which):
    def build():
        if which == "model_call":
            return _NoisyModel()
        return jnn.Sequential([jnn.Input((4,)), _Noisy(which == "seed_generator"),
                               jnn.layers.Dense(1, kernel_initializer="ones")])

    steps = _per_step_losses(build)
    # the same batch every step and a frozen model (lr 0): only the noise changes the loss
    assert len(steps) == 8 and len(np.unique(np.round(steps, 4))) >= 5, steps
    np.testing.assert_allclose(steps, _per_step_losses(build), rtol=1e-6)
