"""SGD (with momentum / Nesterov) and Lion, with Keras 3 arguments and update rules.

Example:
    >>> from jnn.optimizers import SGD
    >>> SGD(momentum=0.9, nesterov=True).get_config()["nesterov"]
    True
"""

from __future__ import annotations

from typing import Any

import optax

from jnn._core.optimizers.base import Optimizer, check_number
from jnn._core.optimizers.transforms import scale_by_learning_rate


class SGD(Optimizer):
    """Gradient descent with optional momentum (Keras rule).

    ``m = momentum * m - lr * g``; ``var += m`` (or, with ``nesterov``,
    ``var += momentum * m - lr * g``). This is optax's ``trace`` applied after the learning
    rate, so the learning rate lives inside the momentum buffer as in Keras.

    Args:
        learning_rate: float or schedule (default 0.01).
        momentum: float in [0, 1] (default 0.0).
        nesterov: whether to use Nesterov momentum (default False).
        **kwargs: the common optimizer arguments (see :class:`Optimizer`).

    Example:
        >>> import jax.numpy as jnp
        >>> opt = SGD(0.1, momentum=0.9)
        >>> u, s = opt.tx.update(jnp.ones(()), opt.tx.init(jnp.zeros(())), jnp.zeros(()))
        >>> round(float(u), 6)
        -0.1
    """

    _config_args = ("momentum", "nesterov")

    def __init__(
        self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = check_number("SGD", "momentum", momentum, low=0.0, high=1.0)
        self.nesterov = bool(nesterov)

    def _rule(self) -> optax.GradientTransformationExtraArgs:
        if self.momentum == 0:
            return optax.chain(scale_by_learning_rate())
        return optax.chain(scale_by_learning_rate(), optax.trace(self.momentum, self.nesterov))


class Lion(Optimizer):
    """Lion: ``var -= lr * sign(b1 * m + (1 - b1) * g)``; ``m = b2 * m + (1 - b2) * g``
    (optax's ``scale_by_lion``).

    Args:
        learning_rate: float or schedule (default 0.001).
        beta_1: float in (0, 1] (default 0.9).
        beta_2: float in [0, 1] (default 0.99).
        **kwargs: the common optimizer arguments (see :class:`Optimizer`).

    Example:
        >>> Lion().get_config()["beta_2"]
        0.99
    """

    _config_args = ("beta_1", "beta_2")

    def __init__(
        self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99, **kwargs
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = check_number("Lion", "beta_1", beta_1, low=0.0, high=1.0, low_open=True)
        self.beta_2 = check_number("Lion", "beta_2", beta_2, low=0.0, high=1.0)

    def _rule(self) -> optax.GradientTransformationExtraArgs:
        return optax.chain(optax.scale_by_lion(self.beta_1, self.beta_2), scale_by_learning_rate())
