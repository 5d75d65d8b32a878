"""Small optax transforms for the places where Keras's update rule differs from optax's.

Every optimizer "rule" in jnn is an optax transform whose ``update`` receives the current
learning rate as the extra argument ``learning_rate`` (``optax.chain`` forwards extra arguments
to the transforms that accept them). The rule returns the final, signed update, learning rate
included, because Keras folds the learning rate into some states (SGD and RMSprop momentum,
Ftrl), which matters as soon as the learning rate changes between steps.

Example:
    >>> import jax.numpy as jnp, optax
    >>> rule = optax.chain(optax.scale_by_rms(0.9, 1e-7), scale_by_learning_rate())
    >>> state = rule.init({"w": jnp.ones(2)})
    >>> updates, state = rule.update({"w": jnp.ones(2)}, state, learning_rate=0.1)
    >>> updates["w"].shape
    (2,)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax


def _cast_like(value: Any, like: jax.Array) -> jax.Array:
    return jnp.asarray(value).astype(like.dtype)


def _power(base: float, exponent: jax.Array) -> jax.Array:
    return jnp.power(jnp.asarray(base, exponent.dtype), exponent)


def scale_by_learning_rate() -> optax.GradientTransformationExtraArgs:
    """``updates -> -learning_rate * updates`` with the learning rate passed at update time.

    Example:
        >>> import jax.numpy as jnp
        >>> tx = scale_by_learning_rate()
        >>> float(tx.update(jnp.ones(()), tx.init(None), learning_rate=0.5)[0])
        -0.5
    """

    def update_fn(updates, state, params=None, *, learning_rate, **extra):
        del params, extra
        updates = jax.tree.map(lambda g: -(g * _cast_like(learning_rate, g)), updates)
        return updates, state

    return optax.GradientTransformationExtraArgs(optax.init_empty_state, update_fn)


def clip_by_norm(max_norm: float) -> optax.GradientTransformation:
    """Keras's ``clipnorm``: each leaf is rescaled so that its own L2 norm is <= ``max_norm``.

    Example:
        >>> import jax.numpy as jnp
        >>> tx = clip_by_norm(1.0)
        >>> tx.update(jnp.array([3.0, 4.0]), tx.init(None))[0].tolist()
        [0.6000000238418579, 0.800000011920929]
    """

    def clip_leaf(g: jax.Array) -> jax.Array:
        l2sum = jnp.sum(jnp.square(g))
        # The double `where` keeps the gradient of sqrt finite at zero, as Keras does.
        safe = jnp.where(l2sum > 0, l2sum, jnp.ones_like(l2sum))
        l2norm = jnp.where(l2sum > 0, jnp.sqrt(safe), l2sum)
        return (g * max_norm) / jnp.maximum(l2norm, max_norm)

    def update_fn(updates, state, params=None):
        del params
        return jax.tree.map(clip_leaf, updates), state

    return optax.GradientTransformation(optax.init_empty_state, update_fn)


class KerasAdamState(NamedTuple):
    """State of :func:`scale_by_keras_adam`: step count, moments and (amsgrad) max velocity."""

    count: jax.Array
    mu: optax.Updates
    nu: optax.Updates
    nu_max: optax.Updates


def scale_by_keras_adam(
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False
) -> optax.GradientTransformationExtraArgs:
    """Keras's Adam: epsilon is added to ``sqrt(v)`` *before* bias correction (unlike optax).

    ``update = -lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)``.

    Example:
        >>> import jax.numpy as jnp
        >>> tx = scale_by_keras_adam()
        >>> u, _ = tx.update(jnp.ones(()), tx.init(jnp.ones(())), learning_rate=0.1)
        >>> round(float(u), 5)
        -0.1
    """

    def init_fn(params):
        zeros = optax.tree.zeros_like(params)
        nu_max = optax.tree.zeros_like(params) if amsgrad else optax.EmptyState()
        return KerasAdamState(
            jnp.zeros([], jnp.int32), zeros, optax.tree.zeros_like(params), nu_max
        )

    def update_fn(updates, state, params=None, *, learning_rate, **extra):
        del params, extra
        mu = jax.tree.map(lambda g, m: m + (g - m) * (1 - beta_1), updates, state.mu)
        nu = jax.tree.map(lambda g, v: v + (jnp.square(g) - v) * (1 - beta_2), updates, state.nu)
        nu_max = jax.tree.map(jnp.maximum, state.nu_max, nu) if amsgrad else state.nu_max
        denominator = nu_max if amsgrad else nu

        def leaf(m, v):
            step = (state.count + 1).astype(m.dtype)
            lr = _cast_like(learning_rate, m)
            alpha = lr * jnp.sqrt(1 - _power(beta_2, step)) / (1 - _power(beta_1, step))
            return -((m * alpha) / (jnp.sqrt(v) + epsilon))

        new_updates = jax.tree.map(leaf, mu, denominator)
        return new_updates, KerasAdamState(state.count + 1, mu, nu, nu_max)

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)


class KerasAdamaxState(NamedTuple):
    """State of :func:`scale_by_keras_adamax`: step count, first moment, infinity norm."""

    count: jax.Array
    mu: optax.Updates
    norm: optax.Updates


def scale_by_keras_adamax(
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7
) -> optax.GradientTransformationExtraArgs:
    """Keras's Adamax: ``-lr * m / ((1 - b1^t) * (u + epsilon))`` with ``u = max(b2 u, |g|)``.

    Example:
        >>> import jax.numpy as jnp
        >>> tx = scale_by_keras_adamax()
        >>> u, _ = tx.update(jnp.ones(()), tx.init(jnp.ones(())), learning_rate=0.1)
        >>> round(float(u), 5)
        -0.1
    """

    def init_fn(params):
        zeros = optax.tree.zeros_like
        return KerasAdamaxState(jnp.zeros([], jnp.int32), zeros(params), zeros(params))

    def update_fn(updates, state, params=None, *, learning_rate, **extra):
        del params, extra
        mu = jax.tree.map(lambda g, m: m + (g - m) * (1 - beta_1), updates, state.mu)
        norm = jax.tree.map(lambda g, u: jnp.maximum(beta_2 * u, jnp.abs(g)), updates, state.norm)

        def leaf(m, u):
            step = (state.count + 1).astype(m.dtype)
            lr = _cast_like(learning_rate, m)
            return -((lr * m) / ((1 - _power(beta_1, step)) * (u + epsilon)))

        return jax.tree.map(leaf, mu, norm), KerasAdamaxState(state.count + 1, mu, norm)

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)


class KerasNadamState(NamedTuple):
    """State of :func:`scale_by_keras_nadam`: count, moments and the momentum-cache product."""

    count: jax.Array
    mu: optax.Updates
    nu: optax.Updates
    u_product: jax.Array


def scale_by_keras_nadam(
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7
) -> optax.GradientTransformationExtraArgs:
    """Keras's Nadam with Dozat's momentum schedule ``u_t = b1 (1 - 0.5 * 0.96^t)``.

    Example:
        >>> import jax.numpy as jnp
        >>> tx = scale_by_keras_nadam()
        >>> u, _ = tx.update(jnp.ones(()), tx.init(jnp.ones(())), learning_rate=0.1)
        >>> round(float(u), 5)
        -0.10628
    """

    def init_fn(params):
        zeros = optax.tree.zeros_like
        leaves = jax.tree.leaves(params)
        dtype = leaves[0].dtype if leaves else jnp.float32
        one = jnp.ones([], dtype)
        return KerasNadamState(jnp.zeros([], jnp.int32), zeros(params), zeros(params), one)

    def update_fn(updates, state, params=None, *, learning_rate, **extra):
        del params, extra
        step = (state.count + 1).astype(state.u_product.dtype)
        u_product = state.u_product * beta_1 * (1.0 - 0.5 * _power(0.96, step))
        mu = jax.tree.map(lambda g, m: m + (g - m) * (1 - beta_1), updates, state.mu)
        nu = jax.tree.map(lambda g, v: v + (jnp.square(g) - v) * (1 - beta_2), updates, state.nu)

        def leaf(g, m, v):
            t = step.astype(m.dtype)
            u_t = beta_1 * (1.0 - 0.5 * _power(0.96, t))
            u_t_1 = beta_1 * (1.0 - 0.5 * _power(0.96, t + 1))
            u_prod_t = u_product.astype(m.dtype)
            u_prod_t_1 = u_prod_t * u_t_1
            m_hat = (u_t_1 * m) / (1 - u_prod_t_1) + ((1 - u_t) * g) / (1 - u_prod_t)
            v_hat = v / (1 - _power(beta_2, t))
            lr = _cast_like(learning_rate, m)
            return -((m_hat * lr) / (jnp.sqrt(v_hat) + epsilon))

        new_updates = jax.tree.map(leaf, updates, mu, nu)
        return new_updates, KerasNadamState(state.count + 1, mu, nu, u_product)

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)


class KerasFtrlState(NamedTuple):
    """State of :func:`keras_ftrl`: squared-gradient accumulator and linear term."""

    accumulator: optax.Updates
    linear: optax.Updates


def keras_ftrl(
    learning_rate_power: float = -0.5,
    initial_accumulator_value: float = 0.1,
    l1_regularization_strength: float = 0.0,
    l2_regularization_strength: float = 0.0,
    l2_shrinkage_regularization_strength: float = 0.0,
    beta: float = 0.0,
) -> optax.GradientTransformationExtraArgs:
    """Keras's FTRL-proximal rule. It sets the variable (rather than stepping it), so the
    update is ``new_value - params`` and ``params`` are required.

    Example:
        >>> import jax.numpy as jnp
        >>> tx = keras_ftrl()
        >>> p = jnp.zeros(())
        >>> u, _ = tx.update(jnp.ones(()), tx.init(p), p, learning_rate=0.1)
        >>> round(float(u), 5)
        -0.09535
    """

    def init_fn(params):
        accumulator = optax.tree.full_like(params, initial_accumulator_value)
        return KerasFtrlState(accumulator, optax.tree.zeros_like(params))

    def leaf(g, var, accum, linear, learning_rate):
        lr = _cast_like(learning_rate, var)
        l2_reg = l2_regularization_strength + beta / (2.0 * lr)
        grad_to_use = g + 2 * l2_shrinkage_regularization_strength * var
        new_accum = accum + jnp.square(g)
        power_new = jnp.power(new_accum, -learning_rate_power)
        power_old = jnp.power(accum, -learning_rate_power)
        linear = linear + (grad_to_use - ((power_new - power_old) / lr) * var)
        quadratic = power_new / lr + 2 * l2_reg
        l1 = l1_regularization_strength
        new_var = (jnp.clip(linear, -l1, l1) - linear) / quadratic
        return new_var - var, new_accum, linear

    def update_fn(updates, state, params=None, *, learning_rate, **extra):
        del extra
        if params is None:
            raise ValueError("Ftrl: `params` are required by the update (pass them to update).")
        out = jax.tree.map(
            lambda g, p, a, lin: leaf(g, p, a, lin, learning_rate),
            updates,
            params,
            state.accumulator,
            state.linear,
        )
        treedef = jax.tree.structure(updates)
        new_updates, accum, linear = (
            jax.tree.unflatten(treedef, parts) for parts in zip(*treedef.flatten_up_to(out))
        )
        return new_updates, KerasFtrlState(accum, linear)

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)
