"""Nested structures with Keras 3's names (``keras.tree``), on ``jax.tree_util``.

Example:
    >>> import jnn
    >>> jnn.tree.flatten({"b": [1, None], "a": (2,)})
    [2, 1, None]
"""

from jnn._core.tree import (
    MAP_TO_NONE,
    assert_same_paths,
    assert_same_structure,
    flatten,
    flatten_with_path,
    is_nested,
    lists_to_tuples,
    map_shape_structure,
    map_structure,
    map_structure_up_to,
    pack_sequence_as,
    traverse,
    unflatten_as,
)

__all__ = [
    "MAP_TO_NONE",
    "assert_same_paths",
    "assert_same_structure",
    "flatten",
    "flatten_with_path",
    "is_nested",
    "lists_to_tuples",
    "map_shape_structure",
    "map_structure",
    "map_structure_up_to",
    "pack_sequence_as",
    "traverse",
    "unflatten_as",
]
