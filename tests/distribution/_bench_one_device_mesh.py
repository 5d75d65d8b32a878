"""Throughput of fit with DataParallel on a 1-device mesh vs plain fit (run on a GPU).

    python tests/distribution/_bench_one_device_mesh.py [--samples 60000] [--batch 128]

Prints samples/s for: plain fit, DataParallel fit, and both again with the host batch plan
(the path a multi-device mesh takes); the ratios are DataParallel / plain.
"""

import argparse
import time

import jax
import numpy as np

import jnn
from jnn import distribution
from jnn._shell.training import engine


def build():
    model = jnn.Sequential(
        [
            jnn.layers.Dense(128, input_dim=784, activation="relu"),
            jnn.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def throughput(x, y, batch, epochs, repeats=3):
    model = build()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # compile
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0)
        best = min(best, (time.perf_counter() - start) / epochs)
    return len(x) / best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    rs = np.random.default_rng(0)
    x = rs.random((args.samples, 784), dtype=np.float32)
    y = rs.integers(0, 10, args.samples).astype(np.int32)
    print("devices:", jax.devices())
    one = distribution.DataParallel(devices=jax.devices()[:1])
    results = {}
    for plan in ("device", "host"):
        if plan == "host":
            engine.plan_on_device = lambda: False
        for name, dist in (("plain", None), ("data_parallel", one)):
            distribution.set_distribution(dist)
            results[plan, name] = throughput(x, y, args.batch, args.epochs)
            print(f"{plan} plan, {name}: {results[plan, name]:,.0f} samples/s", flush=True)
        distribution.set_distribution(None)
        ratio = results[plan, "data_parallel"] / results[plan, "plain"]
        print(f"{plan} plan: DataParallel(1 device) / plain = {ratio:.3f}", flush=True)


if __name__ == "__main__":
    main()
