"""Nested structures (Keras 3's ``keras.tree``) on ``jax.tree_util``.

Lists, tuples, namedtuples and dicts (keys sorted) are nested; everything else, ``None``
included, is a leaf, as in Keras.

Example:
    >>> flatten({"b": [1, None], "a": (2,)})
    [2, 1, None]
    >>> map_structure(lambda v: v * 10, [1, (2, 3)])
    [10, (20, 30)]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax

__all__ = [
    "MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten", "flatten_with_path",
    "is_nested", "lists_to_tuples", "map_shape_structure", "map_structure",
    "map_structure_up_to", "pack_sequence_as", "traverse", "unflatten_as",
]


class _MapToNone:
    """Returned by a ``traverse`` function to put ``None`` in place of a subtree."""

    def __repr__(self) -> str:
        return "MAP_TO_NONE"


MAP_TO_NONE = _MapToNone()


def _none_leaf(x: Any) -> bool:
    return x is None


def _treedef(structure: Any) -> Any:
    return jax.tree_util.tree_structure(structure, is_leaf=_none_leaf)


def is_nested(structure: Any) -> bool:
    """Whether ``structure`` is a list, tuple or dict (possibly empty).

    Example:
        >>> is_nested([]), is_nested(3)
        (True, False)
    """
    return isinstance(structure, (list, tuple, Mapping))


def flatten(structure: Any) -> list[Any]:
    """The leaves, depth first (dicts by sorted key); a leaf gives ``[leaf]``.

    Example:
        >>> flatten([1, (2, {"x": 3})])
        [1, 2, 3]
    """
    return jax.tree_util.tree_leaves(structure, is_leaf=_none_leaf)


def flatten_with_path(structure: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """``(path, leaf)`` pairs; a path is the tuple of dict keys / sequence indices (namedtuple
    fields by index, as Keras) leading to the leaf.

    Example:
        >>> flatten_with_path({"a": [5]})
        [(('a', 0), 5)]
    """
    out: list[tuple[tuple[Any, ...], Any]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, Mapping):
            for k in _dict_keys(node):
                walk(node[k], path + (k,))
        elif isinstance(node, (list, tuple)):
            for i, child in enumerate(node):
                walk(child, path + (i,))
        else:
            out.append((path, node))

    walk(structure, ())
    return out


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """``flat_sequence`` (a list of leaves) in the shape of ``structure``.

    Example:
        >>> pack_sequence_as([0, (0, 0)], [1, 2, 3])
        [1, (2, 3)]
    """
    treedef = _treedef(structure)
    flat = list(flat_sequence)
    if len(flat) != treedef.num_leaves:
        raise ValueError(
            f"The target structure has {treedef.num_leaves} leaves but the flat sequence has "
            f"{len(flat)} items. Structure: {structure!r}"
        )
    return jax.tree_util.tree_unflatten(treedef, flat)


def unflatten_as(structure: Any, flat_sequence: Any) -> Any:
    """Alias of :func:`pack_sequence_as` (Keras's name).

    Example:
        >>> unflatten_as({"a": 0, "b": 0}, [1, 2])
        {'a': 1, 'b': 2}
    """
    return pack_sequence_as(structure, flat_sequence)


def map_structure(func: Callable[..., Any], *structures: Any, none_is_leaf: bool = True) -> Any:
    """``func`` applied leafwise to structures of the same shape.

    Example:
        >>> map_structure(lambda a, b: a + b, (1, [2]), (10, [20]))
        (11, [22])
    """
    if not structures:
        raise ValueError("map_structure needs at least one structure.")
    for other in structures[1:]:
        assert_same_structure(structures[0], other)
    return jax.tree_util.tree_map(func, *structures,
                                  is_leaf=_none_leaf if none_is_leaf else None)


def map_structure_up_to(shallow_structure: Any, func: Callable[..., Any],
                        *structures: Any) -> Any:
    """``func`` applied to the subtrees found at the leaves of ``shallow_structure``.

    Example:
        >>> map_structure_up_to([0, 0], len, [[1, 2], [3]])
        [2, 1]
    """
    treedef = _treedef(shallow_structure)
    try:
        parts = [treedef.flatten_up_to(s) for s in structures]
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"The structures do not contain the shallow structure {shallow_structure!r}: {exc}"
        ) from None
    return jax.tree_util.tree_unflatten(treedef, [func(*args) for args in zip(*parts)])


def assert_same_structure(a: Any, b: Any, check_types: Any = None) -> None:
    """Raises ``ValueError`` unless ``a`` and ``b`` nest the same way.

    Example:
        >>> assert_same_structure([1, (2,)], [3, (4,)])
    """
    del check_types
    ta, tb = _treedef(a), _treedef(b)
    if ta != tb:
        raise ValueError(
            f"Structures don't have the same nested structure.\nFirst structure: {a!r}\n"
            f"Second structure: {b!r}"
        )


def assert_same_paths(a: Any, b: Any) -> None:
    """Raises ``ValueError`` unless ``a`` and ``b`` have the same leaf paths.

    Example:
        >>> assert_same_paths({"a": 1}, {"a": [2][0]})
    """
    pa = {p for p, _ in flatten_with_path(a)}
    pb = {p for p, _ in flatten_with_path(b)}
    if pa != pb:
        raise ValueError(
            f"The two structures don't have the same paths. Only in the first: "
            f"{sorted(map(str, pa - pb))}; only in the second: {sorted(map(str, pb - pa))}."
        )


def _rebuild(node: Any, children: list[Any]) -> Any:
    if isinstance(node, Mapping):
        return type(node)(zip(_dict_keys(node), children))
    if isinstance(node, tuple) and hasattr(node, "_fields"):
        return type(node)(*children)
    return type(node)(children)


def _dict_keys(node: Mapping) -> list[Any]:
    try:
        return sorted(node)
    except TypeError:
        return list(node)


def _children(node: Any) -> list[Any]:
    if isinstance(node, Mapping):
        return [node[k] for k in _dict_keys(node)]
    return list(node)


def traverse(func: Callable[[Any], Any], structure: Any, top_down: bool = True) -> Any:
    """Applies ``func`` to every node (subtrees and leaves), Keras's ``tree.traverse``.

    Top down: a non-None result replaces the node and stops the descent (``MAP_TO_NONE``
    puts ``None``). Bottom up: children first, then ``func`` on the rebuilt node; ``None``
    keeps it.

    Example:
        >>> traverse(lambda x: x * 2 if isinstance(x, int) else None, [1, (2, {"a": 3})])
        [2, (4, {'a': 6})]
    """

    def down(node: Any) -> Any:
        out = func(node)
        if out is MAP_TO_NONE:
            return None
        if out is not None:
            return out
        if is_nested(node):
            return _rebuild(node, [down(c) for c in _children(node)])
        return node

    def up(node: Any) -> Any:
        if is_nested(node):
            node = _rebuild(node, [up(c) for c in _children(node)])
        out = func(node)
        if out is MAP_TO_NONE:
            return None
        return node if out is None else out

    return down(structure) if top_down else up(structure)


def lists_to_tuples(structure: Any) -> Any:
    """The same structure with every list turned into a tuple.

    Example:
        >>> lists_to_tuples([1, [2, {"a": [3]}]])
        (1, (2, {'a': (3,)}))
    """

    def fn(node: Any) -> Any:
        if isinstance(node, list):
            return tuple(lists_to_tuples(c) for c in node)
        return None

    return traverse(fn, structure, top_down=True)


def _is_shape(x: Any) -> bool:
    return isinstance(x, (tuple, list)) and all(d is None or isinstance(d, int) for d in x)


def map_shape_structure(func: Callable[[Any], Any], structure: Any) -> Any:
    """``func`` applied to every shape (a tuple of ints / None) of a nested structure.

    Example:
        >>> map_shape_structure(len, {"a": (None, 3), "b": [(1, 2), (4,)]})
        {'a': 2, 'b': [2, 1]}
    """
    return jax.tree_util.tree_map(func, structure,
                                  is_leaf=lambda x: x is None or _is_shape(x))
