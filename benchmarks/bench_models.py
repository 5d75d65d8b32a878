"""Real-size models side by side: jnn fit vs Keras 3 (defaults and best setting) vs Flax + optax.

One process, synthetic data, Adam + sparse crossentropy, for

* ``resnet50``: ``jnn.applications.ResNet50(weights=None)`` / ``keras.applications.ResNet50``
  on 96x96x3 images (CPU) or 224x224x3 (GPU), 10 classes;
* ``mobilenetv2``: ``MobileNetV2(weights=None)`` likewise;
* ``gpt``: a GPT-style decoder built from layers: token ``Embedding`` + positional ``Embedding``
  (positions are a second input), N x [LayerNorm, causal ``MultiHeadAttention``, residual,
  LayerNorm, Dense-GELU-Dense, residual], LayerNorm, Dense to the vocabulary; next-token loss;
* ``mlp``, ``cnn`` (``bench_fit.py``'s) and ``lstm`` (``bench_zoo.py``'s Embedding-LSTM).

Columns, per model (samples/s; each figure the best of ``--rounds`` interleaved rounds, the
machinery of ``bench_fit.py``, so a busy machine slows all columns alike):

* ``jnn``: ``fit(epochs=E)`` / E; ``keras``: Keras 3 at its defaults (``compile()`` as is);
  ``keras best``: the best of ``steps_per_execution`` in ``--spe`` with ``jit_compile=True``;
  ``flax``: a hand-written Flax (linen) + optax loop, one jitted step per batch, data on the
  device; ``predict`` throughput for each;
* ``first epoch``: the warm-up ``fit(epochs=1)`` wall time (compilation included, the persistent
  compilation caches off), and ``build``: the model's construction (``init`` of the weights);
* ``RSS``: the process's peak host RSS after each framework's warm-up (a process peak: later
  columns include earlier ones); ``device MB``: the device's ``peak_bytes_in_use`` likewise (GPU);
* ``MFU``: model FLOPs per training step, from XLA's cost analysis of the compiled Flax step
  (``jax.jit(step).lower(...).compile().cost_analysis()``; the same numerator for every column),
  times steps/s, over the peak FLOP/s: on CPU measured in the same run by a large matmul (an
  interleaved "runner" too; the run's best), on a known GPU the datasheet's dense peak for the
  compute dtype. XLA's cost analysis counts a loop body once: the LSTM's FLOPs (a scan over
  the sequence) are undercounted by the sequence length, so its MFU is a lower bound.

``--dtype-policy mixed_bfloat16`` sets both frameworks' global policy (bf16 compute, f32
weights) and builds the Flax peers with ``dtype=bfloat16`` (the MLP/CNN/LSTM peers, shared
with the other benchmarks, have no dtype argument: their column is left out then).

    python benchmarks/bench_models.py --rounds 2 --markdown out.md    # CPU sizes
    python benchmarks/bench_models.py --models gpt resnet50 --dtype-policy mixed_bfloat16
    python benchmarks/bench_models.py --smoke                          # tiny, for CI
    # GPU (224x224 images, GPT d=768 x 12 layers, vocab 32k), one command:
    python benchmarks/bench_models.py --gpu-sizes --rounds 3 --json gpu.json --markdown gpu.md
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ["JNN_COMPILATION_CACHE"] = "0"  # first-epoch times include compilation

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
from bench_fit import _data as _fit_data  # noqa: E402
from bench_fit import _flax_net, _peak_rss_mb, _rounds  # noqa: E402
from bench_fit import _layers as _fit_layers  # noqa: E402
from bench_zoo import _flax_lstm, _layers_lstm, _sequence_data  # noqa: E402

jax.config.update("jax_enable_compilation_cache", False)

MODELS = ("resnet50", "mobilenetv2", "gpt", "mlp", "cnn", "lstm")

# Dense peak FLOP/s per compute dtype (datasheets, SXM parts, no sparsity). float32 matmuls run
# as TF32 on these GPUs under XLA's default precision.
GPU_PEAK = {
    "H100": {"bfloat16": 989e12, "float32": 495e12},
    "H200": {"bfloat16": 989e12, "float32": 495e12},
    "A100": {"bfloat16": 312e12, "float32": 156e12},
}

# Per-model sizes: (batch, samples, extra). CPU sizes fit 2 cores; GPU sizes are the issue's.
CPU_SIZES = {
    "resnet50": {"batch": 16, "samples": 64, "image": 96},
    "mobilenetv2": {"batch": 32, "samples": 128, "image": 96},
    "gpt": {"batch": 8, "samples": 32, "seq": 256, "vocab": 8192, "width": 256, "depth": 4,
            "heads": 4},
    "mlp": {"batch": 32, "samples": 8192},
    "cnn": {"batch": 32, "samples": 2048},
    "lstm": {"batch": 64, "samples": 1024, "seq": 100},
}
GPU_SIZES = {
    "resnet50": {"batch": 32, "samples": 32 * 16, "image": 224},
    "mobilenetv2": {"batch": 32, "samples": 32 * 16, "image": 224},
    "gpt": {"batch": 32, "samples": 32 * 8, "seq": 256, "vocab": 32768, "width": 768,
            "depth": 12, "heads": 12},
    "mlp": {"batch": 1024, "samples": 60000},
    "cnn": {"batch": 32, "samples": 60000},
    "lstm": {"batch": 64, "samples": 12800, "seq": 100},
}
SMOKE_SIZES = {
    "resnet50": {"batch": 2, "samples": 4, "image": 32},
    "mobilenetv2": {"batch": 2, "samples": 4, "image": 32},
    "gpt": {"batch": 2, "samples": 8, "seq": 16, "vocab": 64, "width": 16, "depth": 1,
            "heads": 2},
    "mlp": {"batch": 32, "samples": 128},
    "cnn": {"batch": 16, "samples": 32},
    "lstm": {"batch": 16, "samples": 32, "seq": 8},
}


# --- data -----------------------------------------------------------------------------------


def make_data(kind: str, cfg: dict):
    """``(x, y)`` numpy arrays for ``kind`` (``x`` a list of two for the GPT)."""
    n = cfg["samples"]
    rng = np.random.default_rng(0)
    if kind in ("mlp", "cnn"):
        return _fit_data(kind, n)
    if kind == "lstm":
        return _sequence_data(n, cfg["seq"])
    if kind == "gpt":
        tokens = rng.integers(0, cfg["vocab"], (n, cfg["seq"] + 1)).astype(np.int32)
        positions = np.broadcast_to(np.arange(cfg["seq"], dtype=np.int32), (n, cfg["seq"]))
        return [tokens[:, :-1], np.ascontiguousarray(positions)], tokens[:, 1:]
    size = cfg["image"]
    return rng.random((n, size, size, 3), dtype=np.float32), rng.integers(0, 10, n).astype(
        np.int32)


# --- the models through the Keras API (jnn or keras) ---------------------------------------


def _gpt(lib, cfg: dict, mixed: bool):
    L = lib.layers
    t, d = cfg["seq"], cfg["width"]
    tokens = lib.Input((t,), dtype="int32")
    positions = lib.Input((t,), dtype="int32")
    h = L.Add()([L.Embedding(cfg["vocab"], d)(tokens), L.Embedding(t, d)(positions)])
    for _ in range(cfg["depth"]):
        a = L.LayerNormalization()(h)
        a = L.MultiHeadAttention(cfg["heads"], d // cfg["heads"])(a, a, use_causal_mask=True)
        h = L.Add()([h, a])
        f = L.LayerNormalization()(h)
        f = L.Dense(d, activation=None)(L.Dense(4 * d, activation="gelu")(f))
        h = L.Add()([h, f])
    logits = L.Dense(cfg["vocab"])(L.LayerNormalization()(h))
    if mixed:  # the loss in float32 (Keras's mixed-precision guide)
        logits = L.Activation("linear", dtype="float32")(logits)
    return lib.Model([tokens, positions], logits)


def build_model(lib, kind: str, cfg: dict, mixed: bool = False):
    """The benchmark's ``kind`` through ``lib``'s Keras API (``jnn`` or ``keras``)."""
    if kind == "resnet50":
        return lib.applications.ResNet50(
            weights=None, input_shape=(cfg["image"], cfg["image"], 3), classes=10)
    if kind == "mobilenetv2":
        return lib.applications.MobileNetV2(
            weights=None, input_shape=(cfg["image"], cfg["image"], 3), classes=10)
    if kind == "gpt":
        return _gpt(lib, cfg, mixed)
    if kind == "lstm":
        return lib.Sequential(_layers_lstm(lib, cfg["seq"]))
    shape = (784,) if kind == "mlp" else (28, 28, 1)
    return lib.Sequential([lib.Input(shape)] + _fit_layers(lib, kind))


def _loss(lib, kind: str):
    if kind == "gpt":
        return lib.losses.SparseCategoricalCrossentropy(from_logits=True)
    return "sparse_categorical_crossentropy"


# --- the hand-written Flax peers ------------------------------------------------------------


def _flax_module(kind: str, cfg: dict, dtype):
    """A Flax (linen) module for ``kind``; ``None`` where the peer has no ``dtype`` and
    ``dtype`` is not float32."""
    import flax.linen as nn

    if kind in ("mlp", "cnn", "lstm"):
        if dtype != jnp.float32:
            return None
        return _flax_net(kind) if kind != "lstm" else _flax_lstm()

    def bn(train):
        return nn.BatchNorm(use_running_average=not train, momentum=0.99, epsilon=1e-3,
                            dtype=dtype)

    if kind == "resnet50":
        class Bottleneck(nn.Module):
            filters: int
            strides: int
            project: bool

            @nn.compact
            def __call__(self, x, train):
                s = (self.strides, self.strides)
                short = x
                if self.project:
                    short = bn(train)(nn.Conv(4 * self.filters, (1, 1), s, dtype=dtype)(x))
                y = nn.relu(bn(train)(nn.Conv(self.filters, (1, 1), s, dtype=dtype)(x)))
                y = nn.relu(bn(train)(nn.Conv(self.filters, (3, 3), dtype=dtype)(y)))
                y = bn(train)(nn.Conv(4 * self.filters, (1, 1), dtype=dtype)(y))
                return nn.relu(short + y)

        class ResNet50(nn.Module):
            @nn.compact
            def __call__(self, x, train):
                x = nn.Conv(64, (7, 7), (2, 2), padding=[(3, 3), (3, 3)], dtype=dtype)(x)
                x = nn.relu(bn(train)(x))
                x = nn.max_pool(x, (3, 3), (2, 2), padding="SAME")
                for i, (f, n) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3))):
                    for j in range(n):
                        x = Bottleneck(f, 2 if (j == 0 and i > 0) else 1, j == 0)(x, train)
                return nn.Dense(10, dtype=dtype)(x.mean(axis=(1, 2)))

        return ResNet50()

    if kind == "mobilenetv2":
        class Inverted(nn.Module):
            expand: int
            out: int
            strides: int

            @nn.compact
            def __call__(self, x, train):
                c = x.shape[-1]
                y = x
                if self.expand != 1:
                    y = nn.relu6(bn(train)(nn.Conv(c * self.expand, (1, 1), use_bias=False,
                                                   dtype=dtype)(y)))
                y = nn.Conv(y.shape[-1], (3, 3), (self.strides, self.strides),
                            feature_group_count=y.shape[-1], use_bias=False, dtype=dtype)(y)
                y = nn.relu6(bn(train)(y))
                y = bn(train)(nn.Conv(self.out, (1, 1), use_bias=False, dtype=dtype)(y))
                return x + y if self.strides == 1 and c == self.out else y

        class MobileNetV2(nn.Module):
            @nn.compact
            def __call__(self, x, train):
                x = nn.relu6(bn(train)(nn.Conv(32, (3, 3), (2, 2), use_bias=False,
                                               dtype=dtype)(x)))
                for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                                   (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)):
                    for j in range(n):
                        x = Inverted(t, c, s if j == 0 else 1)(x, train)
                x = nn.relu6(bn(train)(nn.Conv(1280, (1, 1), use_bias=False, dtype=dtype)(x)))
                return nn.Dense(10, dtype=dtype)(x.mean(axis=(1, 2)))

        return MobileNetV2()

    t, d, heads = cfg["seq"], cfg["width"], cfg["heads"]

    class Block(nn.Module):
        @nn.compact
        def __call__(self, h):
            a = nn.LayerNorm(epsilon=1e-3, dtype=dtype)(h)
            q, k, v = (nn.DenseGeneral((heads, d // heads), dtype=dtype)(a) for _ in range(3))
            a = jax.nn.dot_product_attention(q, k, v, is_causal=True)
            h = h + nn.DenseGeneral(d, axis=(-2, -1), dtype=dtype)(a)
            f = nn.LayerNorm(epsilon=1e-3, dtype=dtype)(h)
            f = nn.Dense(d, dtype=dtype)(nn.gelu(nn.Dense(4 * d, dtype=dtype)(f),
                                                 approximate=False))
            return h + f

    class GPT(nn.Module):
        @nn.compact
        def __call__(self, x):
            tokens, positions = x
            h = (nn.Embed(cfg["vocab"], d, dtype=dtype)(tokens)
                 + nn.Embed(t, d, dtype=dtype)(positions))
            for _ in range(cfg["depth"]):
                h = Block()(h)
            h = nn.LayerNorm(epsilon=1e-3, dtype=dtype)(h)
            return nn.Dense(cfg["vocab"], dtype=dtype)(h).astype(jnp.float32)

    return GPT()


class FlaxLoop:
    """A hand-written Flax + optax loop: one jitted step per batch, the data on the device.

    Also the source of the model FLOPs: XLA's cost analysis of the compiled step.
    """

    def __init__(self, module, x, y, batch: int, epochs: int):
        self.module, self.batch, self.epochs = module, batch, epochs
        self.x, self.y = jax.tree.map(jnp.asarray, (x, y))
        self.n = y.shape[0]
        self.steps = self.n // batch
        takes_train = "train" in inspect.signature(module.__call__).parameters
        tx = optax.adam(1e-3)

        def forward(params, stats, xb, train):
            variables = {"params": params, **({"batch_stats": stats} if stats else {})}
            if not takes_train:
                return module.apply(variables, xb), stats
            if not train:
                return module.apply(variables, xb, train=False), stats
            out, upd = module.apply(variables, xb, train=True, mutable=["batch_stats"])
            return out, upd["batch_stats"]

        def loss_fn(params, stats, xb, yb):
            logits, stats = forward(params, stats, xb, True)
            ce = optax.softmax_cross_entropy_with_integer_labels(
                logits.astype(jnp.float32), yb)
            return ce.mean(), stats

        def step(state, idx):
            params, stats, opt = state
            xb, yb = jax.tree.map(lambda a: a[idx], (self.x, self.y))
            (_, stats), g = jax.value_and_grad(loss_fn, has_aux=True)(params, stats, xb, yb)
            updates, opt = tx.update(g, opt, params)
            return optax.apply_updates(params, updates), stats, opt

        t0 = time.perf_counter()
        x0 = jax.tree.map(lambda a: a[:1], self.x)
        init_kw = {"train": False} if takes_train else {}
        variables = module.init(jax.random.key(0), x0, **init_kw)
        params, stats = variables["params"], variables.get("batch_stats", {})
        state = (params, stats, tx.init(params))
        idx0 = jnp.arange(batch)
        compiled = jax.jit(step, donate_argnums=0).lower(state, idx0).compile()
        self.flops = _flops(compiled)
        self.step = compiled
        self.predict_fn = jax.jit(lambda p, s, xb: forward(p, s, xb, False)[0])
        self.state = jax.block_until_ready(self._epoch(state, 0))
        self.build_s = 0.0
        self.first_s = time.perf_counter() - t0
        self._predict()
        self.e = 0

    def _epoch(self, state, e):
        perm = np.random.default_rng(e).permutation(self.n)[: self.steps * self.batch]
        perm = jnp.asarray(perm.reshape(self.steps, self.batch))
        for i in range(self.steps):
            state = self.step(state, perm[i])
        return state

    def _predict(self):
        params, stats, _ = self.state
        out = None
        for i in range(0, self.n - self.batch + 1, self.batch):
            xb = jax.tree.map(lambda a, i=i: a[i:i + self.batch], self.x)
            out = self.predict_fn(params, stats, xb)
        jax.block_until_ready(out)

    def measure(self) -> dict:
        t0 = time.perf_counter()
        for _ in range(self.epochs):
            self.e += 1
            self.state = self._epoch(self.state, self.e)
        jax.block_until_ready(self.state)
        out = {"fit": self.steps * self.batch * self.epochs / (time.perf_counter() - t0)}
        t0 = time.perf_counter()
        self._predict()
        out["predict"] = (self.n // self.batch) * self.batch / (time.perf_counter() - t0)
        return out


def _flops(compiled) -> float:
    cost = compiled.cost_analysis()
    if isinstance(cost, (list, tuple)):
        cost = cost[0] if cost else {}
    return float((cost or {}).get("flops", 0.0))


# --- the Keras-API runners ------------------------------------------------------------------


class KerasAPIFit:
    """jnn or Keras 3 on one model: build, compile, warm-up ``fit(epochs=1)`` (the first epoch),
    then :meth:`measure` times ``fit(epochs=E)`` and ``predict`` per round."""

    def __init__(self, lib, kind, cfg, x, y, epochs, mixed, compile_kw=None):
        self.x, self.y, self.batch, self.epochs = x, y, cfg["batch"], epochs
        self.n = y.shape[0]
        self.predict_n = min(self.n, 2 * self.batch) if kind == "gpt" else self.n
        lib.utils.set_random_seed(0)
        t0 = time.perf_counter()
        self.model = build_model(lib, kind, cfg, mixed)
        self.build_s = time.perf_counter() - t0
        self.model.compile(optimizer="adam", loss=_loss(lib, kind), **(compile_kw or {}))
        t0 = time.perf_counter()
        self.model.fit(x, y, batch_size=self.batch, epochs=1, verbose=0)
        self.first_s = time.perf_counter() - t0
        self._predict()

    def _predict(self):
        xp = jax.tree.map(lambda a: a[: self.predict_n], self.x)
        self.model.predict(xp, batch_size=self.batch, verbose=0)

    def measure(self) -> dict:
        b, e = self.batch, self.epochs
        t0 = time.perf_counter()
        self.model.fit(self.x, self.y, batch_size=b, epochs=e, verbose=0)
        out = {"fit": self.n * e / (time.perf_counter() - t0)}
        t0 = time.perf_counter()
        self._predict()
        out["predict"] = self.predict_n / (time.perf_counter() - t0)
        return out


class PeakMatmul:
    """Measured peak FLOP/s: a jitted square matmul in the compute dtype, timed per round."""

    def __init__(self, dtype, n: int):
        a = jax.random.normal(jax.random.key(0), (n, n), dtype)
        self.args, self.flops = (a, a.T + 1), 2.0 * n**3
        self.fn = jax.jit(lambda a, b: a @ b)
        jax.block_until_ready(self.fn(*self.args))

    def measure(self) -> dict:
        best = 0.0
        for _ in range(3):
            t0 = time.perf_counter()
            jax.block_until_ready(self.fn(*self.args))
            best = max(best, self.flops / (time.perf_counter() - t0))
        return {"flops": best}


def _device_peak_mb() -> float | None:
    stats = jax.devices()[0].memory_stats() or {}
    peak = stats.get("peak_bytes_in_use")
    return None if peak is None else peak / 2**20


def _gpu_peak(dtype_name: str) -> float | None:
    kind = jax.devices()[0].device_kind
    for name, peaks in GPU_PEAK.items():
        if name in kind:
            return peaks[dtype_name]
    return None


# --- one model -------------------------------------------------------------------------------


def run_model(kind: str, cfg: dict, args, compute_dtype, mixed: bool) -> dict:
    import jnn

    keras = None
    if not args.no_keras:
        try:
            import keras
        except ImportError:
            keras = None
    x, y = make_data(kind, cfg)
    runners: dict = {}
    meta: dict = {}

    def add(name, make):
        runners[name] = make()
        meta[name] = {"first_s": runners[name].first_s, "build_s": runners[name].build_s,
                      "peak_rss_mb": _peak_rss_mb(), "device_peak_mb": _device_peak_mb()}

    add("jnn", lambda: KerasAPIFit(jnn, kind, cfg, x, y, args.epochs, mixed))
    if keras is not None:
        add("keras", lambda: KerasAPIFit(keras, kind, cfg, x, y, args.epochs, mixed))
        for spe in args.spe:
            add(f"keras_spe{spe}", lambda spe=spe: KerasAPIFit(
                keras, kind, cfg, x, y, args.epochs, mixed,
                {"steps_per_execution": spe, "jit_compile": True}))
    module = _flax_module(kind, cfg, compute_dtype)
    flops = None
    if module is not None:
        add("flax", lambda: FlaxLoop(module, x, y, cfg["batch"], args.epochs))
        flops = runners["flax"].flops
    best = _rounds({**runners, "peak": args.peak_runner}, args.rounds)
    peak = args.fixed_peak or best["peak"]["flops"]
    row = {"model": kind, "batch": cfg["batch"], "samples": int(y.shape[0]), "config": cfg,
           "flops_per_step": flops, "peak_flops": peak}
    for name in runners:
        row[name] = dict(best[name], **meta[name])
        if flops:
            row[name]["mfu"] = flops * row[name]["fit"] / cfg["batch"] / peak
    spes = [n for n in runners if n.startswith("keras_spe")]
    if spes:
        top = max(spes, key=lambda n: row[n]["fit"])
        row["keras_best"] = dict(row[top], setting=f"steps_per_execution={top[9:]}, "
                                                    "jit_compile=True")
        if row["keras"]["fit"] >= row["keras_best"]["fit"]:
            row["keras_best"] = dict(row["keras"], setting="defaults")
    for name in spes:
        row.pop(name)
    if "keras" in row:
        row["jnn_over_keras"] = row["jnn"]["fit"] / row["keras"]["fit"]
    if "keras_best" in row:
        row["jnn_over_keras_best"] = row["jnn"]["fit"] / row["keras_best"]["fit"]
        row["first_epoch_jnn_over_keras"] = row["jnn"]["first_s"] / row["keras"]["first_s"]
    if "flax" in row:
        row["jnn_over_flax"] = row["jnn"]["fit"] / row["flax"]["fit"]
    print(_fmt_row(row), flush=True)
    runners.clear()
    jnn.backend.clear_session()
    if keras is not None:
        keras.backend.clear_session()
    return row


# --- output ---------------------------------------------------------------------------------

COLUMNS = ("jnn", "keras", "keras_best", "flax")


def _fmt_row(row: dict) -> str:
    parts = [f"{row['model']} B={row['batch']}"]
    for name in COLUMNS:
        if name in row:
            r = row[name]
            mfu = f" MFU {100 * r['mfu']:.1f}%" if "mfu" in r else ""
            parts.append(f"{name} fit {r['fit']:,.1f}/s predict {r['predict']:,.1f}/s "
                         f"first {r['first_s']:.1f}s{mfu}")
    for key in ("jnn_over_keras_best", "jnn_over_flax"):
        if key in row:
            parts.append(f"{key} {row[key]:.2f}x")
    return " | ".join(parts)


def markdown(results: dict) -> str:
    """The README / docs tables: throughput and MFU, then first epoch and memory."""
    head = ("| model | batch | jnn fit | Keras fit (defaults) | Keras fit (best) | Flax fit "
            "| jnn/Keras best | jnn/Flax | jnn predict | Keras predict | Flax predict "
            "| MFU jnn / Keras best / Flax |")
    lines = [f"Device: {results['device']}, dtype policy {results['dtype_policy']}, samples/s "
             f"(best of {results['rounds']} interleaved rounds, {results['epochs']} epochs "
             f"per fit), peak {results['peak_label']}.", "", head, "|" + "---|" * 12]

    def cell(r, name, key, fmt="{:,.1f}"):
        value = r.get(name, {}).get(key)
        return "-" if value is None else fmt.format(value)

    def ratio(r, key):
        return f"{r[key]:.2f}x" if key in r else "-"

    for r in results["rows"]:
        mfu = " / ".join(cell(r, n, "mfu", "{:.1%}") for n in ("jnn", "keras_best", "flax"))
        lines.append(
            f"| {r['model']} | {r['batch']} | {cell(r, 'jnn', 'fit')} | {cell(r, 'keras', 'fit')} "
            f"| {cell(r, 'keras_best', 'fit')} | {cell(r, 'flax', 'fit')} "
            f"| {ratio(r, 'jnn_over_keras_best')} | {ratio(r, 'jnn_over_flax')} "
            f"| {cell(r, 'jnn', 'predict')} | {cell(r, 'keras', 'predict')} "
            f"| {cell(r, 'flax', 'predict')} | {mfu} |")
    lines += ["", "| model | Keras best setting | build jnn / Keras (s) "
              "| first epoch jnn / Keras / Flax (s) | peak RSS after jnn / Keras (MB) "
              "| device peak jnn / Keras (MB) | GFLOP per step |", "|" + "---|" * 7]
    for r in results["rows"]:
        best = r.get("keras_best", {}).get("setting", "-")
        flops = f"{r['flops_per_step'] / 1e9:,.2f}" if r.get("flops_per_step") else "-"
        lines.append(
            f"| {r['model']} | {best} | {cell(r, 'jnn', 'build_s', '{:.1f}')} / "
            f"{cell(r, 'keras', 'build_s', '{:.1f}')} | {cell(r, 'jnn', 'first_s', '{:.1f}')} / "
            f"{cell(r, 'keras', 'first_s', '{:.1f}')} / {cell(r, 'flax', 'first_s', '{:.1f}')} "
            f"| {cell(r, 'jnn', 'peak_rss_mb', '{:,.0f}')} / "
            f"{cell(r, 'keras', 'peak_rss_mb', '{:,.0f}')} "
            f"| {cell(r, 'jnn', 'device_peak_mb', '{:,.0f}')} / "
            f"{cell(r, 'keras', 'device_peak_mb', '{:,.0f}')} | {flops} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", choices=MODELS, default=None)
    ap.add_argument("--epochs", type=int, default=1, help="epochs per timed fit")
    ap.add_argument("--rounds", type=int, default=2,
                    help="interleaved rounds of all columns; each figure keeps its best")
    ap.add_argument("--spe", type=int, nargs="+", default=[1, 8],
                    help="Keras steps_per_execution swept (with jit_compile=True)")
    ap.add_argument("--batch", type=int, default=None, help="override every model's batch")
    ap.add_argument("--dtype-policy", default="float32",
                    choices=["float32", "mixed_bfloat16"])
    ap.add_argument("--gpu-sizes", action="store_true", help="the issue's GPU sizes")
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    ap.add_argument("--json", default=None)
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args(argv)
    on_cpu = jax.devices()[0].platform == "cpu"
    sizes = SMOKE_SIZES if args.smoke else (
        GPU_SIZES if args.gpu_sizes or not on_cpu else CPU_SIZES)
    if args.smoke:
        args.rounds, args.epochs = 1, 1
        args.spe = [s for s in args.spe if s != 1][:1] or [4]
    models = args.models or (["mlp", "gpt"] if args.smoke else list(MODELS))
    mixed = args.dtype_policy == "mixed_bfloat16"
    compute_dtype = jnp.bfloat16 if mixed else jnp.float32
    dtype_name = "bfloat16" if mixed else "float32"

    import jnn

    jnn.mixed_precision.set_global_policy(args.dtype_policy)
    if not args.no_keras:
        try:
            import keras

            keras.mixed_precision.set_global_policy(args.dtype_policy)
        except ImportError:
            pass
    args.fixed_peak = None if on_cpu else _gpu_peak(dtype_name)
    args.peak_runner = PeakMatmul(compute_dtype, 256 if args.smoke else 2048)
    if args.fixed_peak:
        label = f"{args.fixed_peak / 1e12:.0f} TFLOP/s ({dtype_name} datasheet dense peak)"
    else:
        label = f"measured {dtype_name} matmul peak (below, per row)"
    dev = jax.devices()[0]
    results = {"device": f"cpu ({os.cpu_count()} cores)" if on_cpu else dev.device_kind,
               "dtype_policy": args.dtype_policy, "rounds": args.rounds,
               "epochs": args.epochs, "peak_label": label, "rows": []}
    try:
        for kind in models:
            cfg = dict(sizes[kind])
            if args.batch:
                cfg["batch"] = args.batch
            results["rows"].append(run_model(kind, cfg, args, compute_dtype, mixed))
    finally:
        jnn.mixed_precision.set_global_policy("float32")
        if not args.no_keras:
            try:
                import keras

                keras.mixed_precision.set_global_policy("float32")
            except ImportError:
                pass
    if on_cpu and results["rows"]:
        # The machine's peak is the best the matmul reached in the run (noise only lowers it).
        peak = max(r["peak_flops"] for r in results["rows"])
        for r in results["rows"]:
            r["peak_flops_row"], r["peak_flops"] = r["peak_flops"], peak
            for name in COLUMNS:
                if r.get("flops_per_step") and name in r:
                    r[name]["mfu"] = r["flops_per_step"] * r[name]["fit"] / r["batch"] / peak
        results["peak_label"] = (
            f"measured {dtype_name} matmul peak {peak / 1e9:,.0f} GFLOP/s (best in the run; "
            "per row: " + ", ".join(f"{r['model']} {r['peak_flops_row'] / 1e9:,.0f}"
                                    for r in results["rows"]) + ")")
    table = markdown(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table)
    print(table)
    return results


if __name__ == "__main__":
    main()
