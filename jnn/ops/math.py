"""``jnn.ops.math``: Keras 3's ``keras.ops.math`` ops (re-exported from ``jnn._core.ops.math``).

Example:
    >>> from jnn.ops import math
    >>> len(dir(math)) > 0
    True
"""

from jnn._shell.layers.symbolic_ops import namespace as _namespace

globals().update(_namespace("math"))
__all__ = sorted(_namespace("math"))
