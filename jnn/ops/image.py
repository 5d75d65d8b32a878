"""``jnn.ops.image``: Keras 3's ``keras.ops.image`` ops (re-exported from ``jnn._core.ops.image``).

Example:
    >>> from jnn.ops import image
    >>> len(dir(image)) > 0
    True
"""

from jnn._shell.layers.symbolic_ops import namespace as _namespace

globals().update(_namespace("image"))
__all__ = sorted(_namespace("image"))
