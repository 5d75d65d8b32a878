"""The benchmark script runs in CI-sized mode (a smoke run, not a timing)."""

import importlib.util
import pathlib


def test_bench_fit_smoke(tmp_path):
    path = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "bench_fit.py"
    spec = importlib.util.spec_from_file_location("bench_fit", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "bench.json"
    results = module.main(["--smoke", "--json", str(out)])
    row = results["rows"][0]
    for key in ("jnn", "jit_per_step", "fused", "jnn_eval", "jnn_predict"):
        assert row[key] > 0, key
    assert out.exists() and out.stat().st_size > 50
