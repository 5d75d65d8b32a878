"""Layer-zoo training throughput: jnn fit vs a hand-written fused Flax epoch vs Keras 3 (JAX).

Two workloads, run in one process on synthetic data, Adam + sparse crossentropy:

* ``cnn``: Conv2D(32, 3, relu) - MaxPooling2D - Conv2D(64, 3, relu) - MaxPooling2D - Flatten -
  Dense(10, softmax) on 28x28x1 images (MNIST-shaped), at several batch sizes;
* ``lstm``: Embedding(10000, 64) - LSTM(64) - Dense(2, softmax) on token sequences of length
  100 (12,800 samples), at batch 64.

Reported, like ``bench_fit.py``: samples/s of the best epoch after the first (the first includes
compilation), first-epoch wall time, and the ratios jnn / Keras and jnn / fused epoch (a jitted
``lax.scan`` over the whole epoch with the data already on device: the upper bound on GPU).

On XLA:CPU, convolutions inside a ``lax.scan`` (a while loop) run several times slower than the
same step jitted alone or a fully unrolled scan (measured ~5x for this CNN at batch 32), so on
CPU the "fused" CNN number is not an upper bound and jnn's scanned engine pays the same cost.

LSTM figures (samples/s, batch 64, best of epochs 2-3; 2026-11-22, jax 0.11.2):

| machine | jnn | Keras 3 | fused Flax | jnn / Keras |
|---|---|---|---|---|
| 2 cores of an idle 16-core x86 (``taskset -c 0,1``, 2,560 samples) | 2,535 | 2,629 | 2,001 | 0.96x |
| H100 (12,800 samples; before the GPU-only input-projection hoisting) | 18,419 | 10,338 | 15,533 | 1.78x |

The CPU loop is compute-bound: jnn's LSTM layer (forward + backward, 100 steps) takes the time
of a bare ``lax.scan`` LSTM (22.3 vs 22.2 ms) and less than Flax's ``OptimizedLSTMCell``
(24.2 ms), so parity with Keras is the limit there. Hoisting the input projection out of the
scan (one big matmul) made that layer 2x slower on XLA:CPU but 14% faster on the H100
(2.74 vs 3.18 ms), so jnn hoists only off the CPU (``RNN._hoists_inputs``).

    python benchmarks/bench_zoo.py [--batch 32 128 1024] [--epochs 3] [--json out.json]
    python benchmarks/bench_zoo.py --smoke       # tiny CPU-sized run for CI

ResNet50, MobileNetV2 and a GPT-style decoder (issues 20 and 21) are in ``bench_models.py``,
which also runs this file's Embedding-LSTM against Keras at its best setting, with MFU.
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

VOCAB = 10000


def _best(times):
    return min(times[1:]) if len(times) > 1 else times[0]


def _image_data(n: int, size: int):
    rng = np.random.default_rng(0)
    x = rng.random((n, size, size, 1), dtype=np.float32)
    return x, rng.integers(0, 10, n).astype(np.int32)


def _sequence_data(n: int, length: int):
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, (n, length)).astype(np.int32)
    return x, rng.integers(0, 2, n).astype(np.int32)


# --- the models, written once per framework ---------------------------------------------------


def _jnn_layers(lib, name: str):
    """``lib.layers.<name>`` (jnn or keras), falling back to jnn's core modules while the zoo is
    not yet exported from ``jnn.layers``."""
    layer = getattr(lib.layers, name, None)
    if layer is not None:
        return layer
    import importlib

    module = {"Embedding": "embedding", "LSTM": "lstm"}[name]
    return getattr(importlib.import_module(f"jnn._core.layers.{module}"), name)


def _layers_cnn(lib, size: int) -> list:
    L = lib.layers
    return [
        lib.Input((size, size, 1)),
        L.Conv2D(32, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(64, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Flatten(),
        L.Dense(10, activation="softmax"),
    ]


def _layers_lstm(lib, length: int) -> list:
    return [
        lib.Input((length,), dtype="int32"),
        _jnn_layers(lib, "Embedding")(VOCAB, 64),
        _jnn_layers(lib, "LSTM")(64),
        lib.layers.Dense(2, activation="softmax"),
    ]


def _flax_cnn():
    import flax.linen as nn

    class CNN(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.max_pool(nn.relu(nn.Conv(32, (3, 3), padding="VALID")(x)), (2, 2), (2, 2))
            x = nn.max_pool(nn.relu(nn.Conv(64, (3, 3), padding="VALID")(x)), (2, 2), (2, 2))
            return nn.Dense(10)(x.reshape(x.shape[0], -1))

    return CNN()


def _flax_lstm():
    import flax.linen as nn

    class TextLSTM(nn.Module):
        @nn.compact
        def __call__(self, x):
            h = nn.RNN(nn.OptimizedLSTMCell(64))(nn.Embed(VOCAB, 64)(x))
            return nn.Dense(2)(h[:, -1])

    return TextLSTM()


BUILD = {"cnn": (_layers_cnn, _flax_cnn), "lstm": (_layers_lstm, _flax_lstm)}


# --- runners ------------------------------------------------------------------------------------


def _time_fit(model, x, y, batch, epochs):
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        times.append(time.perf_counter() - t0)
    return times


def bench_jnn(kind, shape_arg, x, y, batch, epochs):
    import jnn

    jnn.utils.set_random_seed(0)
    model = jnn.Sequential(BUILD[kind][0](jnn, shape_arg))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return _time_fit(model, x, y, batch, epochs)


def bench_keras(kind, shape_arg, x, y, batch, epochs):
    try:
        import keras
    except ImportError:
        return None
    keras.utils.set_random_seed(0)
    model = keras.Sequential(BUILD[kind][0](keras, shape_arg))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return _time_fit(model, x, y, batch, epochs)


def bench_fused(kind, x, y, batch, epochs):
    """One jitted ``lax.scan`` per epoch over shuffled minibatches, data already on device."""
    module = BUILD[kind][1]()
    n = x.shape[0]
    steps = n // batch
    tx = optax.adam(1e-3)
    xd, yd = jnp.asarray(x), jnp.asarray(y)
    params = module.init(jax.random.key(0), x[:1])
    opt = tx.init(params)

    def loss_fn(p, xb, yb):
        logits = module.apply(p, xb)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

    @jax.jit
    def epoch(p, o, key):
        perm = jax.random.permutation(key, n)[: steps * batch].reshape(steps, batch)

        def body(carry, idx):
            p, o = carry
            g = jax.grad(loss_fn)(p, xd[idx], yd[idx])
            u, o = tx.update(g, o, p)
            return (optax.apply_updates(p, u), o), None

        (p, o), _ = jax.lax.scan(body, (p, o), perm)
        return p, o

    times = []
    for e in range(epochs):
        t0 = time.perf_counter()
        params, opt = epoch(params, opt, jax.random.key(e))
        jax.block_until_ready(params)
        times.append(time.perf_counter() - t0)
    return times


def run_row(kind, shape_arg, x, y, batch, epochs, keras_on, dev) -> dict:
    n = x.shape[0]
    row = {"model": kind, "batch": batch, "samples": n}
    t_jnn = bench_jnn(kind, shape_arg, x, y, batch, epochs)
    row["jnn"] = n / _best(t_jnn)
    row["jnn_first_s"] = t_jnn[0]
    row["fused"] = n / _best(bench_fused(kind, x, y, batch, epochs))
    if keras_on:
        t_keras = bench_keras(kind, shape_arg, x, y, batch, epochs)
        if t_keras is not None:
            row["keras"] = n / _best(t_keras)
            row["keras_first_s"] = t_keras[0]
    parts = [
        f"{dev} {kind} B={batch:5d}",
        f"jnn {row['jnn']:,.0f}/s",
        f"fused {row['fused']:,.0f}/s",
        f"jnn/fused {row['jnn'] / row['fused']:.2f}x",
    ]
    if "keras" in row:
        parts += [
            f"keras {row['keras']:,.0f}/s",
            f"jnn/keras {row['jnn'] / row['keras']:.2f}x",
            f"first epoch jnn {row['jnn_first_s']:.1f}s keras {row['keras_first_s']:.1f}s",
        ]
    print(" | ".join(parts), flush=True)
    return row


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--batch", type=int, nargs="+", default=[32, 128, 1024], help="CNN batches")
    ap.add_argument("--lstm-batch", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=3, help="epochs timed, the first is warm-up")
    ap.add_argument("--samples", type=int, default=60000, help="CNN samples")
    ap.add_argument("--lstm-samples", type=int, default=12800)
    ap.add_argument("--image-size", type=int, default=28)
    ap.add_argument("--seq-len", type=int, default=100)
    ap.add_argument("--only", choices=["cnn", "lstm"], default=None)
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="tiny run for CI")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    if args.smoke:
        args.batch, args.epochs, args.samples, args.image_size = [32], 2, 128, 12
        args.lstm_batch, args.lstm_samples, args.seq_len, args.no_keras = 32, 64, 8, True
    dev = jax.devices()[0].platform
    results = {"device": dev, "epochs": args.epochs, "rows": []}
    keras_on = not args.no_keras
    if args.only in (None, "cnn"):
        x, y = _image_data(args.samples, args.image_size)
        for b in args.batch:
            results["rows"].append(
                run_row("cnn", args.image_size, x, y, b, args.epochs, keras_on, dev)
            )
    if args.only in (None, "lstm"):
        x, y = _sequence_data(args.lstm_samples, args.seq_len)
        results["rows"].append(
            run_row("lstm", args.seq_len, x, y, args.lstm_batch, args.epochs, keras_on, dev)
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main()
