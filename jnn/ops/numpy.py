"""``jnn.ops.numpy``: Keras 3's ``keras.ops.numpy`` ops (re-exported from ``jnn._core.ops.numpy``).

Example:
    >>> from jnn.ops import numpy
    >>> len(dir(numpy)) > 0
    True
"""

from jnn._shell.layers.symbolic_ops import namespace as _namespace

globals().update(_namespace("numpy"))
__all__ = sorted(_namespace("numpy"))
