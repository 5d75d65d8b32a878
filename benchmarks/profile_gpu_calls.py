"""Where a fit(epochs=1) call spends its time on an accelerator (host-side breakdown).

    python benchmarks/profile_gpu_calls.py [--batch 32 1024]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import jax
import numpy as np

import jnn


class EpochTimer(jnn.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, nargs="+", default=[32, 1024])
    ap.add_argument("--samples", type=int, default=60000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, args.samples).astype(np.int32)
    t0 = time.perf_counter()
    xd = jax.block_until_ready(jax.device_put(x))
    print(f"device_put x: {1e3 * (time.perf_counter() - t0):.1f} ms", flush=True)
    for b in args.batch:
        model = jnn.Sequential([jnn.layers.Dense(128, activation="relu", input_shape=(784,)),
                                jnn.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, batch_size=b, epochs=1, verbose=0)
        calls = []
        for _ in range(3):
            t0 = time.perf_counter()
            model.fit(x, y, batch_size=b, epochs=1, verbose=0)
            calls.append(time.perf_counter() - t0)
        timer = EpochTimer()
        model.fit(x, y, batch_size=b, epochs=4, verbose=0, callbacks=[timer])
        calls_dev = []
        for _ in range(3):
            t0 = time.perf_counter()
            model.fit(xd, y, batch_size=b, epochs=1, verbose=0)
            calls_dev.append(time.perf_counter() - t0)
        print(f"B{b}: fit call {1e3 * min(calls):.1f} ms; in-fit epoch "
              f"{1e3 * min(timer.times[1:]):.1f} ms; fit call on jax array "
              f"{1e3 * min(calls_dev):.1f} ms", flush=True)
        pr = cProfile.Profile()
        pr.enable()
        model.fit(x, y, batch_size=b, epochs=1, verbose=0)
        pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(14)


if __name__ == "__main__":
    main()
