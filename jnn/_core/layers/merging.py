"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

Each takes a list of inputs and has no weights. Shapes are checked symbolically with Keras's
rules and messages that name the layer and every input shape.

Example:
    >>> import jax.numpy as jnp
    >>> from jnn.layers import Add
    >>> y, _ = Add().apply({}, [jnp.ones((2, 3)), jnp.ones((2, 3))])
    >>> float(y.sum())
    12.0
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from jnn._core.layers.base import Layer, SymbolicSpec


def _shape(x: Any) -> tuple:
    return tuple(x.shape)


class _Merge(Layer):
    """Elementwise merge of a list of inputs with numpy broadcasting of non-batch dims."""

    min_inputs = 2
    max_inputs: int | None = None

    def _check_inputs(self, inputs: Any) -> list[Any]:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) should be called on a list of '
                f"inputs; received a single input of shape {_shape(inputs)}."
            )
        n = len(inputs)
        if n < self.min_inputs or (self.max_inputs is not None and n > self.max_inputs):
            want = (f"exactly {self.min_inputs}" if self.max_inputs == self.min_inputs
                    else f"at least {self.min_inputs}")
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) should be called on {want} '
                f"inputs; received {n} inputs."
            )
        shapes = [_shape(x) for x in inputs]
        out = shapes[0][1:]
        for s in shapes[1:]:
            out = self._broadcast(out, s[1:], shapes)
        return list(inputs)

    def _broadcast(self, a: tuple, b: tuple, shapes: list) -> tuple:
        if len(a) < len(b):
            a, b = b, a
        b = (1,) * (len(a) - len(b)) + tuple(b)
        out = []
        for da, db in zip(a, b):
            if da is None or db is None:
                out.append(None)
            elif da == db or db == 1:
                out.append(da)
            elif da == 1:
                out.append(db)
            else:
                raise ValueError(
                    f'Layer "{self.name}" ({type(self).__name__}): inputs have incompatible '
                    f"shapes. Received shapes {[tuple(s) for s in shapes]}."
                )
        return tuple(out)

    def _merge(self, xs: list[jax.Array]) -> jax.Array:
        raise NotImplementedError

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None, **kwargs):
        xs = self._check_inputs(inputs)
        xs = [self.cast_inputs(x) for x in xs]
        # Broadcast explicitly (inputs may differ in rank, as Keras allows).
        rank = max(x.ndim for x in xs)
        xs = [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in xs]
        shape = jnp.broadcast_shapes(*[x.shape for x in xs])
        xs = [jnp.broadcast_to(x, shape) for x in xs]
        return self._merge(xs), {}

    def compute_output_spec(self, input_spec: Any, **kwargs: Any) -> Any:
        specs = self._check_inputs(input_spec)
        out = specs[0].shape[1:]
        for s in specs[1:]:
            out = self._broadcast(out, s.shape[1:], [x.shape for x in specs])
        batch = specs[0].shape[0]
        dtype = jnp.result_type(*[s.dtype for s in specs])
        return SymbolicSpec((batch,) + tuple(out), dtype)


class Add(_Merge):
    """Sums a list of inputs elementwise (``keras.layers.Add``)."""

    def _merge(self, xs):
        return functools.reduce(jnp.add, xs)


class Subtract(_Merge):
    """Subtracts the second input from the first (exactly two inputs)."""

    min_inputs = max_inputs = 2

    def _merge(self, xs):
        return xs[0] - xs[1]


class Multiply(_Merge):
    """Multiplies a list of inputs elementwise."""

    def _merge(self, xs):
        return functools.reduce(jnp.multiply, xs)


class Average(_Merge):
    """Averages a list of inputs elementwise."""

    def _merge(self, xs):
        return functools.reduce(jnp.add, xs) / len(xs)


class Maximum(_Merge):
    """Elementwise maximum of a list of inputs."""

    def _merge(self, xs):
        return functools.reduce(jnp.maximum, xs)


class Minimum(_Merge):
    """Elementwise minimum of a list of inputs."""

    def _merge(self, xs):
        return functools.reduce(jnp.minimum, xs)


