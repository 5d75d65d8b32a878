"""Keras 2's ``layers.experimental.preprocessing``: the preprocessing layers under their old
path (Keras 3 moved them to ``layers``). Older tutorials write
``keras.layers.experimental.preprocessing.Rescaling(1/255)``; it is ``jnn.layers.Rescaling``.

Example:
    >>> from jnn.layers.experimental import preprocessing
    >>> import jnn
    >>> preprocessing.Rescaling is jnn.layers.Rescaling
    True
"""

from typing import Any

# Keras 2.x's list; each resolves to today's jnn.layers class of the same name.
_KERAS2_NAMES = (
    "CategoryCrossing", "CategoryEncoding", "CenterCrop", "Discretization", "Hashing",
    "IntegerLookup", "Normalization", "PreprocessingLayer", "RandomContrast", "RandomCrop",
    "RandomFlip", "RandomHeight", "RandomRotation", "RandomTranslation", "RandomWidth",
    "RandomZoom", "Rescaling", "Resizing", "StringLookup", "TextVectorization",
)

__all__ = list(_KERAS2_NAMES)


from jnn._core.layers.lookup import StringLookup, TextVectorization  # noqa: E402
from jnn._core.layers.preprocessing import Rescaling  # noqa: E402
from jnn._core.layers.preprocessing_extra import (  # noqa: E402
    CategoryEncoding,
    CenterCrop,
    Discretization,
    IntegerLookup,
    Normalization,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)

# The same classes as jnn.layers (re-exported from the core, not through jnn.layers, which
# imports this namespace).
_PRESENT = {
    c.__name__: c
    for c in (
        CategoryEncoding, CenterCrop, Discretization, IntegerLookup, Normalization, RandomFlip,
        RandomRotation, RandomTranslation, RandomZoom, Rescaling, Resizing, StringLookup,
        TextVectorization,
    )
}


def __getattr__(name: str) -> Any:
    from jnn._shell.runtime import absent

    return absent.missing(__name__, name)


def __dir__() -> list[str]:
    return sorted(n for n in _KERAS2_NAMES if n in _PRESENT)
