"""Where does one fit(epochs=1) call spend its time? (cProfile of the host side)

    python benchmarks/profile_fit.py [BATCH]
"""

import cProfile
import pstats
import sys
import time

import numpy as np

import jnn

B = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
x = np.random.default_rng(0).random((60000, 784), dtype=np.float32)
y = np.random.default_rng(1).integers(0, 10, 60000).astype("int32")
m = jnn.Sequential([jnn.layers.Dense(128, activation="relu", input_shape=(784,)),
                    jnn.layers.Dense(10, activation="softmax")])
m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
m.fit(x, y, batch_size=B, epochs=1, verbose=0)
for _ in range(2):
    t0 = time.perf_counter()
    m.fit(x, y, batch_size=B, epochs=1, verbose=0)
    print("fit(epochs=1)", time.perf_counter() - t0)
t0 = time.perf_counter()
m.fit(x, y, batch_size=B, epochs=5, verbose=0)
print("fit(epochs=5) per epoch", (time.perf_counter() - t0) / 5)
pr = cProfile.Profile()
pr.enable()
m.fit(x, y, batch_size=B, epochs=1, verbose=0)
pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(15)
