"""Keras 3's ``apply_gradients`` as one optax transformation around an optimizer's rule.

Per call, in Keras's order: divide by ``loss_scale_factor``; accumulate gradients
(``gradient_accumulation_steps``: update every k-th call with their mean); clip; weight decay
``var -= var * weight_decay * lr``; the rule; EMA of the new params (optionally written back
every ``ema_overwrite_frequency`` steps); ``iterations += 1``. The learning rate is read from
the state, so it can change between jitted steps without recompiling.

Example:
    >>> import jax.numpy as jnp
    >>> from jnn.optimizers import SGD
    >>> tx = keras_transformation(SGD(0.5))
    >>> updates, state = tx.update(jnp.ones(()), tx.init(jnp.zeros(())), jnp.zeros(()))
    >>> float(updates), int(state.iterations)
    (-0.5, 1)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from jnn._core.optimizers import transforms


class OptimizerState(NamedTuple):
    """The optimizer state pytree of every jnn optimizer.

    Attributes:
        iterations: int32, number of ``update`` calls (Keras's ``optimizer._iterations``).
        learning_rate: float32, the settable learning rate (for a schedule: its current value).
        rule: the state of the optimizer's own rule (moments, accumulators...).
        accumulated_grads: running gradient sum (``gradient_accumulation_steps``) or empty.
        ema: moving average of the params (``use_ema``) or empty.
    """

    iterations: jax.Array
    learning_rate: jax.Array
    rule: optax.OptState
    accumulated_grads: Any
    ema: Any


# ``opt`` below is a jnn ``Optimizer`` (typed ``Any``: optimizers.base imports this module, so this
# module does not import it back, not even for typing).
def clip_transform(opt: Any) -> optax.GradientTransformation | None:
    """Keras's clipping: ``clipnorm`` per variable, else ``global_clipnorm``, else ``clipvalue``."""
    if opt.clipnorm:
        return transforms.clip_by_norm(opt.clipnorm)
    if opt.global_clipnorm:
        return optax.clip_by_global_norm(opt.global_clipnorm)
    if opt.clipvalue:
        return optax.clip(opt.clipvalue)
    return None


def weight_decay_term(opt: Any, params: Any, lr: jax.Array) -> Any:
    """``-var * weight_decay * lr`` per param (zero for paths excluded from weight decay)."""
    pattern = opt._weight_decay_exclude

    def leaf(path, p):
        key = jax.tree_util.keystr(path, simple=True, separator="/")
        if pattern is not None and pattern.search(key):
            return jnp.zeros_like(p)
        return -(p * jnp.asarray(opt.weight_decay, p.dtype) * lr.astype(p.dtype))

    return jax.tree_util.tree_map_with_path(leaf, params)


def _step(opt, rule, clip, grads, rule_state, params, lr):
    """Clipping, weight decay and the rule: one Keras ``update_step`` over all variables."""
    if clip is not None:
        grads, _ = clip.update(grads, optax.EmptyState())
    decay = None
    if params is not None:
        grads = jax.tree.map(lambda g, p: g.astype(p.dtype), grads, params)
        if opt.weight_decay:
            decay = weight_decay_term(opt, params, lr)
            # Keras decays the variable first: rules that read it (Ftrl) see the decayed value.
            params = jax.tree.map(jnp.add, params, decay)
    updates, rule_state = rule.update(grads, rule_state, params, learning_rate=lr)
    if decay is not None:
        updates = jax.tree.map(jnp.add, updates, decay)
    return updates, rule_state


def _accumulate(opt, rule, clip, grads, state, params, lr):
    steps = opt.gradient_accumulation_steps
    total = jax.tree.map(jnp.add, grads, state.accumulated_grads)

    def apply(_):
        mean = jax.tree.map(lambda s: s / steps, total)
        updates, rule_state = _step(opt, rule, clip, mean, state.rule, params, lr)
        return updates, rule_state, optax.tree.zeros_like(total)

    shapes = jax.eval_shape(apply, None)[0]
    zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)
    is_update = (state.iterations + 1) % steps == 0
    return jax.lax.cond(is_update, apply, lambda _: (zeros, state.rule, total), None)


