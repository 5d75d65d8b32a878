"""The benchmark script runs in CI-sized mode (a smoke run, not a timing)."""

import importlib.util
import json
import pathlib


def test_bench_fit_smoke(tmp_path):
    path = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "bench_fit.py"
    spec = importlib.util.spec_from_file_location("bench_fit", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out, md = tmp_path / "bench.json", tmp_path / "bench.md"
    results = module.main(["--smoke", "--json", str(out), "--markdown", str(md)])
    row = results["rows"][0]
    for key in ("epoch", "call", "eval", "predict", "first_s", "peak_rss_mb"):
        assert row["jnn"][key] > 0, key
    assert row["fused"] > 0 and row["jnn_over_fused"] > 0
    assert json.loads(out.read_text()) == results
    table = md.read_text()
    assert "| mlp | 32 |" in table and "(jax arrays)/fused" in table and "Peak host RSS" in table
