"""Conformance cases for the ``keras.ops.numpy`` family (collected by ``tests/ops/cases.py``).

Each op runs on float32 and (where it takes them) integer inputs, with broadcasting and weak
Python scalars for the binary ops, so result dtypes are checked along with values.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

from tests.ops.cases import Case, arr, pos, unit

_f = arr((2, 3))
_i = arr((2, 3), "int32", -5, 5)
_i8 = arr((2, 3), "int8", -5, 5)
_u8 = arr((2, 3), "uint8", 0, 9)
_h = arr((2, 3), "float16")
_b = arr((2, 3), "bool")
_bf = arr((2, 3)).astype(ml_dtypes.bfloat16)
_row = arr((3,), low=-1.0, high=1.5)
_p = pos((2, 3))
_u = unit((2, 3))
_nan = np.array([[1.0, np.nan, 3.0], [np.nan, -2.0, 0.5]], "float32")
_c = (arr((2, 3)) + 1j * arr((2, 3), low=1.0, high=-1.0)).astype("complex64")
_cube = arr((2, 3, 4))
_sq = arr((3, 3)) + 3 * np.eye(3, dtype="float32")

_FLOAT_UNARY = ("exp", "exp2", "expm1", "sin", "cos", "tan", "sinh", "cosh", "tanh", "sinc",
                "arctan", "arcsinh", "ceil", "floor", "cbrt", "deg2rad", "rad2deg",
                "trunc", "sign", "signbit", "square", "negative", "absolute", "abs", "fabs",
                "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal", "copy", "ravel",
                "real", "imag", "conj", "conjugate", "angle", "round", "i0", "fliplr", "flipud",
                "logical_not", "reciprocal")  # fmt: skip
_POS_UNARY = ("log", "log10", "log1p", "log2", "sqrt", "arccosh")
_UNIT_UNARY = ("arcsin", "arccos", "arctanh")
_BINARY = ("add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum", "fmax",
           "fmin", "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
           "arctan2", "logaddexp", "logaddexp2", "hypot", "heaviside", "nextafter",
           "divide_no_nan", "logical_and", "logical_or", "logical_xor")  # fmt: skip
_DIVISION = ("mod", "fmod", "floor_divide")
_REDUCE = ("sum", "mean", "max", "min", "all", "any", "amax", "amin", "prod", "std", "var",
           "median", "ptp", "argmax", "argmin")  # fmt: skip
_NAN_REDUCE = ("nanmax", "nanmin", "nansum", "nanprod", "nanmean", "nanstd", "nanvar",
               "nanmedian", "nanargmax", "nanargmin")  # fmt: skip

CASES = [
    # --- element-wise, one argument: float, int and bool inputs ----------------------------
    *(Case(n, (_f,)) for n in _FLOAT_UNARY if n not in ("reciprocal",)),
    *(Case(n, (_i,)) for n in _FLOAT_UNARY + _POS_UNARY
      if n not in ("i0", "reciprocal", "sign", "log", "log10", "log2", "log1p", "sqrt",
                   "arccosh")),  # fmt: skip
    *(Case(n, (_p,)) for n in _POS_UNARY + ("reciprocal",)),
    *(Case(n, (np.array([1, 2, 4], "int32"),)) for n in ("log", "log2", "sqrt", "log1p")),
    *(Case(n, (_u,)) for n in _UNIT_UNARY),
    *(Case(n, (_i8,)) for n in ("exp", "sin", "tanh", "ceil", "square", "abs", "sign")),
    *(Case(n, (_h,)) for n in ("exp", "sin", "i0", "sqrt", "round", "trunc")),
    *(Case(n, (_b,)) for n in ("exp", "logical_not", "square", "abs")),
    *(Case(n, (_c,)) for n in ("real", "imag", "conj", "angle", "abs", "isreal")),
    Case("arccosh", (arr((2, 3), low=1.1, high=3.0),)),
    Case("sign", (_i,)),
    Case("round", (_f * 10,), {"decimals": 1}),
    Case("round", (_i * 37,), {"decimals": -1}),
    Case("nan_to_num", (np.array([np.nan, np.inf, -np.inf, 1.0], "float32"),)),
    Case("nan_to_num", (np.array([np.nan, np.inf, -np.inf], "float32"),),
         {"nan": 1.0, "posinf": 9.0, "neginf": -9.0}),
    *(Case(n, (np.array([1.0, np.inf, -np.inf, np.nan], "float32"),))
      for n in ("isinf", "isnan", "isfinite", "isneginf", "isposinf")),
    # --- element-wise, two arguments: broadcasting and weak Python scalars ------------------
    *(Case(n, (_f, _row)) for n in _BINARY),
    *(Case(n, (_i, _row)) for n in _BINARY if n not in ("nextafter", "heaviside")),
    *(Case(n, (_i, 2)) for n in ("add", "subtract", "multiply", "divide", "maximum", "power",
                                 "equal", "less", "floor_divide", "mod")),  # fmt: skip
    *(Case(n, (_i8, 2.5)) for n in ("add", "multiply", "divide", "maximum", "arctan2")),
    *(Case(n, (_u8, 3)) for n in ("add", "multiply", "subtract", "maximum")),
    *(Case(n, (_h, 2.0)) for n in ("add", "multiply", "power", "logaddexp")),
    *(Case(n, (_h, _f)) for n in ("add", "multiply", "divide")),
    *(Case(n, (_i8, _u8)) for n in ("add", "multiply")),
    *(Case(n, (_bf, 2)) for n in ("add", "multiply", "power")),
    *(Case(n, (_bf, _h)) for n in ("add", "maximum")),
    *(Case(n, (_bf,), rtol=1e-2, atol=1e-2) for n in ("exp", "sin", "sum", "mean", "var", "sqrt")),
    Case("matmul", (_bf, _bf.T), rtol=1e-2, atol=1e-2),
    *(Case(n, (_f, _p)) for n in _DIVISION),
    *(Case(n, (_i, np.array([2, 3, 4], "int32"))) for n in _DIVISION),
    Case("power", (_p, _row)),
    Case("power", (_i, np.array([0, 1, 2], "int32"))),
    Case("power", (2.0, _f)),
    Case("add", (1, 2.0)),
    *(Case(n, (np.array([12, 18, 7], "int32"), np.array([8, 12, 21], "int32")))
      for n in ("gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor")),
    *(Case(n, (np.array([1, 8, 5], "int32"), np.array([1, 2, 0], "int32")))
      for n in ("bitwise_left_shift", "bitwise_right_shift", "left_shift", "right_shift")),
    Case("left_shift", (np.array([1, 8], "int32"), 2)),
    *(Case(n, (np.array([1, 8, -5], "int32"),)) for n in ("bitwise_invert", "bitwise_not")),
    Case("ldexp", (_f, np.array([1, 2, -1], "int32"))),
    Case("clip", (_f, -1.0, 1.0)),
    Case("clip", (_i, -2, 3)),
    Case("clip", (_b, 0, 1)),
    Case("isclose", (_f, _f + 1e-6)),
    Case("isclose", (_f, _f + 1e-3), {"rtol": 1e-2, "atol": 0.0}),
    Case("allclose", (_f, _f + 1e-6)),
    Case("where", (_b, _f, -_f)),
    Case("where", (_b, 1.0, 0)),
    Case("where", (_b, _i, 2.5)),
    Case("where", (_b,)),
    Case("select", ([_f > 0, _f < -1], [_f, -_f], 7.0)),
    # --- creation: floatx defaults and Keras's dtypes ----------------------------------------
    Case("ones", ((2, 3),)), Case("ones", (3,), {"dtype": "int32"}),
    Case("zeros", ((2,),)), Case("zeros", ((2, 1),), {"dtype": "bool"}),
    Case("full", ((2, 2), 3)), Case("full", ((2,), 1.5), {"dtype": "float16"}),
    Case("empty", ((2, 3),), check_values=False),
    Case("ones_like", (_i,)), Case("zeros_like", (_f,), {"dtype": "int32"}),
    Case("full_like", (_i, 2.7)), Case("full_like", (_f, 2), {"dtype": "int8"}),
    Case("empty_like", (_f,), check_values=False),
    Case("eye", (3,)), Case("eye", (2, 4), {"k": 1, "dtype": "int32"}),
    Case("identity", (3,)), Case("tri", (3,)), Case("tri", (3, 4, -1), {"dtype": "int32"}),
    Case("arange", (5,)), Case("arange", (1, 7, 2)), Case("arange", (0.0, 1.0, 0.25)),
    Case("arange", (0, 1, 0.5)), Case("arange", (3,), {"dtype": "float32"}),
    Case("linspace", (0.0, 1.0, 5)), Case("linspace", (0, 10), {"num": 4, "endpoint": False}),
    Case("linspace", (0, 1, 3), {"retstep": True}),
    Case("logspace", (0.0, 2.0, 3)), Case("logspace", (0, 3), {"num": 4, "base": 2}),
    Case("geomspace", (1.0, 100.0, 3)), Case("geomspace", (1, 1000), {"num": 4}),
    Case("array", ([1, 2, 3],)), Case("array", ([1.5, 2.0],)),
    Case("array", (_f,), {"dtype": "int32"}),
    *(Case(n, (8,)) for n in ("bartlett", "blackman", "hamming", "hanning")),
    Case("kaiser", (8, 5.0)),
    Case("meshgrid", (np.arange(3), np.arange(2))),
    Case("meshgrid", (np.arange(3.0), np.arange(2.0)), {"indexing": "ij"}),
    Case("vander", (np.array([1.0, 2.0, 3.0], "float32"),)),
    Case("vander", (np.array([1, 2, 3], "int32"), 2, True)),
    # --- reductions ---------------------------------------------------------------------------
    *(Case(n, (_f,)) for n in _REDUCE),
    *(Case(n, (_i,)) for n in _REDUCE),
    *(Case(n, (_cube,), {"axis": 1}) for n in _REDUCE),
    *(Case(n, (_cube,), {"axis": (0, 2), "keepdims": True})
      for n in _REDUCE if n not in ("argmax", "argmin")),
    *(Case(n, (_cube,), {"axis": -1, "keepdims": True}) for n in ("argmax", "argmin")),
    *(Case(n, (_b,), {"axis": 0}) for n in ("sum", "mean", "all", "any", "max")),
    *(Case(n, (_h,)) for n in ("sum", "mean", "var", "std")),
    *(Case(n, (_i8,)) for n in ("sum", "mean", "var", "prod")),
    Case("median", (_cube,), {"keepdims": True}),
    Case("max", (_f,), {"initial": 1.5}), Case("min", (_f,), {"axis": 0, "initial": -1.0}),
    Case("prod", (_i,), {"dtype": "float32"}),
    Case("argmax", (np.array([0.0, -0.0, 0.0], "float32"),)),
    Case("argmin", (np.array([0.0, -0.0, 0.0], "float32"),)),
    *(Case(n, (_nan,)) for n in _NAN_REDUCE),
    *(Case(n, (_nan,), {"axis": 1}) for n in _NAN_REDUCE),
    Case("nanmean", (_nan,), {"axis": 0, "keepdims": True}),
    *(Case(n, (_f,)) for n in ("cumsum", "cumprod")),
    *(Case(n, (_i,), {"axis": 1}) for n in ("cumsum", "cumprod")),
    Case("cumsum", (_f,), {"axis": 0, "dtype": "float16"}),
    *(Case(n, (_nan,), {"axis": 1}) for n in ("nancumsum", "nancumprod")),
    *(Case(n, (_nan,)) for n in ("nancumsum", "nancumprod")),
    Case("count_nonzero", (_i,)), Case("count_nonzero", (_i,), {"axis": 1}),
    Case("average", (_f,)), Case("average", (_i,), {"axis": 1}),
    Case("average", (_f,), {"axis": 1, "weights": np.array([1.0, 2.0, 3.0], "float32")}),
    Case("quantile", (_cube, 0.3)), Case("quantile", (_cube, np.array([0.25, 0.75])), {"axis": 1}),
    Case("quantile", (_cube, 0.5), {"keepdims": True}),
    Case("quantile", (_f, 0.5), {"axis": 0, "method": "nearest"}),
    Case("percentile", (_cube, 30.0)), Case("percentile", (_f, [10.0, 90.0]), {"axis": 1}),
    Case("nanquantile", (_nan, 0.5)), Case("nanquantile", (_nan, 0.4), {"axis": 1}),
    Case("nanpercentile", (_nan, 50.0)), Case("nanpercentile", (_nan, 40.0), {"axis": 0}),
    Case("trace", (_sq,)), Case("trace", (_cube,), {"offset": 1, "axis1": 1, "axis2": 2}),
    Case("trapezoid", (_f,)), Case("trapezoid", (_f,), {"dx": 0.5, "axis": 0}),
    Case("trapezoid", (_f, np.array([0.0, 1.0, 3.0], "float32"))),
    # --- shapes -------------------------------------------------------------------------------
    Case("reshape", (_cube, (4, 6))), Case("reshape", (_cube, (-1, 2))),
    Case("reshape", (_f, 6)),
    Case("expand_dims", (_f, 1)), Case("expand_dims", (_f, (0, 3))),
    Case("squeeze", (arr((1, 3, 1)),)), Case("squeeze", (arr((1, 3, 1)),), {"axis": -1}),
    Case("transpose", (_cube,)), Case("transpose", (_cube, (1, 0, 2))),
    Case("moveaxis", (_cube, 0, -1)), Case("moveaxis", (_cube, (0, 1), (2, 0))),
    Case("swapaxes", (_cube, 0, 2)),
    Case("broadcast_to", (_row, (2, 3))),
    Case("flip", (_cube,)), Case("flip", (_cube,), {"axis": 1}),
    Case("flip", (_cube,), {"axis": (0, 2)}),
    Case("rot90", (_f,)), Case("rot90", (_cube,), {"k": 3, "axes": (1, 2)}),
    Case("roll", (_f, 1)), Case("roll", (_cube, (1, -1), (0, 2))), Case("roll", (_f, 2, 1)),
    Case("tile", (_f, 2)), Case("tile", (_f, (2, 1, 2))),
    Case("repeat", (_f, 2)), Case("repeat", (_f, 2, 1)),
    Case("repeat", (_f, np.array([1, 2]), 0)),
    Case("pad", (_f, 1)), Case("pad", (_f, ((0, 1), (2, 0))), {"constant_values": 5.0}),
    Case("pad", (_f, ((1, 1), (1, 1))), {"mode": "reflect"}),
    Case("pad", (_f, ((1, 1), (2, 2))), {"mode": "symmetric"}),
    Case("pad", (_i, ((1, 0), (0, 1)))),
    Case("concatenate", ([_f, _f],)), Case("concatenate", ([_f, _i],), {"axis": 1}),
    Case("concatenate", ([_f, _f],), {"axis": None}),
    Case("append", (_f, _row)), Case("append", (_f, _f), {"axis": 0}),
    Case("stack", ([_f, _f],)), Case("stack", ([_f, _f],), {"axis": -1}),
    Case("stack", ([_i, _f],), {"axis": 1}),
    *(Case(n, ([_f, _f],)) for n in ("hstack", "vstack", "dstack")),
    *(Case(n, ([_row, _row],)) for n in ("hstack", "vstack", "dstack")),
    Case("split", (_cube, 2)), Case("split", (_cube, [1, 3], 2)),
    Case("array_split", (_cube, 3, 2)), Case("array_split", (_f, 2)),
    Case("hsplit", (arr((2, 4)), 2)), Case("vsplit", (arr((4, 2)), 2)),
    Case("dsplit", (_cube, 2)), Case("dsplit", (_cube, [1])),
    # --- indexing, sorting, searching ---------------------------------------------------------
    Case("get_item", (_cube, 1)), Case("get_item", (_cube, (slice(None), 0))),
    Case("get_item", (_cube, (Ellipsis, slice(1, 3)))),
    Case("get_item", (_cube, np.array([1, 0]))),
    Case("take", (_f, np.array([0, 4, 2]))), Case("take", (_cube, np.array([[0, 2]]), 2)),
    Case("take", (_f, np.array([1, 0]), 0)), Case("take", (_f, 1, 1)),
    Case("take_along_axis", (_cube, np.array([[[0], [1], [2]]]), 2)),
    Case("take_along_axis", (_f, np.array([[1, 0, 2]]), 0)),
    Case("take_along_axis", (_f, np.array([5, 0])),),
    Case("sort", (_cube,)), Case("sort", (_cube,), {"axis": 0}), Case("sort", (_i,)),
    Case("argsort", (_cube,)), Case("argsort", (_i,), {"axis": 0}),
    Case("argsort", (_f,), {"axis": None}),
    Case("argpartition", (np.array([3, 1, 2, 0], "int32"), 1)),
    Case("argpartition", (np.array([[3, 1, 2, 0]], "int32"), 2, None)),
    Case("searchsorted", (np.array([1.0, 2.0, 3.0], "float32"), np.array([0.5, 2.0, 2.5]))),
    Case("searchsorted", (np.array([1, 2, 3], "int32"), np.array([2, 4])), {"side": "right"}),
    Case("digitize", (_f, np.array([-1.0, 0.0, 1.0], "float32"))),
    Case("digitize", (_i, np.array([-1, 0, 1], "int32"))),
    Case("nonzero", (_i,)), Case("nonzero", (_b,)),
    Case("isin", (_i, np.array([0, 2, -3]))),
    Case("isin", (_i, np.array([0, 2])), {"invert": True}),
    Case("unique", (np.array([3, 1, 3, 2, 1], "int32"),)),
    Case("unique", (np.array([3, 1, 3, 2, 1], "int32"),),
         {"return_index": True, "return_inverse": True, "return_counts": True}),
    Case("unique", (np.array([3, 1, 3], "int32"),), {"size": 4, "fill_value": -1}),
    Case("unravel_index", (np.array([1, 5, 7]), (2, 4))),
    Case("unravel_index", (5, (2, 3))),
    Case("bincount", (np.array([0, 1, 1, 3], "int32"),)),
    Case("bincount", (np.array([0, 1, 1], "int32"),),
         {"weights": np.array([0.5, 1.0, 2.0], "float32"), "minlength": 4}),
    Case("bincount", (np.array([[0, 1], [2, 2]], "int32"),), {"minlength": 3}),
    Case("histogram", (np.linspace(0, 1, 20).astype("float32"),)),
    Case("histogram", (np.linspace(0, 1, 20).astype("float32"),),
         {"bins": 4, "range": (0.0, 2.0)}),
    # --- products and linear algebra ----------------------------------------------------------
    Case("matmul", (_f, _f.T)), Case("matmul", (_cube, arr((4, 2)))),
    Case("matmul", (_row, arr((3, 2)))), Case("matmul", (_i, _i.T)),
    Case("matmul", (_i8, _i8.T)), Case("matmul", (_i, _f.T)),
    Case("einsum", ("ij,kj->ik", _f, _f)), Case("einsum", ("bij->bji", _cube)),
    Case("einsum", ("ij,j", _f, _row)), Case("einsum", ("ij,kj->ik", _i8, _i8)),
    Case("einsum", ("ii", _sq)),
    Case("tensordot", (_cube, arr((3, 4, 2)))), Case("tensordot", (_f, _f.T), {"axes": 1}),
    Case("tensordot", (_cube, _f), {"axes": ([0, 1], [0, 1])}),
    Case("dot", (_f, _f.T)), Case("dot", (_row, _row)), Case("dot", (_f, 2.0)),
    Case("dot", (_cube, _row[:, None].repeat(4, 1))),
    Case("inner", (_f, _f)), Case("inner", (_row, _row)),
    Case("outer", (_row, _row)), Case("outer", (_f, np.arange(2.0))),
    Case("vdot", (_f, _f)), Case("kron", (_f, np.eye(2, dtype="float32"))),
    Case("kron", (_i, np.array([1, 2], "int32"))),
    Case("cross", (_f, _f[::-1])), Case("cross", (arr((2, 2)), arr((2, 2), low=1.0, high=3.0))),
    Case("cross", (arr((3, 2)), arr((3, 2), low=1.0, high=3.0)), {"axis": 0}),
    Case("correlate", (_row, np.array([1.0, 0.5], "float32"))),
    Case("correlate", (_row, np.array([1.0, 0.5], "float32")), {"mode": "full"}),
    Case("correlate", (_row, np.array([1.0, 0.5], "float32")), {"mode": "same"}),
    Case("corrcoef", (arr((3, 4)) ** 2,), rtol=1e-4, atol=1e-5),
    Case("slogdet", (_sq,), rtol=1e-4), Case("slogdet", (np.stack([_sq, -_sq]),), rtol=1e-4),
    Case("diag", (_row,)), Case("diag", (_sq,), {"k": 1}), Case("diag", (_row,), {"k": -1}),
    Case("diagflat", (_f,)), Case("diagflat", (_row,), {"k": 1}),
    Case("diagonal", (_sq,)), Case("diagonal", (_cube,), {"offset": 1, "axis1": 1, "axis2": 2}),
    Case("tril", (_sq,)), Case("tril", (_cube,), {"k": -1}),
    Case("triu", (_sq,)), Case("triu", (_cube,), {"k": 1}),
    # --- misc ---------------------------------------------------------------------------------
    Case("ndim", (_cube,)), Case("size", (_cube,)),
    Case("view", (_f, "int32")), Case("view", (_i, "float32")),
    Case("view", (np.arange(4, dtype="int16"), "int8")),
    Case("diff", (_f,)), Case("diff", (_cube,), {"n": 2, "axis": 1}),
    Case("diff", (_i,), {"axis": 0}),
]

NOT_COMPARED = {
    "vectorize": "returns a function (jax.numpy.vectorize of the Python function, as Keras's "
    "JAX backend); its result is compared in tests/ops/test_numpy.py.",
}
