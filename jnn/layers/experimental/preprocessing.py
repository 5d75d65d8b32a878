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


def __getattr__(name: str) -> Any:
    import jnn.layers
    from jnn._shell import absent

    if name in _KERAS2_NAMES and name in vars(jnn.layers):
        return vars(jnn.layers)[name]
    return absent.missing(__name__, name)


def __dir__() -> list[str]:
    import jnn.layers

    return sorted(n for n in _KERAS2_NAMES if n in vars(jnn.layers))
