"""Run in a fresh process: 4 fake CPU devices (chex.set_n_cpu_devices must run before JAX
initialises its backends). Prints JSON: the data-parallel train step over the 4 devices against
the single-device step on the whole batch."""

import json

import chex

chex.set_n_cpu_devices(4)

import jax  # noqa: E402
import numpy as np  # noqa: E402
from jax.sharding import Mesh, NamedSharding  # noqa: E402
from jax.sharding import PartitionSpec as P  # noqa: E402

import jnn  # noqa: E402
from jnn import training  # noqa: E402


def main():
    model = jnn.Sequential([jnn.Input((3,)), jnn.layers.Dense(4, activation="tanh"),
                            jnn.layers.Dense(1)])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3)).astype(np.float32)
    y = rng.standard_normal((8, 1)).astype(np.float32)
    variables = model.init(jax.random.key(0), x)
    step = training.make_train_step(model, "mse", "adam")
    ts = training.TrainState.create(variables, step.optimizer, step.objectives)
    batch = training.Batch(x, [y])
    jitted = jax.jit(step)
    single = ts
    for _ in range(3):
        single, single_logs = jitted(single, batch)

    mesh = Mesh(np.array(jax.devices()), ("batch",))
    replicated = jax.device_put(ts, NamedSharding(mesh, P()))
    sharded = jax.device_put(batch, NamedSharding(mesh, P("batch")))
    parallel = replicated
    for _ in range(3):
        parallel, parallel_logs = jitted(parallel, sharded)
    chex.assert_trees_all_close(parallel.params, single.params, rtol=1e-5, atol=1e-6)
    chex.assert_trees_all_close(parallel_logs, single_logs, rtol=1e-5, atol=1e-6)
    chex.assert_tree_all_finite(parallel.opt_state)
    print(json.dumps({
        "devices": jax.device_count(),
        "batch_devices": len(sharded.x.sharding.device_set),
        "loss_single": float(single_logs["loss"]),
        "loss_parallel": float(parallel_logs["loss"]),
    }))


if __name__ == "__main__":
    main()
