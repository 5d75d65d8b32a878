"""A GAN written with jnn's pure API: two models, two optax optimizers, one jitted step.

Keras users find two-optimizer training hard on JAX (``fit`` has one optimizer; a custom
``train_step`` has to juggle state). With jnn's pure API it is plain JAX: each model is an
``init`` / ``apply`` pair over a params pytree, each param group gets its own optax
optimizer, and one ``jax.jit``-compiled function performs the discriminator step and the
generator step. The generator learns to turn noise into samples of N(3, 0.5): after the
default 2,000 steps (a few seconds on a CPU) the generated mean is within ~0.1 of 3 and the
standard deviation within ~0.1 of 0.5 (seeds 0-3: std 0.43-0.54). The discriminator needs two
hidden layers to see the spread; with one it only matches the mean (std ~0.33).

    python examples/research_loop.py
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

import jnn
from jnn import layers

LATENT = 4
TARGET_MEAN, TARGET_STD = 3.0, 0.5


def build_models() -> tuple[jnn.Sequential, jnn.Sequential]:
    """A generator (noise -> sample) and a discriminator (sample -> real/fake logit)."""
    generator = jnn.Sequential([layers.Dense(16, activation="relu"), layers.Dense(1)])
    discriminator = jnn.Sequential(
        [layers.Dense(32, activation="relu"), layers.Dense(32, activation="relu"), layers.Dense(1)]
    )
    return generator, discriminator


def bce_logits(logits: jax.Array, label: float) -> jax.Array:
    return jnp.mean(optax.sigmoid_binary_cross_entropy(logits, jnp.full_like(logits, label)))


def make_step(generator, discriminator, g_opt, d_opt):
    """One jittable GAN step: ``(g_params, d_params, g_state, d_state, batch) -> (..., logs)``.

    ``batch`` is ``(real, z_d, z_g)``: real samples and the noise for the two updates.
    """

    def generate(g_params, z):
        return generator.apply({"params": g_params, "state": {}}, z)

    def discriminate(d_params, x):
        return discriminator.apply({"params": d_params, "state": {}}, x)

    def d_loss(d_params, g_params, real, z):
        fake = jax.lax.stop_gradient(generate(g_params, z))
        return bce_logits(discriminate(d_params, real), 1.0) + bce_logits(
            discriminate(d_params, fake), 0.0
        )

    def g_loss(g_params, d_params, z):
        return bce_logits(discriminate(d_params, generate(g_params, z)), 1.0)

    def step(g_params, d_params, g_state, d_state, batch):
        real, z1, z2 = batch
        dl, d_grads = jax.value_and_grad(d_loss)(d_params, g_params, real, z1)
        d_updates, d_state = d_opt.update(d_grads, d_state, d_params)
        d_params = optax.apply_updates(d_params, d_updates)
        gl, g_grads = jax.value_and_grad(g_loss)(g_params, d_params, z2)
        g_updates, g_state = g_opt.update(g_grads, g_state, g_params)
        g_params = optax.apply_updates(g_params, g_updates)
        return g_params, d_params, g_state, d_state, {"d_loss": dl, "g_loss": gl}

    return step


def main(steps: int = 2000, batch_size: int = 64, seed: int = 0) -> dict[str, float]:
    """Trains the GAN; returns the mean and std of 10,000 generated samples."""
    generator, discriminator = build_models()
    kg, kd = jax.random.split(jax.random.key(seed))
    g_params = generator.init(kg, np.zeros((1, LATENT), np.float32))["params"]
    d_params = discriminator.init(kd, np.zeros((1, 1), np.float32))["params"]
    g_opt = optax.adam(1e-3, b1=0.5)  # two param groups, two optimizers
    d_opt = optax.adam(1e-3, b1=0.5)
    g_state, d_state = g_opt.init(g_params), d_opt.init(d_params)
    step = jax.jit(make_step(generator, discriminator, g_opt, d_opt), donate_argnums=(0, 1, 2, 3))
    rng = np.random.default_rng(seed)  # the "data loader": real samples and noise
    for i in range(steps):
        batch = (
            rng.normal(TARGET_MEAN, TARGET_STD, (batch_size, 1)).astype(np.float32),
            rng.standard_normal((batch_size, LATENT), np.float32),
            rng.standard_normal((batch_size, LATENT), np.float32),
        )
        g_params, d_params, g_state, d_state, logs = step(
            g_params, d_params, g_state, d_state, batch
        )
        if (i + 1) % max(1, steps // 4) == 0:
            print(
                f"step {i + 1}: d_loss {float(logs['d_loss']):.3f} "
                f"g_loss {float(logs['g_loss']):.3f}"
            )
    # The trained params go back into the Keras-style model for predict().
    generator.set_variables({"params": g_params, "state": {}})
    z = rng.standard_normal((10_000, LATENT), np.float32)
    samples = generator.predict(z, batch_size=1000, verbose=0)
    stats = {"mean": float(samples.mean()), "std": float(samples.std())}
    print(
        f"generated samples: mean {stats['mean']:.2f} (target {TARGET_MEAN}), "
        f"std {stats['std']:.2f} (target {TARGET_STD})"
    )
    return stats


if __name__ == "__main__":
    main()
