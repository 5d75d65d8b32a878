"""Smoke test: ``benchmarks/bench_zoo.py --smoke`` runs in-process and reports sane numbers."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys

import pytest

import jnn

BENCH = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "bench_zoo.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("jnn_bench_zoo", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _fresh_session():
    jnn.backend.clear_session()


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_bench_zoo_smoke(bench, kind, tmp_path, capsys):
    out = tmp_path / "bench.json"
    results = bench.main(["--smoke", "--only", kind, "--json", str(out)])
    assert json.loads(out.read_text()) == results
    [row] = results["rows"]
    assert row["model"] == kind and row["batch"] == 32
    for key in ("jnn", "fused"):
        assert 0 < row[key] < 1e9
    assert row["jnn_first_s"] > 0
    assert "keras" not in row  # --smoke skips Keras
    printed = capsys.readouterr().out
    assert f"{kind} B=   32" in printed and "jnn/fused" in printed


def test_bench_zoo_data_shapes(bench):
    x, y = bench._image_data(4, 28)
    assert x.shape == (4, 28, 28, 1) and y.shape == (4,)
    s, t = bench._sequence_data(4, 100)
    assert s.shape == (4, 100) and s.min() >= 1 and s.max() < bench.VOCAB
    assert set(t.tolist()) <= {0, 1}


MODELS_BENCH = BENCH.parent / "bench_models.py"


@pytest.fixture(scope="module")
def bench_models():
    spec = importlib.util.spec_from_file_location("jnn_bench_models", MODELS_BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_bench_models_smoke_columns_and_mfu(bench_models, tmp_path, capsys):
    """``bench_models.py --smoke`` on the GPT-style decoder: every column is produced (jnn,
    Keras defaults and best, Flax) and MFU is a positive number; no timing is asserted."""
    pytest.importorskip("flax")
    out, md = tmp_path / "models.json", tmp_path / "models.md"
    import jax

    with jax.numpy_rank_promotion("allow"):  # Keras's layers broadcast implicitly
        results = bench_models.main(["--smoke", "--models", "gpt", "--json", str(out),
                                     "--markdown", str(md)])
    assert json.loads(out.read_text())["rows"][0]["model"] == "gpt"
    [row] = results["rows"]
    assert row["flops_per_step"] > 0 and row["peak_flops"] > 0
    columns = ["jnn", "flax"]
    if "keras" in row:
        columns += ["keras", "keras_best"]
        assert row["keras_best"]["setting"]
    for name in columns:
        r = row[name]
        assert 0 < r["fit"] < 1e9 and 0 < r["predict"] < 1e9, name
        assert 0 < r["mfu"] < 10, name  # a positive fraction (CPU matmul peak is noisy)
        assert r["first_s"] > 0 and r["peak_rss_mb"] > 0, name
    table = md.read_text()
    for header in ("jnn fit", "Keras fit (best)", "Flax fit", "MFU jnn / Keras best / Flax",
                   "first epoch jnn / Keras / Flax (s)", "GFLOP per step"):
        assert header in table
    assert "| gpt | 2 |" in table and "| gpt | 2 |" in capsys.readouterr().out
