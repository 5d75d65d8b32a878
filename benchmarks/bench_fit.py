"""Side-by-side training throughput: jnn fit vs hand-written JAX loops vs Keras 3 (JAX backend).

All runs happen in one process on the same synthetic MNIST-shaped data (784 features, 10
classes), Adam + sparse crossentropy, MLP 784-128-10. Reported: samples/s of the best epoch
after the first (the first includes compilation), first-epoch wall time, and ratios
jnn / Keras and jnn / hand-written fused epoch.

    python benchmarks/bench_fit.py --batch 32 128 --epochs 3 [--samples 60000] [--json out.json]
    python benchmarks/bench_fit.py --smoke       # tiny CI-sized run
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402


def _data(n: int):
    rng = np.random.default_rng(0)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.int32)


def _best(times):
    return min(times[1:]) if len(times) > 1 else times[0]


def bench_jnn(x, y, batch, epochs):
    import jnn

    jnn.utils.set_random_seed(0)
    model = jnn.Sequential([jnn.layers.Dense(128, activation="relu", input_shape=(784,)),
                            jnn.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    model.evaluate(x, y, batch_size=batch, verbose=0)
    model.evaluate(x, y, batch_size=batch, verbose=0)
    t_eval = (time.perf_counter() - t0) / 2
    model.predict(x, batch_size=batch, verbose=0)
    t0 = time.perf_counter()
    model.predict(x, batch_size=batch, verbose=0)
    t_pred = time.perf_counter() - t0
    return times, t_eval, t_pred


def bench_keras(x, y, batch, epochs):
    try:
        import keras
    except ImportError:
        return None
    L = keras.layers
    km = keras.Sequential([keras.Input((784,)), L.Dense(128, activation="relu"),
                           L.Dense(10, activation="softmax")])
    km.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        km.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        times.append(time.perf_counter() - t0)
    km.evaluate(x, y, batch_size=batch, verbose=0)
    t0 = time.perf_counter()
    km.evaluate(x, y, batch_size=batch, verbose=0)
    t_eval = time.perf_counter() - t0
    km.predict(x, batch_size=batch, verbose=0)
    t0 = time.perf_counter()
    km.predict(x, batch_size=batch, verbose=0)
    t_pred = time.perf_counter() - t0
    return times, t_eval, t_pred


def _mlp():
    import flax.linen as nn

    class Net(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.Dense(10)(nn.relu(nn.Dense(128)(x)))

    return Net()


def bench_handwritten(x, y, batch, epochs, fused: bool):
    n = x.shape[0]
    m = _mlp()
    tx = optax.adam(1e-3)
    xd, yd = jnp.asarray(x), jnp.asarray(y)

    def loss_fn(p, xb, yb):
        logits = m.apply(p, xb)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

    params = m.init(jax.random.key(0), x[:1])
    opt = tx.init(params)
    steps = n // batch

    def one(p, o, idx):
        g = jax.grad(loss_fn)(p, xd[idx], yd[idx])
        u, o = tx.update(g, o, p)
        return optax.apply_updates(p, u), o

    times = []
    if fused:
        @jax.jit
        def epoch(p, o, key):
            perm = jax.random.permutation(key, n)[: steps * batch].reshape(steps, batch)

            def body(c, idx):
                return one(*c, idx), None

            (p, o), _ = jax.lax.scan(body, (p, o), perm)
            return p, o

        for e in range(epochs):
            t0 = time.perf_counter()
            params, opt = epoch(params, opt, jax.random.key(e))
            jax.block_until_ready(params)
            times.append(time.perf_counter() - t0)
    else:
        step = jax.jit(one)
        for e in range(epochs):
            t0 = time.perf_counter()
            perm = jax.random.permutation(jax.random.key(e), n)[: steps * batch]
            perm = perm.reshape(steps, batch)
            for i in range(steps):
                params, opt = step(params, opt, perm[i])
            jax.block_until_ready(params)
            times.append(time.perf_counter() - t0)
    return times


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--batch", type=int, nargs="+", default=[32, 128, 1024])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="tiny run for CI")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    if args.smoke:
        args.batch, args.epochs, args.samples, args.no_keras = [32], 2, 512, True
    x, y = _data(args.samples)
    dev = jax.devices()[0].platform
    results = {"device": dev, "samples": args.samples, "rows": []}
    for b in args.batch:
        row = {"model": "mlp", "batch": b}
        t_jnn, e_jnn, p_jnn = bench_jnn(x, y, b, args.epochs)
        row["jnn"] = args.samples / _best(t_jnn)
        row["jnn_first_s"] = t_jnn[0]
        row["jnn_eval"] = args.samples / e_jnn
        row["jnn_predict"] = args.samples / p_jnn
        row["jit_per_step"] = args.samples / _best(bench_handwritten(x, y, b, args.epochs, False))
        row["fused"] = args.samples / _best(bench_handwritten(x, y, b, args.epochs, True))
        if not args.no_keras:
            k = bench_keras(x, y, b, args.epochs)
            if k is not None:
                row["keras"] = args.samples / _best(k[0])
                row["keras_first_s"] = k[0][0]
                row["keras_eval"] = args.samples / k[1]
                row["keras_predict"] = args.samples / k[2]
        results["rows"].append(row)
        parts = [f"{dev} mlp B={b:5d}", f"jnn {row['jnn']:,.0f}/s",
                 f"jit-step {row['jit_per_step']:,.0f}/s", f"fused {row['fused']:,.0f}/s",
                 f"jnn/fused {row['jnn'] / row['fused']:.2f}x"]
        if "keras" in row:
            parts += [f"keras {row['keras']:,.0f}/s", f"jnn/keras {row['jnn'] / row['keras']:.2f}x",
                      f"eval jnn/keras {row['jnn_eval'] / row['keras_eval']:.2f}x",
                      f"predict jnn/keras {row['jnn_predict'] / row['keras_predict']:.2f}x",
                      f"first epoch jnn {row['jnn_first_s']:.1f}s keras {row['keras_first_s']:.1f}s"]
        print(" | ".join(parts), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main()
