"""``jnn.ops.nn``: Keras 3's ``keras.ops.nn`` ops (re-exported from ``jnn._core.ops.nn``).

Example:
    >>> from jnn.ops import nn
    >>> len(dir(nn)) > 0
    True
"""

from jnn._shell.layers.symbolic_ops import namespace as _namespace

globals().update(_namespace("nn"))
__all__ = sorted(_namespace("nn"))
