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
