"""Conformance cases for Keras's math ops (top-level ``keras.ops`` names from
``keras.src.ops.math``; collected by ``tests/ops/cases.py``)."""

from __future__ import annotations

import numpy as np

from tests.ops.cases import Case, arr, pos, unit

_ids = np.array([0, 0, 1, 3, 3])
_sorted_data = arr((5, 2))

CASES = [
    Case("segment_sum", (_sorted_data, _ids), {"num_segments": 4}),
    Case("segment_sum", (arr((5,), "int32"), np.array([2, 0, 1, 0, 2])), {"num_segments": 3}),
    Case("segment_max", (_sorted_data, _ids), {"num_segments": 4, "sorted": True}),
    Case("segment_min", (_sorted_data, _ids), {"num_segments": 4}),
    Case("segment_prod", (_sorted_data, _ids), {"num_segments": 4}),
    Case("top_k", (arr((2, 5)), 3)),
    Case("top_k", (arr((4,), "int32"), 2), {"sorted": False}),
    Case("in_top_k", (np.array([0, 3]), arr((2, 5)), 2)),
    Case("in_top_k", (np.array([1, 1]), np.array([[0.1, 0.5, 0.5], [0.5, np.nan, 0.2]],
                                                  "float32"), 1)),
    Case("logsumexp", (arr((2, 3)),)),
    Case("logsumexp", (arr((2, 3)),), {"axis": 1, "keepdims": True}),
    Case("cdist", (arr((3, 2)), unit((4, 2)))),
    Case("cdist", (arr((2, 3, 2)), unit((2, 4, 2)))),
    Case("rsqrt", (pos((2, 3)),)),
    Case("erf", (arr((2, 3)),)),
    Case("erfc", (arr((2, 3)),)),
    Case("erfinv", (unit((2, 3)),)),
    Case("logdet", (np.array([[2.0, 0.5], [0.5, 1.0]], "float32"),)),
    Case("logdet", (np.stack([np.eye(3) * 2, np.eye(3) + 0.1]).astype("float32"),)),
    Case("extract_sequences", (arr((2, 10)), 4, 3)),
    Case("extract_sequences", (arr((8,)), 2, 2)),
    Case("fft", ((arr((2, 8)), unit((2, 8))),), atol=1e-5),
    Case("fft2", ((arr((2, 4, 4)), unit((2, 4, 4))),), atol=1e-5),
    Case("ifft2", ((arr((2, 4, 4)), unit((2, 4, 4))),), atol=1e-5),
    Case("rfft", (arr((2, 8)),), atol=1e-5),
    Case("rfft", (arr((2, 8)),), {"fft_length": 6}, atol=1e-5),
    Case("irfft", ((arr((2, 5)), unit((2, 5))),), atol=1e-5),
    Case("irfft", ((arr((2, 5)), unit((2, 5))),), {"fft_length": 6}, atol=1e-5),
    Case("stft", (arr((2, 32)), 8, 4, 8), atol=1e-5),
    Case("stft", (arr((32,)), 6, 3, 8), {"window": "hamming", "center": False}, atol=1e-5),
    Case("stft", (arr((32,)), 8, 4, 16), {"window": None}, atol=1e-5),
    Case("stft", (arr((32,)), 4, 2, 4), {"window": pos((4,))}, atol=1e-5),
    Case("istft", ((arr((2, 9, 5)), unit((2, 9, 5))), 8, 4, 8), atol=1e-5),
    Case("istft", ((arr((7, 9)), unit((7, 9))), 6, 3, 16),
         {"window": "hamming", "center": False, "length": 20}, atol=1e-5),
    Case("istft", ((arr((7, 5)), unit((7, 5))), 8, 4, 8), {"window": None}, atol=1e-5),
    Case("view_as_complex", (arr((3, 2)),)),
    Case("view_as_real", (np.array([1 + 2j, 3 - 4j], "complex64"),)),
]
