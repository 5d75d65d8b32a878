"""Side-by-side training throughput: jnn fit vs hand-written JAX loops vs Keras 3 (JAX backend).

One process, the same synthetic MNIST-shaped data (28x28x1 / 784 features, 10 classes), Adam +
sparse crossentropy, for

* ``mlp``: Dense(128, relu) -> Dense(10, softmax) on 784 inputs;
* ``cnn``: Conv2D(32,3,relu) -> MaxPool -> Conv2D(64,3,relu) -> MaxPool -> Flatten -> Dense(10).

For jnn and Keras 3 it measures, after a warm-up ``fit(epochs=1)`` (its wall time is reported as
the first epoch, compilation included):

* ``epoch``: ``fit(epochs=E)`` wall time / E — epochs inside one fit, the data moved once;
* ``call``: a ``fit(epochs=1)`` call — what the Keras anchors time (data moved per call);
* ``evaluate`` / ``predict`` throughput (calls after a warm-up call).

The hand-written loops put the data on the device once: ``fused`` scans a whole epoch in one jit
(the limit), ``jit-step`` dispatches one jitted step per batch. jnn/Keras compares the
``epoch`` figures on numpy data (both copy it to the device once per fit call); jnn/fused
compares jnn fed jax arrays (already on the device, as the fused loop's are) with the fused loop.

Side by side: every framework is built and warmed up first, then ``--rounds`` rounds each time
all of them in turn, and each figure keeps its best round — a busy machine slows all columns
alike instead of whichever ran during the disturbance. Peak host RSS is read after each
framework's warm-up (the process peak so far, so the Keras column includes jnn's).

    python benchmarks/bench_fit.py --models mlp cnn --batch 32 128 1024 --epochs 3 \
        [--rounds 3] [--samples 60000] [--json out.json] [--markdown out.md]
    python benchmarks/bench_fit.py --smoke       # tiny CI-sized run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402


def _data(model: str, n: int):
    rng = np.random.default_rng(0)
    shape = (n, 784) if model == "mlp" else (n, 28, 28, 1)
    return rng.random(shape, dtype=np.float32), rng.integers(0, 10, n).astype(np.int32)


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def _layers(lib, model: str) -> list:
    L = lib.layers
    if model == "mlp":
        return [L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")]
    return [L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(), L.Conv2D(64, 3, activation="relu"),
            L.MaxPooling2D(), L.Flatten(), L.Dense(10, activation="softmax")]


class _Framework:
    """jnn or Keras 3 on one (model, batch): the same measurements through the same public API.

    Construction builds, compiles and runs the warm-up ``fit(epochs=1)`` (its wall time is the
    first epoch, compilation included) and warms evaluate / predict. :meth:`measure` then times
    one round; :func:`_rounds` interleaves rounds of all the frameworks so that a noisy machine
    slows them alike, and keeps each figure's best round.
    """

    def __init__(self, lib, model_kind: str, x, y, batch: int, epochs: int):
        self.lib, self.x, self.y, self.batch, self.epochs = lib, x, y, batch, epochs
        self.model = lib.Sequential([lib.Input(x.shape[1:])] + _layers(lib, model_kind))
        self.model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                           metrics=["accuracy"])
        t0 = time.perf_counter()
        self.model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        self.first_s = time.perf_counter() - t0
        self.model.evaluate(x, y, batch_size=batch, verbose=0)
        self.model.predict(x, batch_size=batch, verbose=0)
        self.on_device = None
        if lib.__name__ == "jnn":  # jax arrays stay on the device across calls: no per-call copy
            self.on_device = (jnp.asarray(x), jnp.asarray(y))
            self.model.fit(*self.on_device, batch_size=batch, epochs=1, verbose=0)

    def measure(self) -> dict:
        """One round: samples/s of each figure."""
        m, x, y, b, n, e = self.model, self.x, self.y, self.batch, self.x.shape[0], self.epochs

        def rate(fn, samples=n):
            t0 = time.perf_counter()
            fn()
            return samples / (time.perf_counter() - t0)

        out = {"call": rate(lambda: m.fit(x, y, batch_size=b, epochs=1, verbose=0)),
               "epoch": rate(lambda: m.fit(x, y, batch_size=b, epochs=e, verbose=0), n * e),
               "eval": rate(lambda: m.evaluate(x, y, batch_size=b, verbose=0)),
               "predict": rate(lambda: m.predict(x, batch_size=b, verbose=0))}
        if self.on_device is not None:
            out["epoch_on_device"] = rate(
                lambda: m.fit(*self.on_device, batch_size=b, epochs=e, verbose=0), n * e)
        return out


def _rounds(runners: dict, rounds: int) -> dict:
    """Interleaved rounds of ``runners`` (name -> object with ``measure()``); best of each."""
    best: dict = {name: {} for name in runners}
    for _ in range(rounds):
        for name, runner in runners.items():
            for key, value in runner.measure().items():
                best[name][key] = max(best[name].get(key, 0.0), value)
    return best


def bench_generator(model_kind, x, y, batch, epochs) -> float:
    """jnn fit fed by a cheap infinite Python generator of batch slices (samples/s)."""
    import jnn

    jnn.utils.set_random_seed(0)
    model = jnn.Sequential([jnn.Input(x.shape[1:])] + _layers(jnn, model_kind))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    n = x.shape[0]
    steps = -(-n // batch)

    def batches():
        while True:
            for i in range(0, n, batch):
                yield x[i:i + batch], y[i:i + batch]

    it = batches()
    model.fit(it, steps_per_epoch=steps, epochs=1, verbose=0)  # warm-up (compilation)
    t0 = time.perf_counter()
    model.fit(it, steps_per_epoch=steps, epochs=epochs, verbose=0)
    return n * epochs / (time.perf_counter() - t0)


def bench_callbacks(model_kind, x, y, batch, epochs) -> float:
    """jnn epoch throughput with EarlyStopping + ModelCheckpoint + CSVLogger / without."""
    import tempfile

    import jnn

    def epoch_rate(callbacks) -> float:
        jnn.utils.set_random_seed(0)
        model = jnn.Sequential([jnn.Input(x.shape[1:])] + _layers(jnn, model_kind))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0, callbacks=callbacks())
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=callbacks())
        return x.shape[0] * epochs / (time.perf_counter() - t0)

    with tempfile.TemporaryDirectory() as tmp:
        def with_callbacks():
            return [jnn.callbacks.EarlyStopping(monitor="loss", patience=100),
                    jnn.callbacks.ModelCheckpoint(os.path.join(tmp, "m.weights.h5"),
                                                  monitor="loss", save_weights_only=True),
                    jnn.callbacks.CSVLogger(os.path.join(tmp, "log.csv"))]
        plain = epoch_rate(lambda: None)
        return epoch_rate(with_callbacks) / plain


def _keras():
    try:
        import keras
    except ImportError:
        return None
    return keras


def _flax_net(model_kind: str):
    import flax.linen as nn

    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.Dense(10)(nn.relu(nn.Dense(128)(x)))

    class CNN(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.max_pool(nn.relu(nn.Conv(32, (3, 3), padding="VALID")(x)), (2, 2), (2, 2))
            x = nn.max_pool(nn.relu(nn.Conv(64, (3, 3), padding="VALID")(x)), (2, 2), (2, 2))
            return nn.Dense(10)(x.reshape((x.shape[0], -1)))

    return MLP() if model_kind == "mlp" else CNN()


class _HandWritten:
    """A hand-written loop with the data on the device: ``fused`` scans a whole epoch in one
    jit (the limit), else one jitted step per batch is dispatched."""

    def __init__(self, model_kind, x, y, batch, epochs, fused: bool):
        n = x.shape[0]
        m = _flax_net(model_kind)
        tx = optax.adam(1e-3)
        xd, yd = jnp.asarray(x), jnp.asarray(y)
        self.n, self.epochs, self.e = n, epochs, 0

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

        if fused:
            @jax.jit
            def epoch(p, o, key):
                perm = jax.random.permutation(key, n)[: steps * batch].reshape(steps, batch)
                (p, o), _ = jax.lax.scan(lambda c, idx: (one(*c, idx), None), (p, o), perm)
                return p, o

            def run_epoch(p, o, e):
                return epoch(p, o, jax.random.key(e))
        else:
            step = jax.jit(one)

            def run_epoch(p, o, e):
                perm = jax.random.permutation(jax.random.key(e), n)[: steps * batch]
                perm = perm.reshape(steps, batch)
                for i in range(steps):
                    p, o = step(p, o, perm[i])
                return p, o

        self.run_epoch = run_epoch
        self.state = jax.block_until_ready(run_epoch(params, opt, 0))  # compile

    def measure(self) -> dict:
        t0 = time.perf_counter()
        for _ in range(self.epochs):
            self.e += 1
            self.state = self.run_epoch(*self.state, self.e)
            jax.block_until_ready(self.state)
        return {"epoch": self.n * self.epochs / (time.perf_counter() - t0)}


def bench_handwritten(model_kind, x, y, batch, epochs, fused: bool) -> float:
    """Samples/s of a hand-written loop (data on the device), over ``epochs`` after one."""
    return _HandWritten(model_kind, x, y, batch, epochs, fused).measure()["epoch"]


def _fmt_row(dev: str, row: dict) -> str:
    parts = [f"{dev} {row['model']} B={row['batch']:5d}",
             f"jnn {row['jnn']['epoch']:,.0f}/s (call {row['jnn']['call']:,.0f}/s, "
             f"jax arrays {row['jnn']['epoch_on_device']:,.0f}/s)",
             f"fused {row['fused']:,.0f}/s", f"jnn/fused {row['jnn_over_fused']:.2f}x"]
    if "jit_per_step" in row:
        parts.append(f"jit-step {row['jit_per_step']:,.0f}/s")
    if "keras" in row:
        k, j = row["keras"], row["jnn"]
        parts += [f"keras {k['epoch']:,.0f}/s", f"jnn/keras {row['jnn_over_keras']:.2f}x",
                  f"call jnn/keras {j['call'] / k['call']:.2f}x",
                  f"eval {j['eval'] / k['eval']:.2f}x", f"predict {j['predict'] / k['predict']:.2f}x",
                  f"first epoch jnn {j['first_s']:.1f}s keras {k['first_s']:.1f}s"]
    return " | ".join(parts)


def markdown(results: dict) -> str:
    """The README table: one row per model and batch size."""
    head = ("| model | batch | jnn fit | Keras 3 fit | jnn fit, jax arrays | fused limit "
            "| jnn/Keras | jnn (jax arrays)/fused "
            "| fit-call jnn/Keras | evaluate jnn/Keras | predict jnn/Keras | first epoch jnn / Keras |")
    lines = [f"Device: {results['device']}, {results['samples']:,} samples, "
             f"samples/s (epochs inside one fit, after a warm-up fit).", "", head,
             "|" + "---|" * 12]
    for r in results["rows"]:
        j, k = r["jnn"], r.get("keras")

        def ratio(key, j=j, k=k):
            return f"{j[key] / k[key]:.2f}x" if k else "-"

        first = f"{j['first_s']:.1f} s / " + (f"{k['first_s']:.1f} s" if k else "-")
        keras_epoch = f"{k['epoch']:,.0f}" if k else "-"
        lines.append(
            f"| {r['model']} | {r['batch']} | {j['epoch']:,.0f} | {keras_epoch} | "
            f"{j['epoch_on_device']:,.0f} | {r['fused']:,.0f} | {ratio('epoch')} | {r['jnn_over_fused']:.2f}x | "
            f"{ratio('call')} | {ratio('eval')} | {ratio('predict')} | {first} |")
    lines.append("")
    lines.append("Peak host RSS (MB, process peak after each framework): " + ", ".join(
        f"{r['model']}/{r['batch']}: jnn {r['jnn']['peak_rss_mb']:.0f}"
        + (f", keras {r['keras']['peak_rss_mb']:.0f}" if "keras" in r else "")
        for r in results["rows"]))
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--models", nargs="+", choices=["mlp", "cnn"], default=["mlp", "cnn"])
    ap.add_argument("--batch", type=int, nargs="+", default=[32, 128, 1024])
    ap.add_argument("--epochs", type=int, default=3, help="epochs timed after the warm-up")
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--rounds", type=int, default=3,
                    help="interleaved rounds of all frameworks; each figure keeps its best")
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--jit-step", action="store_true", help="also time a jitted step per batch")
    ap.add_argument("--callbacks", action="store_true",
                    help="also time jnn with EarlyStopping + ModelCheckpoint + CSVLogger")
    ap.add_argument("--smoke", action="store_true", help="tiny run for CI")
    ap.add_argument("--generator", action="store_true",
                    help="also time jnn fed by a Python generator (ratio to array-fed fit)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args(argv)
    if args.smoke:
        args.batch, args.epochs, args.samples, args.no_keras = [32], 1, 256, True
        args.rounds = 1
        args.models = ["mlp"]
    dev = jax.devices()[0].device_kind if jax.devices()[0].platform != "cpu" else (
        f"cpu ({os.cpu_count()} cores)")
    results = {"device": dev, "samples": args.samples, "epochs": args.epochs, "rows": []}
    for model_kind in args.models:
        x, y = _data(model_kind, args.samples)
        for b in args.batch:
            row: dict = {"model": model_kind, "batch": b}
            import jnn

            jnn.utils.set_random_seed(0)
            runners: dict = {"jnn": _Framework(jnn, model_kind, x, y, b, args.epochs)}
            rss = {"jnn": _peak_rss_mb()}
            runners["fused"] = _HandWritten(model_kind, x, y, b, args.epochs, fused=True)
            if args.jit_step:
                runners["jit_step"] = _HandWritten(model_kind, x, y, b, args.epochs, False)
            keras = None if args.no_keras else _keras()
            if keras is not None:
                keras.utils.set_random_seed(0)
                runners["keras"] = _Framework(keras, model_kind, x, y, b, args.epochs)
                rss["keras"] = _peak_rss_mb()
            best = _rounds(runners, args.rounds)
            row["jnn"] = dict(best["jnn"], first_s=runners["jnn"].first_s,
                              peak_rss_mb=rss["jnn"])
            row["fused"] = best["fused"]["epoch"]
            row["jnn_over_fused"] = row["jnn"]["epoch_on_device"] / row["fused"]
            if args.jit_step:
                row["jit_per_step"] = best["jit_step"]["epoch"]
            if keras is not None:
                row["keras"] = dict(best["keras"], first_s=runners["keras"].first_s,
                                    peak_rss_mb=rss["keras"])
                row["jnn_over_keras"] = row["jnn"]["epoch"] / row["keras"]["epoch"]
            del runners
            if args.generator:
                row["generator"] = bench_generator(model_kind, x, y, b, args.epochs)
                row["generator_over_arrays"] = row["generator"] / row["jnn"]["epoch"]
                print(f"{model_kind} batch {b}: generator-fed fit {row['generator']:,.0f}/s, "
                      f"{row['generator_over_arrays']:.2f}x array-fed", flush=True)
            if args.callbacks:
                row["callbacks_over_plain"] = bench_callbacks(model_kind, x, y, b, args.epochs)
                print(f"{model_kind} B={b}: jnn with EarlyStopping + ModelCheckpoint + "
                      f"CSVLogger / without: {row['callbacks_over_plain']:.2f}x", flush=True)
            results["rows"].append(row)
            print(_fmt_row(dev, row), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    table = markdown(results)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table)
    print(table)
    return results


if __name__ == "__main__":
    main()
