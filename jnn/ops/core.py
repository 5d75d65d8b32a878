"""``jnn.ops.core``: Keras 3's ``keras.ops.core`` ops (re-exported from ``jnn._core.ops.core``).

Example:
    >>> from jnn.ops import core
    >>> len(dir(core)) > 0
    True
"""

from jnn._shell.layers.symbolic_ops import namespace as _namespace

globals().update(_namespace("core"))
__all__ = sorted(_namespace("core"))
