"""Rebuild the bundled ``.npz`` files from scikit-learn's copies of the data sets.

Run from the repository root (needs scikit-learn; jnn itself never imports it):

    python jnn/datasets/data/make_bundled.py

The arrays are stored unchanged (same values, in the smallest dtype that holds them
exactly), so ``load_data`` returns exactly scikit-learn's numbers.
"""

from __future__ import annotations

import pathlib

import numpy as np
from sklearn import datasets

HERE = pathlib.Path(__file__).resolve().parent


def _save(name: str, **arrays: np.ndarray) -> None:
    path = HERE / f"{name}.npz"
    np.savez_compressed(path, **arrays)
    print(
        f"{path.name}: {path.stat().st_size} bytes, "
        + ", ".join(f"{k} {v.shape} {v.dtype}" for k, v in arrays.items())
    )


def _exact_cast(values: np.ndarray, dtype: str) -> np.ndarray:
    cast = values.astype(dtype)
    if not np.array_equal(cast.astype(values.dtype), values):
        raise ValueError(f"values do not fit {dtype} exactly")
    return cast


def main() -> None:
    iris = datasets.load_iris()
    _save("iris", x=iris.data.astype("float64"), y=_exact_cast(iris.target, "uint8"))

    digits = datasets.load_digits()
    _save("digits", x=_exact_cast(digits.data, "uint8"), y=_exact_cast(digits.target, "uint8"))

    # Raw (unscaled) features; `load_data(scaled=True)` reproduces scikit-learn's scaling.
    x, y = datasets.load_diabetes(return_X_y=True, scaled=False)
    _save("diabetes", x=x.astype("float64"), y=y.astype("float64"))


if __name__ == "__main__":
    main()
