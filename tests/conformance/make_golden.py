"""Regenerate ``fit_golden.json``: Keras 3's fit/evaluate results for every case in fit_cases.

Run from the repository root: ``KERAS_BACKEND=jax python -m tests.conformance.make_golden``.
The conformance test also re-runs a few cases live against Keras, so a stale file fails CI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

GOLDEN = Path(__file__).with_name("fit_golden.json")


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    from tests.conformance import fit_cases

    out = {"keras_version": keras.__version__}
    for case in fit_cases.CASES:
        out[case[0]] = fit_cases.run(keras, case)
        print("done", case[0])
    GOLDEN.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
