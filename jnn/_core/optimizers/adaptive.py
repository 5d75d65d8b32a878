"""RMSprop, Adagrad, Adadelta and Ftrl with Keras 3 arguments and update rules.

Example:
    >>> from jnn.optimizers import RMSprop
    >>> RMSprop(centered=True).get_config()["centered"]
    True
"""

from __future__ import annotations

from typing import Any

import optax

from jnn._core.optimizers import transforms
from jnn._core.optimizers.base import Optimizer, check_number
from jnn._core.optimizers.transforms import scale_by_learning_rate


class RMSprop(Optimizer):
    """RMSprop, Keras rule: ``v = rho v + (1 - rho) g^2``;
    ``increment = lr * g / sqrt(v + epsilon)`` (centered: ``sqrt(v - mean_g^2 + epsilon)``);
    with momentum, ``buf = momentum * buf + increment`` and ``var -= buf``.

    Args:
        learning_rate: float or schedule (default 0.001).
        rho: discounting factor in [0, 1] (default 0.9).
        momentum: float in [0, 1] (default 0.0).
        epsilon: small constant added inside the square root (default 1e-7).
        centered: normalise by the estimated variance of the gradient (default False).
        **kwargs: the common optimizer arguments (see :class:`Optimizer`).

    Example:
        >>> RMSprop(learning_rate=1.0).get_config()["learning_rate"]
        1.0
    """

    _config_args = ("rho", "momentum", "epsilon", "centered")

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = check_number("RMSprop", "rho", rho, low=0.0, high=1.0)
        self.momentum = check_number("RMSprop", "momentum", momentum, low=0.0, high=1.0)
        self.epsilon = check_number("RMSprop", "epsilon", epsilon, low=0.0)
        self.centered = bool(centered)

    def _rule(self) -> optax.GradientTransformationExtraArgs:
        scale = optax.scale_by_stddev if self.centered else optax.scale_by_rms
        parts = [scale(decay=self.rho, eps=self.epsilon, eps_in_sqrt=True)]
        parts.append(scale_by_learning_rate())
        if self.momentum > 0:
            parts.append(optax.trace(self.momentum))
        return optax.chain(*parts)


class Adagrad(Optimizer):
    """Adagrad, Keras rule: ``acc += g^2``; ``var -= lr * g / sqrt(acc + epsilon)``
    (optax's ``scale_by_rss``).

    Args:
        learning_rate: float or schedule (default 0.001).
        initial_accumulator_value: starting value of the accumulator, >= 0 (default 0.1).
        epsilon: small constant added inside the square root (default 1e-7).
        **kwargs: the common optimizer arguments (see :class:`Optimizer`).

    Example:
        >>> Adagrad().get_config()["initial_accumulator_value"]
        0.1
    """

    _config_args = ("initial_accumulator_value", "epsilon")

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = check_number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, low=0.0
        )
        self.epsilon = check_number("Adagrad", "epsilon", epsilon, low=0.0)

    def _rule(self) -> optax.GradientTransformationExtraArgs:
        rss = optax.scale_by_rss(self.initial_accumulator_value, self.epsilon)
        return optax.chain(rss, scale_by_learning_rate())


class Adadelta(Optimizer):
    """Adadelta, Keras rule (optax's ``scale_by_adadelta`` with Keras's epsilon), scaled by the
    learning rate.

    Args:
        learning_rate: float or schedule (default 0.001).
        rho: decay rate in [0, 1] (default 0.95).
        epsilon: small constant for numerical stability (default 1e-7).
        **kwargs: the common optimizer arguments (see :class:`Optimizer`).

    Example:
        >>> Adadelta().get_config()["rho"]
        0.95
    """

    _config_args = ("rho", "epsilon")

    def __init__(
        self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7, **kwargs: Any
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = check_number("Adadelta", "rho", rho, low=0.0, high=1.0)
        self.epsilon = check_number("Adadelta", "epsilon", epsilon, low=0.0)

    def _rule(self) -> optax.GradientTransformationExtraArgs:
        delta = optax.scale_by_adadelta(rho=self.rho, eps=self.epsilon)
        return optax.chain(delta, scale_by_learning_rate())


class Ftrl(Optimizer):
    """FTRL-proximal (Keras rule), with L1, L2 and L2-shrinkage regularization.

    Args:
        learning_rate: float or schedule (default 0.001).
        learning_rate_power: <= 0 (default -0.5).
        initial_accumulator_value: >= 0 (default 0.1).
        l1_regularization_strength: >= 0 (default 0.0).
        l2_regularization_strength: >= 0 (default 0.0).
        l2_shrinkage_regularization_strength: >= 0 (default 0.0).
        beta: float (default 0.0).
        **kwargs: the common optimizer arguments (see :class:`Optimizer`).

    Example:
        >>> Ftrl().get_config()["learning_rate_power"]
        -0.5
    """

    _config_args = (
        "learning_rate_power",
        "initial_accumulator_value",
        "l1_regularization_strength",
        "l2_regularization_strength",
        "l2_shrinkage_regularization_strength",
        "beta",
    )

    def __init__(
        self,
        learning_rate: Any = 0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.learning_rate_power = check_number(
            "Ftrl", "learning_rate_power", learning_rate_power, high=0.0
        )
        self.initial_accumulator_value = check_number(
            "Ftrl", "initial_accumulator_value", initial_accumulator_value, low=0.0
        )
        for arg, value in (
            ("l1_regularization_strength", l1_regularization_strength),
            ("l2_regularization_strength", l2_regularization_strength),
            ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength),
        ):
            setattr(self, arg, check_number("Ftrl", arg, value, low=0.0))
        self.beta = check_number("Ftrl", "beta", beta)

    def _needs_params(self) -> bool:
        return True

    def _rule(self) -> optax.GradientTransformationExtraArgs:
        return transforms.keras_ftrl(
            self.learning_rate_power,
            self.initial_accumulator_value,
            self.l1_regularization_strength,
            self.l2_regularization_strength,
            self.l2_shrinkage_regularization_strength,
            self.beta,
        )
