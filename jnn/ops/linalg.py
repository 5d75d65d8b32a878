"""``jnn.ops.linalg``: Keras 3's ``keras.ops.linalg`` ops (re-exported from ``jnn._core.ops.linalg``).

Example:
    >>> from jnn.ops import linalg
    >>> len(dir(linalg)) > 0
    True
"""

from jnn._shell.layers.symbolic_ops import namespace as _namespace

globals().update(_namespace("linalg"))
__all__ = sorted(_namespace("linalg"))
