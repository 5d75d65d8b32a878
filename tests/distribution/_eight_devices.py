"""Runs under XLA_FLAGS=--xla_force_host_platform_device_count=8 (test_multi_device.py).

Trains one tiny model on one device, then with DataParallel (resident and streamed data) and
ModelParallel on the 8 forced CPU devices from the same initial weights; writes weights,
histories, predictions and the shardings it saw to the .npz named on the command line.
"""

import os
import sys

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
os.environ.setdefault("JNN_COMPILATION_CACHE", "0")

import jax  # noqa: E402
import numpy as np  # noqa: E402

import jnn  # noqa: E402
from jnn import distribution  # noqa: E402
from jnn._shell.runtime import config  # noqa: E402
from jnn._shell.training import engine

N, BATCH = 37, 10  # 4 batches, the last one partial; 10 rows do not divide over 8 devices


def data():
    rs = np.random.RandomState(0)
    x = rs.randn(N, 5).astype("float32")
    return x, np.tanh(x @ rs.randn(5, 4)).astype("float32")


def build(weights=None):
    model = jnn.Sequential(
        [jnn.layers.Dense(8, input_dim=5, activation="relu"), jnn.layers.Dense(4)]
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    if weights is not None:
        model.set_weights(weights)
    return model


def _spec(a):
    return str(getattr(a.sharding, "spec", "single-device"))


def _batches(x, y):
    """A Python generator of the same batches fit makes from arrays (last one smaller)."""
    for _ in range(2):  # two epochs
        for s in range(0, len(x), BATCH):
            yield x[s:s + BATCH], y[s:s + BATCH]


def run(tag, out, weights, x, y, generator=False):
    model = build(weights)
    if generator:
        steps = -(-len(x) // BATCH)
        hist = model.fit(_batches(x, y), steps_per_epoch=steps, epochs=2, verbose=0)
    else:
        hist = model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    out[f"{tag}_loss"] = np.array(hist.history["loss"])
    for i, w in enumerate(model.get_weights()):
        out[f"{tag}_w{i}"] = w
    out[f"{tag}_pred"] = model.predict(x, batch_size=BATCH, verbose=0)
    out[f"{tag}_eval"] = np.array(model.evaluate(x, y, batch_size=BATCH, verbose=0))
    ts = model._train_state
    out[f"{tag}_specs"] = np.array([_spec(a) for a in jax.tree.leaves(ts.params)])
    mu = ts.opt_state.rule.mu if hasattr(ts.opt_state, "rule") else None
    if mu is not None:
        out[f"{tag}_mu_specs"] = np.array([_spec(a) for a in jax.tree.leaves(mu)])
    out[f"{tag}_ndev"] = np.array([len(a.sharding.device_set) for a in jax.tree.leaves(ts.params)])
    return model


def compiled_text(model, x, y):
    """HLO of the cached train chunk, run on the same placed arrays fit used."""
    fn = next(f for k, f in model._engine.cache.items() if k[0] == "train")
    dev = engine.DeviceData(x, [y], None)
    idx, mask = engine.batch_plan(N, BATCH, False, None)
    chunk, idx_c, mask_c, _, _ = next(dev.chunks(idx, mask, idx.shape[0]))
    out = {"mask_spec": str(mask_c.sharding.spec), "mask_shape": str(mask_c.shape)}
    out["hlo"] = fn.lower(model._train_state, chunk, idx_c, mask_c, True).compile().as_text()
    return out


def main(path):
    x, y = data()
    out = {"devices": np.array(jax.device_count())}
    weights = build().get_weights()
    run("single", out, weights, x, y)

    distribution.set_distribution(distribution.DataParallel())
    dp = run("dp", out, weights, x, y)
    info = compiled_text(dp, x, y)
    out["dp_all_reduce"] = np.array("all-reduce" in info["hlo"])
    out["dp_mask_spec"], out["dp_mask_shape"] = info["mask_spec"], info["mask_shape"]

    config.set_device_memory_budget(2 * BATCH * 36 + 80)  # streamed: one batch per chunk
    run("stream", out, weights, x, y)
    config.set_device_memory_budget(None)
    run("gen", out, weights, x, y, generator=True)  # generator batches split over devices

    mesh = distribution.DeviceMesh((2, 4), ("batch", "model"))
    layout_map = distribution.LayoutMap(mesh)
    layout_map["dense.*kernel"] = (None, "model")
    layout_map["dense.*bias"] = ("model",)
    distribution.set_distribution(
        distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
    )
    run("mp", out, weights, x, y)
    distribution.set_distribution(None)
    np.savez(path, **out)


if __name__ == "__main__":
    main(sys.argv[1])
