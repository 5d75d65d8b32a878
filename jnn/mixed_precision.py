"""Mixed precision policies, as ``keras.mixed_precision``.

Example:
    >>> import jnn
    >>> jnn.mixed_precision.set_global_policy("mixed_bfloat16")
    >>> jnn.mixed_precision.global_policy().compute_dtype
    'bfloat16'
    >>> jnn.mixed_precision.set_global_policy("float32")
"""

from jnn._core.precision import Policy as Policy
from jnn._core.precision import global_policy as global_policy
from jnn._core.precision import set_global_policy as set_global_policy

DTypePolicy = Policy

__all__ = ["DTypePolicy", "Policy", "global_policy", "set_global_policy"]
