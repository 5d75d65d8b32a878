"""Per-epoch time inside one fit(epochs=E), with parts of the step switched off, to find
what the fused jnn step costs over a hand-written one.

    python benchmarks/ablate_step.py [BATCH] [SAMPLES]
"""

import sys
import time

import numpy as np
import optax

import jnn

sys.path.insert(0, "benchmarks")
import bench_fit as bf  # noqa: E402

B = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
N = int(sys.argv[2]) if len(sys.argv) > 2 else 60000
x, y = bf._data("mlp", N)


class Timer(jnn.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.t = [time.perf_counter()]

    def on_epoch_end(self, epoch, logs=None):
        self.t.append(time.perf_counter())


def run(label, opt="adam", metrics=("accuracy",), act="softmax", loss="sparse_categorical_crossentropy"):
    m = jnn.Sequential([jnn.layers.Dense(128, activation="relu", input_shape=(784,)),
                        jnn.layers.Dense(10, activation=act)])
    m.compile(optimizer=opt, loss=loss, metrics=list(metrics))
    t = Timer()
    m.fit(x, y, batch_size=B, epochs=4, verbose=0, callbacks=[t])
    d = np.diff(t.t)
    print(f"{label:40s} per-epoch {min(d[1:]) * 1e3:7.2f} ms  {N / min(d[1:]):12,.0f}/s", flush=True)


print(f"hand-written fused epoch: {bf.bench_handwritten('mlp', x, y, B, 3, True):,.0f}/s")
run("jnn default (keras adam, accuracy)")
run("jnn no metrics", metrics=())
run("jnn optax.adam", opt=optax.adam(1e-3))
run("jnn optax.adam, no metrics", opt=optax.adam(1e-3), metrics=())
run("jnn logits loss, optax.adam, no metrics", opt=optax.adam(1e-3), metrics=(), act=None,
    loss=jnn.losses.SparseCategoricalCrossentropy(from_logits=True))
run("jnn sgd, no metrics", opt="sgd", metrics=())
