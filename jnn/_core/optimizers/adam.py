"""Adam, AdamW, Adamax and Nadam with Keras 3 arguments and update rules.

Keras adds epsilon to ``sqrt(v)`` before bias correction, unlike optax, so these use the small
transforms in :mod:`jnn._core.optimizers.transforms`.

Example:
    >>> from jnn.optimizers import Adam
    >>> Adam().get_config()["epsilon"]
    1e-07
"""

from __future__ import annotations

from typing import Any

import optax

from jnn._core.optimizers import transforms
from jnn._core.optimizers.base import Optimizer, check_number


class _AdamFamily(Optimizer):
    _config_args: tuple[str, ...] = ("beta_1", "beta_2", "epsilon")

    def _set_betas(self, beta_1: float, beta_2: float, epsilon: float) -> None:
        owner = type(self).__name__
        self.beta_1 = check_number(owner, "beta_1", beta_1, low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_number(owner, "beta_2", beta_2, low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number(owner, "epsilon", epsilon, low=0.0)


class Adam(_AdamFamily):
    """Adam, Keras rule: ``var -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)``.

    Args:
        learning_rate: float or schedule (default 0.001).
        beta_1: first-moment decay in [0, 1) (default 0.9).
        beta_2: second-moment decay in [0, 1) (default 0.999).
        epsilon: added to ``sqrt(v)`` (default 1e-7).
        amsgrad: use the running maximum of ``v`` (default False).
        **kwargs: the common optimizer arguments (see :class:`Optimizer`).

    Example:
        >>> Adam(amsgrad=True).get_config()["amsgrad"]
        True
    """

    _config_args = ("beta_1", "beta_2", "epsilon", "amsgrad")

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self._set_betas(beta_1, beta_2, epsilon)
        self.amsgrad = bool(amsgrad)

    def _rule(self) -> optax.GradientTransformationExtraArgs:
        return transforms.scale_by_keras_adam(self.beta_1, self.beta_2, self.epsilon, self.amsgrad)


class AdamW(Adam):
    """Adam with decoupled weight decay ``var -= var * weight_decay * lr`` (default 0.004).

    Example:
        >>> AdamW().get_config()["weight_decay"]
        0.004
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        if weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float, received None.")
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )


class Adamax(_AdamFamily):
    """Adamax (infinity-norm Adam), Keras rule:
    ``u = max(b2 u, |g|)``; ``var -= lr * m / ((1 - b1^t) * (u + epsilon))``.

    Example:
        >>> Adamax().get_config()["beta_2"]
        0.999
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self._set_betas(beta_1, beta_2, epsilon)

    def _rule(self) -> optax.GradientTransformationExtraArgs:
        return transforms.scale_by_keras_adamax(self.beta_1, self.beta_2, self.epsilon)


class Nadam(_AdamFamily):
    """Nadam (Adam with Nesterov momentum), Keras rule with the momentum-cache schedule
    ``u_t = beta_1 * (1 - 0.5 * 0.96^t)``.

    Example:
        >>> Nadam().get_config()["beta_1"]
        0.9
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self._set_betas(beta_1, beta_2, epsilon)

    def _rule(self) -> optax.GradientTransformationExtraArgs:
        return transforms.scale_by_keras_nadam(self.beta_1, self.beta_2, self.epsilon)
