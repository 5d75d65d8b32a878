"""Training a jnn model with plain JAX: no ``compile``/``fit``, just pure functions.

The model is a Keras-style ``Sequential``, but training uses its pure API only:
``model.init`` makes the variables pytree, ``model.apply`` runs the network, ``jax.grad``
differentiates it, ``optax.adam`` updates it, and one ``jax.jit``-compiled step does all three.
Data: the bundled 8x8 handwritten digits.

    python examples/pure_jax_loop.py
"""

from __future__ import annotations

import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax

import jnn
from jnn import layers


def build_model() -> jnn.Sequential:
    """An MLP producing logits (no softmax: the loss works on logits)."""
    return jnn.Sequential(
        [
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.1),
            layers.Dense(10),
        ]
    )


def main(epochs: int = 20, batch_size: int = 32, seed: int = 0) -> float:
    """Trains with a hand-written loop and returns the test accuracy."""
    (x_train, y_train), (x_test, y_test) = jnn.datasets.digits.load_data()
    x_train, x_test = x_train / 16.0, x_test / 16.0  # pixel values are 0..16

    model = build_model()
    key, init_key = jax.random.split(jax.random.key(seed))
    variables = model.init(init_key, x_train[:1])  # {"params": ..., "state": ...}
    params, state = variables["params"], variables["state"]
    optimizer = optax.adam(1e-3)
    opt_state = optimizer.init(params)

    def loss_fn(params, state, x, y, rng):
        logits, new_state = model.apply(
            {"params": params, "state": state}, x, training=True, rng=rng, mutable=True
        )
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
        return loss, new_state

    @jax.jit
    def train_step(params, state, opt_state, x, y, rng):
        (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, state, x, y, rng)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), state, opt_state, loss

    @jax.jit
    def predict(params, state, x):
        return jnp.argmax(model.apply({"params": params, "state": state}, x), axis=-1)

    n = len(x_train) - len(x_train) % batch_size  # whole batches: one compiled shape
    shuffle_rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = shuffle_rng.permutation(len(x_train))[:n].reshape(-1, batch_size)
        losses = []
        for idx in order:
            key, step_key = jax.random.split(key)
            params, state, opt_state, loss = train_step(
                params, state, opt_state, x_train[idx], y_train[idx], step_key
            )
            losses.append(loss)
        if epoch % 5 == 4 or epoch == epochs - 1:
            print(f"epoch {epoch + 1}/{epochs}: loss {float(jnp.mean(jnp.stack(losses))):.4f}")

    accuracy = float(np.mean(np.asarray(predict(params, state, x_test)) == y_test))
    print(f"Test accuracy: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    sys.exit(0 if main() > 0.9 else 1)
