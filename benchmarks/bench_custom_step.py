"""An overridden ``train_step`` (Keras 3's stateless JAX protocol) in jnn vs Keras 3, side by side.

The model is the guide's pattern (keras.io/guides/custom_train_step_in_jax): a subclass of
``Model`` built functionally, whose ``train_step(self, state, data)`` calls ``stateless_call``,
``stateless_compute_loss``, ``jax.value_and_grad``, ``optimizer.stateless_apply`` and the
metrics' ``stateless_update_state`` — the same source runs on both libraries. Keras 3 dispatches
one jitted step per batch; jnn scans the user's step over the whole epoch in one dispatch.

MLP Dense(hidden=128, relu) -> Dense(10) on 784 features, Adam, sparse crossentropy + accuracy.
After a warm-up ``fit(epochs=1)`` (compilation included, reported as ``first``), each round
times ``fit(epochs=E)`` / E for both libraries in turn; each figure keeps its best round.

    python benchmarks/bench_custom_step.py [--samples 60000] [--batch 32 128] [--epochs 2]
        [--rounds 3] [--hidden 128] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import numpy as np  # noqa: E402


def make(lib, hidden: int = 128):
    """The guide's model with its own train_step, for ``lib`` = jnn or keras."""

    class CustomModel(lib.Model):
        def compute_loss_and_updates(self, tv, ntv, mv, x, y, training=False):
            y_pred, ntv = self.stateless_call(tv, ntv, x, training=training)
            loss, (tv, ntv, mv) = self.stateless_compute_loss(
                tv, ntv, mv, x=x, y=y, y_pred=y_pred, training=training)
            return loss, (y_pred, ntv, mv)

        def train_step(self, state, data):
            tv, ntv, ov, mv = state
            x, y = data
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
            (loss, (y_pred, ntv, mv)), grads = grad_fn(tv, ntv, mv, x, y, training=True)
            tv, ov = self.optimizer.stateless_apply(ov, grads, tv)
            new, logs = [], {}
            for metric in self.metrics:
                this = mv[len(new): len(new) + len(metric.variables)]
                if metric.name == "loss":
                    this = metric.stateless_update_state(this, loss)
                else:
                    this = metric.stateless_update_state(this, y, y_pred)
                logs[metric.name] = metric.stateless_result(this)
                new += this
            return logs, (tv, ntv, ov, new)

    inputs = lib.Input(shape=(784,))
    h = lib.layers.Dense(hidden, activation="relu")(inputs)
    model = CustomModel(inputs, lib.layers.Dense(10, activation="softmax")(h))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=60000)
    p.add_argument("--batch", type=int, nargs="+", default=[32, 128])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--hidden", type=int, default=128, help="units of the hidden layer")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", default=None)
    args = p.parse_args()

    import keras

    import jnn

    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, args.samples).astype(np.int32)
    rows = []
    print(f"device: {jax.devices()[0].device_kind}, samples {args.samples}, "
          f"epochs/round {args.epochs}, rounds {args.rounds}")
    for batch in args.batch:
        models = {"jnn": make(jnn, args.hidden), "keras": make(keras, args.hidden)}
        models["jnn"].set_weights(models["keras"].get_weights())
        first, best = {}, {}
        for name, m in models.items():
            t0 = time.perf_counter()
            m.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
            first[name] = time.perf_counter() - t0
            best[name] = float("inf")
        for _ in range(args.rounds):
            for name, m in models.items():
                t0 = time.perf_counter()
                m.fit(x, y, batch_size=batch, epochs=args.epochs, verbose=0, shuffle=False)
                best[name] = min(best[name], (time.perf_counter() - t0) / args.epochs)
        diff = max(float(np.abs(a - b).max()) for a, b in zip(
            models["jnn"].get_weights(), models["keras"].get_weights()))
        ratio = best["keras"] / best["jnn"]
        rows.append({"batch": batch, "jnn_epoch_s": best["jnn"], "keras_epoch_s": best["keras"],
                     "jnn_first_s": first["jnn"], "keras_first_s": first["keras"],
                     "speedup": ratio, "max_weight_diff": diff})
        print(f"batch {batch:5d}: epoch jnn {best['jnn']:.3f}s  keras {best['keras']:.3f}s  "
              f"-> jnn {ratio:.2f}x faster (first epoch jnn {first['jnn']:.2f}s, keras "
              f"{first['keras']:.2f}s; weights after identical training differ by {diff:.1e})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
