"""Conformance cases for ``keras.ops.linalg`` (collected by ``tests/ops/cases.py``)."""

from __future__ import annotations

import numpy as np

from tests.ops.cases import Case, arr

_spd = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], "float32")
_spd_batch = np.stack([_spd, _spd + np.eye(3, dtype="float32")])
_m = np.array([[2.0, -1.0, 0.5], [0.3, 1.5, -0.2], [1.0, 0.4, 3.0]], "float32")
_upper = np.triu(_m)
_lower = np.tril(_m)
_rect = arr((4, 3))

CASES = [
    Case("cholesky", (_spd,), atol=1e-5),
    Case("cholesky", (_spd_batch,), {"upper": True}, atol=1e-5),
    Case("cholesky_inverse", (np.linalg.cholesky(_spd).astype("float32"),), atol=1e-5),
    Case("cholesky_inverse", (np.linalg.cholesky(_spd).T.astype("float32"),),
         {"upper": True}, atol=1e-5),
    Case("det", (_m,), atol=1e-5),
    Case("det", (_spd_batch,), rtol=1e-5, atol=1e-4),
    Case("eig", (np.diag(np.array([1.0, 3.0, 2.0], "float32")),), atol=1e-5),
    Case("eigh", (_spd,), atol=1e-5),
    Case("inv", (_m,), atol=1e-5),
    Case("inv", (_spd_batch,), atol=1e-5),
    Case("lu_factor", (_m,), atol=1e-5),
    Case("lu_factor", (_spd_batch,), atol=1e-5),
    Case("norm", (_rect,)),
    Case("norm", (_rect,), {"ord": 1, "axis": 0}),
    Case("norm", (_rect,), {"ord": "fro", "keepdims": True}),
    Case("norm", (_m,), {"ord": 2}, atol=1e-5),
    Case("norm", (arr((2, 3), "int32"),), {"axis": -1}),
    Case("qr", (_rect,), atol=1e-5),
    Case("qr", (_rect,), {"mode": "complete"}, atol=1e-5),
    Case("solve", (_m, np.array([1.0, 2.0, 3.0], "float32")), atol=1e-5),
    Case("solve", (_spd_batch, arr((2, 3, 2))), atol=1e-5),
    Case("solve_triangular", (_upper, np.array([1.0, 2.0, 3.0], "float32")), atol=1e-5),
    Case("solve_triangular", (_lower, arr((3, 2))), {"lower": True}, atol=1e-5),
    Case("svd", (_rect,), {"compute_uv": False}, atol=1e-5),
    Case("svd", (np.diag(np.array([3.0, 2.0, 1.0], "float32")),), atol=1e-5),
    Case("lstsq", (_rect, np.array([1.0, 0.0, 2.0, -1.0], "float32")), atol=1e-4),
    Case("matrix_rank", (np.ones((3, 3), "float32"),)),
    Case("matrix_rank", (_spd_batch,), {"tol": 0.5}),
    Case("pinv", (_rect,), atol=1e-5),
    Case("pinv", (_m,), {"rcond": 0.5}, atol=1e-5),
]

NOT_COMPARED = {
    "jvp": "takes a function; compared with jax.jvp in tests/ops/test_linalg.py.",
}
