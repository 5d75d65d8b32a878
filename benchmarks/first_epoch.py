"""First epoch (compilation included) vs steady epochs, per scan unroll, each in a fresh process.

The fused engine's whole-epoch program is unrolled ``JNN_SCAN_UNROLL`` steps per loop
iteration on accelerators (default 8): faster epochs at small batches, longer compilation.
This script measures that trade in one run: for every unroll (and optional ``XLA_FLAGS``
variants) a fresh process with the persistent compilation cache off times jnn's first
``fit(epochs=1)`` and then the best of ``--epochs`` epochs; Keras 3's first epoch is measured
the same way as the reference (the issue's target: jnn's first epoch <= 1.5x Keras's).

    python benchmarks/first_epoch.py --models mlp cnn --batch 32 1024 --unroll 1 2 4 8 \\
        [--xla-flags "--xla_gpu_force_compilation_parallelism=16"] [--samples 60000]

On a CPU the unroll does not apply (the CPU runs plain loops); the script still runs there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

_CHILD = r"""
import json, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[1])))
import bench_fit as bf
lib_name, model_kind, batch, samples, epochs = sys.argv[2], sys.argv[3], int(sys.argv[4]), \
    int(sys.argv[5]), int(sys.argv[6])
if lib_name == "keras":
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras as lib
else:
    import jnn as lib
x, y = bf._data(model_kind, samples)
model = lib.Sequential([lib.Input(x.shape[1:])] + bf._layers(lib, model_kind))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
t0 = time.perf_counter()
model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
first = time.perf_counter() - t0
best = float("inf")
for _ in range(epochs):
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    best = min(best, time.perf_counter() - t0)
print(json.dumps({"first_s": first, "epoch_s": best}))
"""


def _run(lib: str, model: str, batch: int, samples: int, epochs: int, env: dict) -> dict:
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_fit.py")
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, here, lib, model, str(batch), str(samples), str(epochs)],
        env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--models", nargs="+", choices=["mlp", "cnn"], default=["mlp"])
    ap.add_argument("--batch", type=int, nargs="+", default=[32])
    ap.add_argument("--unroll", type=int, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--xla-flags", nargs="*", default=[""],
                    help="XLA_FLAGS variants to try with every unroll ('' = none)")
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=2, help="steady epochs timed after the first")
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    base = dict(os.environ, JNN_COMPILATION_CACHE="0")
    rows = []
    for model in args.models:
        for batch in args.batch:
            keras = None
            if not args.no_keras:
                try:
                    keras = _run("keras", model, batch, args.samples, args.epochs, base)
                except subprocess.CalledProcessError as exc:  # Keras not installed
                    print(f"keras skipped: {exc.stderr.strip().splitlines()[-1]}")
            for flags in args.xla_flags:
                for unroll in args.unroll:
                    env = dict(base, JNN_SCAN_UNROLL=str(unroll))
                    if flags:
                        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + flags).strip()
                    got = _run("jnn", model, batch, args.samples, args.epochs, env)
                    row = {"model": model, "batch": batch, "unroll": unroll, "xla_flags": flags,
                           **got, "keras": keras}
                    rows.append(row)
                    ratio = (f" | first epoch jnn/keras {got['first_s'] / keras['first_s']:.2f}x"
                             f", epoch jnn/keras {keras['epoch_s'] / got['epoch_s']:.2f}x speed"
                             if keras else "")
                    print(f"{model} B={batch} unroll={unroll} {flags or ''}| first epoch "
                          f"{got['first_s']:.2f} s, epoch {got['epoch_s'] * 1e3:.1f} ms{ratio}",
                          flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return rows


if __name__ == "__main__":
    main()
