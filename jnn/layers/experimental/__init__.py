"""Keras 2's ``layers.experimental`` namespace (older tutorials): ``preprocessing``.

Example:
    >>> import jnn
    >>> jnn.layers.experimental.preprocessing.Rescaling(1 / 255).scale
    0.00392156862745098
"""

from jnn.layers.experimental import preprocessing

__all__ = ["preprocessing"]