class Concatenate(Layer):
    """Concatenates a list of inputs along ``axis`` (default -1)."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise ValueError(f"Concatenate: argument `axis` must be an int, received {axis!r}.")
        self.axis = axis

    def _check(self, shapes: list[tuple]) -> None:
        if len(shapes) < 1:
            raise ValueError(f'Layer "{self.name}" (Concatenate) needs at least one input.')
        ranks = {len(s) for s in shapes}
        bad = len(ranks) > 1
        if not bad:
            rank = ranks.pop()
            axis = self.axis % rank
            for i in range(rank):
                if i == axis:
                    continue
                dims = {s[i] for s in shapes if s[i] is not None}
                if len(dims) > 1:
                    bad = True
        if bad:
            raise ValueError(
                f'A `Concatenate` layer ("{self.name}") requires inputs with matching shapes '
                "except for the concatenation axis. Received: input_shape="
                f"{[tuple(s) for s in shapes]}"
            )

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None, **kwargs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f'Layer "{self.name}" (Concatenate) should be called on a list of inputs.'
            )
        self._check([_shape(x) for x in inputs])
        xs = self.cast_inputs(list(inputs))
        return jnp.concatenate(xs, axis=self.axis), {}

    def compute_output_spec(self, input_spec: Any, **kwargs: Any) -> Any:
        shapes = [s.shape for s in input_spec]
        self._check(shapes)
        axis = self.axis % len(shapes[0])
        sizes = [s[axis] for s in shapes]
        out = list(shapes[0])
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        for i in range(len(out)):
            if i != axis and out[i] is None:
                out[i] = next((s[i] for s in shapes if s[i] is not None), None)
        return SymbolicSpec(tuple(out), jnp.result_type(*[s.dtype for s in input_spec]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Dot(Layer):
    """Dot product of two inputs along ``axes`` (batch dimension excluded), optionally of
    L2-normalized inputs (cosine proximity), as ``keras.layers.Dot``."""

    def __init__(self, axes: int | tuple[int, int] | list[int], normalize: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, int):
            axes = (axes, axes)
        if not (isinstance(axes, (list, tuple)) and len(axes) == 2
                and all(isinstance(a, int) for a in axes)):
            raise ValueError(
                f"Dot: argument `axes` must be an int or a pair of ints, received {axes!r}."
            )
        self.axes = tuple(axes)
        self.normalize = bool(normalize)

    def _resolve(self, shapes: list[tuple]) -> tuple[int, int]:
        if len(shapes) != 2:
            raise ValueError(
                f'A `Dot` layer ("{self.name}") should be called on exactly 2 inputs; '
                f"received {len(shapes)}."
            )
        a, b = shapes
        axes = tuple(ax % len(s) if ax < 0 else ax for ax, s in zip(self.axes, shapes))
        if axes[0] == 0 or axes[1] == 0:
            raise ValueError(f'Layer "{self.name}" (Dot): cannot take a dot along the batch axis.')
        da, db = a[axes[0]], b[axes[1]]
        if da is not None and db is not None and da != db:
            raise ValueError(
                f'Incompatible input shapes for layer "{self.name}" (Dot): dimension '
                f"incompatibility ({da} != {db}). Layer shapes: {tuple(a)}, {tuple(b)}. "
                f"Chosen axes: {axes}"
            )
        return axes

    def apply(self, variables, inputs, *, training=False, rng=None, mask=None, **kwargs):
        x, y = self.cast_inputs(list(inputs)) if isinstance(inputs, (list, tuple)) else (
            inputs, None)
        axes = self._resolve([_shape(x), _shape(y)])
        if self.normalize:
            # x / max(|x|, 1e-12) written so that the gradient at x = 0 is finite (the norm's
            # derivative at 0 is 0 * inf = NaN even where max picks the constant).
            x = x * jax.lax.rsqrt(jnp.maximum(jnp.sum(x * x, axis=axes[0], keepdims=True), 1e-24))
            y = y * jax.lax.rsqrt(jnp.maximum(jnp.sum(y * y, axis=axes[1], keepdims=True), 1e-24))
        out = jax.vmap(lambda a, b: jnp.tensordot(a, b, axes=(axes[0] - 1, axes[1] - 1)))(x, y)
        if out.ndim == 1:
            out = out[:, None]
        return out, {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": list(self.axes), "normalize": self.normalize}


def add(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Add`: ``add([a, b])``."""
    return Add(**kwargs)(inputs)


def subtract(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Subtract`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list[Any], **kwargs: Any) -> Any:
    """Functional form of :class:`Minimum`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list[Any], axis: int = -1, **kwargs: Any) -> Any:
    """Functional form of :class:`Concatenate`: ``concatenate([a, b], axis=-1)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list[Any], axes: Any, normalize: bool = False, **kwargs: Any) -> Any:
    """Functional form of :class:`Dot`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