def _ema(opt, state, params, updates):
    # Keras's EMA clock is `optimizer.iterations` (divided by the accumulation steps) and it
    # runs on every call, also on the accumulation steps where the params do not move.
    keras_iterations = state.iterations
    if opt.gradient_accumulation_steps:
        keras_iterations = keras_iterations // opt.gradient_accumulation_steps
    not_first = (keras_iterations != 0).astype(jnp.float32)

    def average(avg, p, u):
        momentum = (not_first * opt.ema_momentum).astype(p.dtype)
        return momentum * avg + (1 - momentum) * (p + u)

    ema = jax.tree.map(average, state.ema, params, updates)
    if opt.ema_overwrite_frequency:
        overwrite = (keras_iterations + 1) % opt.ema_overwrite_frequency == 0
        updates = jax.tree.map(lambda a, p, u: jnp.where(overwrite, a - p, u), ema, params, updates)
    return ema, updates


def keras_transformation(
    opt: Any, loss_scale_factor: Any = "own"
) -> optax.GradientTransformation:
    """The optax transformation of ``opt`` (``loss_scale_factor`` overrides the optimizer's)."""
    rule, clip = opt._rule(), clip_transform(opt)
    scale = opt.loss_scale_factor if loss_scale_factor == "own" else loss_scale_factor
    is_schedule = callable(opt._learning_rate)

    def init_fn(params):
        return OptimizerState(
            iterations=jnp.zeros([], jnp.int32),
            learning_rate=opt._initial_lr(),
            rule=rule.init(params),
            accumulated_grads=(
                optax.tree.zeros_like(params)
                if opt.gradient_accumulation_steps
                else optax.EmptyState()
            ),
            ema=jax.tree.map(jnp.copy, params) if opt.use_ema else optax.EmptyState(),
        )

    def update_fn(grads, state, params=None):
        if params is None and opt._needs_params():
            raise ValueError(
                f"{opt.name}: `params` must be passed to `tx.update(grads, state, params)` "
                "(needed by weight decay, EMA or the update rule)."
            )
        lr = opt._current_lr(state.learning_rate, state.iterations)
        if scale is not None:
            grads = jax.tree.map(lambda g: g / scale, grads)
        accumulated = state.accumulated_grads
        if opt.gradient_accumulation_steps:
            updates, rule_state, accumulated = _accumulate(
                opt, rule, clip, grads, state, params, lr
            )
        else:
            updates, rule_state = _step(opt, rule, clip, grads, state.rule, params, lr)
        ema = state.ema
        if opt.use_ema:
            ema, updates = _ema(opt, state, params, updates)
        iterations = state.iterations + 1
        new_lr = opt._current_lr(state.learning_rate, iterations) if is_schedule else None
        new_state = OptimizerState(
            iterations=iterations,
            learning_rate=state.learning_rate if new_lr is None else new_lr,
            rule=rule_state,
            accumulated_grads=accumulated,
            ema=ema,
        )
        return updates, new_state

    return optax.GradientTransformation(init_fn, update_fn)


def trainable_only(tx: optax.GradientTransformation, mask: Any) -> optax.GradientTransformation:
    """``tx`` on the leaves where ``mask`` is True; zero updates (and no state) elsewhere.

    Frozen (non-trainable) weights keep their values while the rest train. With every leaf
    trainable, ``tx`` itself is returned.

    Example:
        >>> import jax.numpy as jnp, optax
        >>> tx = trainable_only(optax.sgd(1.0), {"a": True, "b": False})
        >>> params = {"a": jnp.ones(2), "b": jnp.ones(2)}
        >>> updates, _ = tx.update(params, tx.init(params), params)
        >>> updates["a"].tolist(), updates["b"].tolist()
        ([-1.0, -1.0], [0.0, 0.0])
    """
    leaves = jax.tree.leaves(mask)
    if all(leaves):
        return tx
    labels = jax.tree.map(lambda m: "train" if m else "freeze", mask)
    return optax.multi_transform({"train": tx, "freeze": optax.set_to_zero()}, labels)
