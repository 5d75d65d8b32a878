"""Keras 3's ``keras.ops.linalg`` on ``jax.numpy.linalg`` / ``jax.scipy.linalg``.

Every function takes (batches of) matrices in the last two axes, checks shapes with a clear
error, and returns what Keras 3 (JAX backend) returns. The facade re-exports every name of
``__all__`` at ``jnn.ops.linalg`` and at ``jnn.ops``.

Example:
    >>> import jax.numpy as jnp
    >>> from jnn._core.ops import linalg
    >>> linalg.solve(2.0 * jnp.eye(2), jnp.ones(2)).tolist()
    [0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy as jsp

from jnn._core.ops import _dtypes

__all__ = [
    "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq", "lu_factor",
    "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd",
]  # fmt: skip


def _matrix(x: Any, fn: str, square: bool = True) -> jax.Array:
    x = _dtypes.convert_to_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"{fn}: expected an input of rank >= 2, received shape {x.shape}.")
    if square and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{fn}: expected a square matrix, received shape {x.shape}.")
    return x


def _rhs(a: jax.Array, b: Any, fn: str) -> jax.Array:
    b = _dtypes.convert_to_tensor(b)
    if b.ndim < 1:
        raise ValueError(f"{fn}: `b` must have rank >= 1, received a scalar.")
    if a.ndim == b.ndim and a.shape[-2] != b.shape[-2]:
        raise ValueError(
            f"{fn}: incompatible shapes, expected a.shape[-2] == b.shape[-2]; received "
            f"a.shape={a.shape}, b.shape={b.shape}."
        )
    if a.ndim == b.ndim + 1 and a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"{fn}: incompatible shapes, expected a.shape[-1] == b.shape[-1]; received "
            f"a.shape={a.shape}, b.shape={b.shape}."
        )
    return b


def cholesky(x: Any, upper: bool = False) -> jax.Array:
    """Cholesky factor of a positive-definite matrix (lower, or upper with ``upper=True``).
    Eagerly, a matrix that is not positive definite raises ``ValueError``.

    Example:
        >>> cholesky(4.0 * jnp.eye(2)).tolist()
        [[2.0, 0.0], [0.0, 2.0]]
    """
    out = jnp.linalg.cholesky(_matrix(x, "cholesky"), upper=upper)
    if not isinstance(out, jax.core.Tracer) and bool(jnp.any(jnp.isnan(out))):
        raise ValueError(
            "cholesky: the decomposition failed; the input is not a (numerically) positive "
            "definite matrix."
        )
    return out


def cholesky_inverse(x: Any, upper: bool = False) -> jax.Array:
    """Inverse of ``A`` from its Cholesky factor ``x`` (``A = L L^T``, or ``U^T U`` with
    ``upper=True``).

    Example:
        >>> cholesky_inverse(2.0 * jnp.eye(2)).tolist()
        [[0.25, 0.0], [0.0, 0.25]]
    """
    factor = _matrix(x, "cholesky_inverse")
    identity = jnp.eye(factor.shape[-1], dtype=factor.dtype)
    inv_factor = jsp.linalg.solve_triangular(factor, identity, lower=not upper)
    if upper:
        return inv_factor @ jnp.swapaxes(inv_factor, -1, -2)
    return jnp.swapaxes(inv_factor, -1, -2) @ inv_factor


def det(x: Any) -> jax.Array:
    """Determinant of (batches of) square matrices.

    Example:
        >>> float(det(2.0 * jnp.eye(2)))
        4.0
    """
    return jnp.linalg.det(_matrix(x, "det"))


def eig(x: Any) -> tuple[jax.Array, jax.Array]:
    """Eigenvalues and right eigenvectors of a general square matrix (complex; CPU only, as
    ``jnp.linalg.eig``).

    Example:
        >>> eig(jnp.diag(jnp.array([1.0, 2.0])))[0].real.tolist()
        [1.0, 2.0]
    """
    return jnp.linalg.eig(_matrix(x, "eig"))


def eigh(x: Any) -> tuple[jax.Array, jax.Array]:
    """Eigenvalues (ascending) and eigenvectors of a symmetric / Hermitian matrix.

    Example:
        >>> eigh(jnp.diag(jnp.array([2.0, 1.0])))[0].tolist()
        [1.0, 2.0]
    """
    return jnp.linalg.eigh(_matrix(x, "eigh"))


def inv(x: Any) -> jax.Array:
    """Inverse of (batches of) square matrices.

    Example:
        >>> inv(2.0 * jnp.eye(2)).tolist()
        [[0.5, 0.0], [0.0, 0.5]]
    """
    return jnp.linalg.inv(_matrix(x, "inv"))


def lu_factor(x: Any) -> tuple[jax.Array, jax.Array]:
    """LU factorisation with partial pivoting: ``(lu, pivots)`` as ``jax.scipy.linalg.lu_factor``
    (batched over leading axes).

    Example:
        >>> lu_factor(jnp.eye(2))[1].tolist()
        [0, 1]
    """
    x = _matrix(x, "lu_factor", square=False)
    fn = jsp.linalg.lu_factor
    for _ in range(x.ndim - 2):
        fn = jax.vmap(fn)
    return fn(x)


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Vector or matrix norm (``jnp.linalg.norm``); integer inputs give ``floatx()``.

    Example:
        >>> float(norm(jnp.array([3.0, 4.0])))
        5.0
    """
    x = _dtypes.convert_to_tensor(x)
    x = x.astype(_dtypes.result_type(x.dtype, float))
    return jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def qr(x: Any, mode: str = "reduced") -> tuple[jax.Array, jax.Array]:
    """QR decomposition ``(q, r)``; ``mode`` is ``"reduced"`` or ``"complete"``.

    Example:
        >>> [a.shape for a in qr(jnp.ones((3, 2)))]
        [(3, 2), (2, 2)]
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: argument `mode` must be 'reduced' or 'complete', received {mode!r}.")
    return jnp.linalg.qr(_matrix(x, "qr", square=False), mode=mode)


def solve(a: Any, b: Any) -> jax.Array:
    """Solves ``a @ x = b`` for square ``a``.

    Example:
        >>> solve(2.0 * jnp.eye(2), jnp.ones(2)).tolist()
        [0.5, 0.5]
    """
    a = _matrix(a, "solve")
    return jnp.linalg.solve(a, _rhs(a, b, "solve"))


def solve_triangular(a: Any, b: Any, lower: bool = False) -> jax.Array:
    """Solves ``a @ x = b`` for triangular ``a`` (upper unless ``lower=True``).

    Example:
        >>> solve_triangular(jnp.array([[1.0, 1.0], [0.0, 1.0]]), jnp.ones(2)).tolist()
        [0.0, 1.0]
    """
    a = _matrix(a, "solve_triangular")
    return jsp.linalg.solve_triangular(a, _rhs(a, b, "solve_triangular"), lower=lower)


def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """Singular value decomposition ``(u, s, vh)``, or ``s`` alone with ``compute_uv=False``.

    Example:
        >>> svd(jnp.diag(jnp.array([3.0, 1.0])), compute_uv=False).tolist()
        [3.0, 1.0]
    """
    return jnp.linalg.svd(_matrix(x, "svd", square=False), full_matrices=full_matrices,
                          compute_uv=compute_uv)  # fmt: skip


def lstsq(a: Any, b: Any, rcond: float | None = None) -> jax.Array:
    """Least-squares solution of ``a @ x = b``.

    Example:
        >>> lstsq(jnp.array([[1.0], [1.0]]), jnp.array([1.0, 3.0])).round(4).tolist()
        [2.0]
    """
    a, b = _dtypes.convert_to_tensor(a), _dtypes.convert_to_tensor(b)
    return jnp.linalg.lstsq(a, b, rcond=rcond)[0]


def matrix_rank(x: Any, tol: float | None = None) -> jax.Array:
    """Numerical rank of (batches of) matrices, as int32.

    Example:
        >>> int(matrix_rank(jnp.ones((3, 3))))
        1
    """
    return jnp.linalg.matrix_rank(_matrix(x, "matrix_rank", square=False), tol=tol).astype(
        jnp.int32)


def pinv(x: Any, rcond: float | None = None) -> jax.Array:
    """Moore-Penrose pseudo-inverse.

    Example:
        >>> pinv(2.0 * jnp.eye(2)).tolist()
        [[0.5, 0.0], [0.0, 0.5]]
    """
    return jnp.linalg.pinv(_matrix(x, "pinv", square=False), rtol=rcond)


def jvp(fun: Callable, primals: Any, tangents: Any, has_aux: bool = False) -> Any:
    """Jacobian-vector product ``(fun(*primals), J @ tangents)`` (``jax.jvp``).

    Example:
        >>> jvp(lambda x: x**2, (3.0,), (1.0,))[1]
        Array(6., dtype=float32, weak_type=True)
    """
    return jax.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)
