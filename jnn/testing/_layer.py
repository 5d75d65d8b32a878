"""``check_layer``: the layer contract, checked property by property.

The same checks run on every built-in layer (``tests/core``) and on a user's own layer, written
either way: Keras style (``build`` / ``add_weight`` / ``call``, with or without its own
``compute_output_shape``) or as the pure pair ``init`` / ``apply``.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import chex
import jax
import jax.numpy as jnp
import numpy as np

from jnn.testing._trees import (
    PropertyFailure,
    assert_close,
    assert_equal,
    describe,
    edge_inputs,
    key,
    make_inputs,
    specs,
    to_device,
    to_host,
)

#: Every property ``check_layer`` knows, in the order it checks them.
PROPERTIES = (
    "init",
    "jit_vs_eager",
    "output_shape",
    "training",
    "state",
    "batch_independence",
    "gradients",
    "config",
    "save_load",
    "mask",
)

#: The variants each call runs under, named as ``chex.variants`` names them.
VARIANTS = ("with_jit", "without_jit", "with_device", "without_device")


@dataclasses.dataclass
class LayerCheck:
    """What ``check_layer`` built and saw, for further assertions.

    Attributes:
        layer: the layer checked.
        variables: ``{"params", "state"}`` from ``layer.init``.
        inputs: the random inputs (numpy).
        outputs: training mode -> outputs.
        states: training mode -> new state.
        checked: the properties that ran; ``skipped``: property -> why it did not apply.
    """

    layer: Any
    variables: dict[str, Any]
    inputs: Any
    outputs: dict[bool, Any]
    states: dict[bool, Any]
    checked: list[str]
    skipped: dict[str, str]


class _Checker:
    def __init__(self, layer, x, *, seed, training_modes, variants, rtol, atol, smooth,
                 edge_values, apply_kwargs):
        self.layer = layer
        self.x = x
        self.seed = seed
        self.modes = tuple(training_modes)
        self.variants = tuple(variants)
        self.rtol, self.atol = rtol, atol
        self.smooth = smooth
        self.edge_values = edge_values
        self.kw = dict(apply_kwargs or {})
        self.key = key(seed)
        self.rng = key(seed + 1)
        self.name = f"{type(layer).__name__}({getattr(layer, 'name', '?')!r})"
        self.outputs: dict[bool, Any] = {}
        self.states: dict[bool, Any] = {}
        self.skipped: dict[str, str] = {}
        self.extras: dict[bool, dict[str, Any]] = {}
        self.proj: dict[bool, Any] = {}
        self.loss: dict[bool, Callable] = {}
        self.wanted: tuple[str, ...] = PROPERTIES
        self.float_inputs = all(
            np.issubdtype(np.asarray(a).dtype, np.floating) for a in jax.tree.leaves(x)
        )

    # --- reporting ---------------------------------------------------------------------------
    def fail(self, prop: str, message: str, *, variant: str = "", inputs: Any = None,
             kind: str = "random normal") -> None:
        where = f" under {variant}" if variant else ""
        shown = describe(self.x if inputs is None else inputs, kind)
        raise PropertyFailure(
            prop,
            f"check_layer: property '{prop}' failed for {self.name}{where}.\n"
            f"  inputs: {shown} (seed={self.seed})\n  {message}",
        )

    def apply(self, variables, x, training, rng, **kw):
        return self.layer.apply(variables, x, training=training, rng=rng, **self.kw, **kw)

    # --- properties --------------------------------------------------------------------------
    def init(self) -> None:
        spec = jax.tree.map(lambda a: jax.ShapeDtypeStruct(np.shape(a), a.dtype), self.x)
        self.spec = spec
        variables = self.layer.init(self.key, spec)
        if not (isinstance(variables, dict) and set(variables) == {"params", "state"}):
            self.fail("init", f"init must return {{'params': ..., 'state': ...}}, got "
                      f"{type(variables).__name__} {list(variables)[:4] if isinstance(variables, dict) else ''}")
        for leaf in jax.tree.leaves(variables):
            if not isinstance(leaf, jax.Array):
                self.fail("init", f"variables must hold jax arrays, found {type(leaf).__name__}")
        try:
            assert_equal(self.layer.init(self.key, spec), variables,
                         "init with the same key gave different variables")
            abstract = jax.eval_shape(self.layer.init, self.key, spec)
        except AssertionError as err:
            self.fail("init", str(err))
        if specs(abstract) != specs(variables):
            self.fail("init", f"jax.eval_shape(layer.init) gives {specs(abstract)}, "
                      f"layer.init gives {specs(variables)}")
        params = variables["params"]
        variable_dtype = getattr(self.layer, "variable_dtype", None)
        for leaf in jax.tree.leaves(params):
            if variable_dtype and jnp.issubdtype(leaf.dtype, jnp.floating):
                if leaf.dtype != jnp.dtype(variable_dtype):
                    self.fail("init", f"a param has dtype {leaf.dtype}, the layer's variable "
                              f"dtype is {variable_dtype}")
        for kind in ("weight_regularizers", "weight_constraints"):
            table = getattr(self.layer, kind, lambda: {})()
            if not set(table) <= set(params):
                self.fail("init", f"{kind}() names {sorted(table)}, params are {sorted(params)}")
        self.variables = variables
        self.snapshot = jax.tree.map(lambda a: np.array(a, copy=True), variables)

    def jit_vs_eager(self) -> None:
        """Eager (``without_jit``) is the reference; ``with_jit`` and host inputs must agree,
        and the same call twice must give the same result.

        The jitted call also computes what ``batch_independence`` and ``gradients`` need (one
        compilation per training mode)."""
        v, x, rng = self.variables, to_device(self.x), self.rng
        for training in self.modes:
            label = f"training={training}"
            try:
                eager = self.apply(v, x, training, rng)
            except Exception as err:  # noqa: BLE001 - reported with the property's name
                self.fail("jit_vs_eager", f"apply raised ({label}): {type(err).__name__}: "
                          f"{err}", variant="without_jit, with_device")
            self.outputs[training], self.states[training] = eager
            runs = []
            if "without_jit" in self.variants:
                runs.append(("without_jit, with_device (2nd call)",
                             lambda t=training: self.apply(v, x, t, rng)))
                if "without_device" in self.variants:
                    runs.append(("without_jit, without_device", lambda t=training: self.apply(
                        to_host(v), to_host(self.x), t, rng)))
            fused = None
            if "with_jit" in self.variants:
                raw, cases = self._fused(training)
                fused = jax.jit(raw)
                dev_cases = to_device(cases)
                runs.append(("with_jit, with_device",
                             lambda f=fused, c=dev_cases: f(v, x, rng, c)))
                runs.append(("with_jit, with_device (2nd call)",
                             lambda f=fused, c=dev_cases: f(v, x, rng, c)))
                if "without_device" in self.variants:
                    runs.append(("with_jit, without_device", lambda f=fused, c=cases: f(
                        to_host(v), to_host(self.x), rng, c)))
            for variant, run in runs:
                try:
                    got = run()
                except Exception as err:  # noqa: BLE001
                    self._raise_call_error(err, variant, training)
                if variant.startswith("with_jit"):
                    got, self.extras[training] = got
                try:
                    assert_close(got, eager, rtol=self.rtol, atol=self.atol,
                                 what=f"outputs and new state differ from the eager call "
                                      f"({label})")
                except AssertionError as err:
                    self.fail("jit_vs_eager", f"{err}\n  (host randomness such as numpy.random "
                              "or Python's random inside the layer is frozen at trace time "
                              "under jit and differs between eager calls; draw from the `rng` "
                              "argument instead)", variant=variant)

    def _raise_call_error(self, err: Exception, variant: str, training: bool) -> None:
        prop = "jit_vs_eager"
        if variant.startswith("with_jit"):
            # The fused program also vmaps and differentiates: find which part failed.
            try:
                jax.jit(lambda v_, x_, r_: self.apply(v_, x_, training, r_))(
                    self.variables, to_device(self.x), self.rng)
            except Exception:  # noqa: BLE001
                pass
            else:
                prop = "gradients" if "gradients" in self.wanted else "batch_independence"
        hint = ""
        if isinstance(err, (jax.errors.ConcretizationTypeError,
                            jax.errors.TracerBoolConversionError,
                            jax.errors.TracerIntegerConversionError)):
            hint = " (a Python `if` / `bool()` / `int()` on a traced value: use jnp.where or lax.cond)"
        self.fail(prop, f"the layer fails under {variant} (training={training}){hint}: "
                  f"{type(err).__name__}: {str(err)[:600]}", variant=variant)

    def _fused(self, training: bool) -> tuple[Callable, Any]:
        """One jitted function per mode: outputs, new state, the per-sample (vmap) outputs at
        inference and the gradients on random + edge inputs (vmapped over the cases)."""
        state = self.variables["state"]
        want_vmap = not training and "batch_independence" in self.wanted and self._batched()
        want_grads = "gradients" in self.wanted and (
            jax.tree.leaves(self.variables["params"]) or self.float_inputs)
        cases = {"random normal": self.x}
        if self.edge_values:
            cases.update(edge_inputs(self.x))
        self.case_names = list(cases)
        stacked = jax.tree.map(lambda *a: np.stack(a), *cases.values()) if want_grads else None
        proj = _projection(self.outputs[training], self.seed + int(training))
        self.proj[training] = proj
        argnums = (0, 1) if self.float_inputs else 0

        def loss(p, x, rng):
            out, _ = self.apply({"params": p, "state": state}, x, training, rng)
            return sum((jnp.sum(a.astype(jnp.float32) * w) for a, w in
                        zip(_float_leaves(out), proj)), jnp.zeros((), jnp.float32))

        self.loss[training] = loss

        def fused(v, x, rng, cases):
            result = self.apply(v, x, training, rng)
            extras = {}
            if want_vmap:
                def one(sample):
                    out, _ = self.apply(v, jax.tree.map(lambda a: a[None], sample), False, None)
                    return jax.tree.map(lambda a: a[0], out)

                extras["per_sample"] = jax.vmap(one)(x)
            if want_grads:
                grad = jax.grad(loss, argnums=argnums)
                extras["grads"] = jax.vmap(lambda c: grad(v["params"], c, rng))(cases)
            return result, extras

        return fused, stacked

    def _batched(self) -> bool:
        batch = {np.shape(a)[0] if np.ndim(a) else None for a in jax.tree.leaves(self.x)}
        out = self.outputs.get(False)
        out_batch = {a.shape[0] if a.ndim else None for a in jax.tree.leaves(out)}
        return len(batch) == 1 and out_batch == batch and batch != {1} and batch != {None}

    def output_shape(self) -> None:
        layer, x = self.layer, self.x
        for training, out in self.outputs.items():
            actual = jax.tree.map(lambda a: (None,) + tuple(a.shape[1:]), out)
            in_shapes = jax.tree.map(lambda a: (None,) + tuple(np.shape(a)[1:]), x)
            if hasattr(layer, "compute_output_shape") and self.float_inputs:
                try:
                    declared = layer.compute_output_shape(in_shapes)
                except Exception as err:  # noqa: BLE001
                    self.fail("output_shape", f"compute_output_shape({in_shapes}) raised "
                              f"{type(err).__name__}: {err}")
                declared = jax.tree.map(lambda s: tuple(s), declared, is_leaf=_is_shape_like)
                if declared != actual:
                    self.fail("output_shape", f"compute_output_shape({in_shapes}) declares "
                              f"{declared}, apply returns {actual} (training={training})")
            spec_fn = getattr(layer, "compute_output_spec", None)
            if spec_fn is not None:
                from jnn._core.layers.base import SymbolicSpec

                sym = jax.tree.map(lambda a: SymbolicSpec((None,) + tuple(np.shape(a)[1:]),
                                                          a.dtype), x)
                try:
                    spec = spec_fn(sym)
                except Exception as err:  # noqa: BLE001
                    self.fail("output_shape", f"compute_output_spec raised "
                              f"{type(err).__name__}: {err}")
                got = jax.tree.map(lambda s: (tuple(s.shape), jnp.dtype(s.dtype)), spec,
                                   is_leaf=lambda s: isinstance(s, SymbolicSpec))
                want = jax.tree.map(lambda a: ((None,) + tuple(a.shape[1:]), a.dtype), out)
                if got != want:
                    self.fail("output_shape", f"compute_output_spec declares {got}, apply "
                              f"returns {want} (training={training})")

    def training(self) -> None:
        if False not in self.modes:
            return self._skip("training", "inference mode not checked")
        v, x = self.variables, to_device(self.x)
        try:
            assert_equal(self.apply(v, x, False, key(self.seed + 7)), (self.outputs[False], self.states[False]),
                         "inference with another rng key gives different outputs")
            assert_equal(self.apply(v, x, False, None)[0], self.outputs[False],
                         "inference without an rng key gives different outputs")
        except AssertionError as err:
            self.fail("training", f"{err}\n  (at inference (training=False) a layer must be "
                      "deterministic: dropout-like noise only when training=True)")

    def state(self) -> None:
        try:
            assert_equal(self.variables, self.snapshot, "variables after the calls")
        except AssertionError as err:
            self.fail("state", f"apply mutated the variables passed to it: {err}")
        state = self.variables["state"]
        for training, new_state in self.states.items():
            if specs(new_state) != specs(state):
                self.fail("state", f"new_state {specs(new_state)} does not mirror "
                          f"variables['state'] {specs(state)} (training={training})")
        if False in self.states:
            try:
                assert_equal(self.states[False], state, "new_state differs from the state")
            except AssertionError as err:
                self.fail("state", f"inference (training=False) updated the state: {err}\n  "
                          "(moving statistics and other state change only when training)")

    def batch_independence(self) -> None:
        if False not in self.modes:
            return self._skip("batch_independence", "inference mode not checked")
        if not self._batched():
            return self._skip("batch_independence", "inputs and outputs do not share a batch "
                              "axis of size > 1")
        per_sample = self.extras.get(False, {}).get("per_sample")
        if per_sample is None:  # without_jit only
            v = self.variables

            def one(sample):
                out, _ = self.apply(v, jax.tree.map(lambda a: a[None], sample), False, None)
                return jax.tree.map(lambda a: a[0], out)

            per_sample = jax.vmap(one)(to_device(self.x))
        try:
            assert_close(per_sample, self.outputs[False], rtol=max(self.rtol, 1e-5),
                         atol=max(self.atol, 1e-5),
                         what="vmap(single-sample call) != batched call at inference")
        except AssertionError as err:
            self.fail("batch_independence", f"{err}\n  (each sample's output must depend only "
                      "on that sample at inference; the layer mixes samples across the batch)",
                      variant="with_jit")

    def gradients(self) -> None:
        if not jax.tree.leaves(self.variables["params"]) and not self.float_inputs:
            return self._skip("gradients", "no params and no float inputs")
        for training in self.modes:
            grads = self.extras.get(training, {}).get("grads")
            if grads is None:  # without_jit only
                fused, cases = self._fused(training)
                grads = fused(self.variables, to_device(self.x), self.rng, cases)[1]["grads"]
            for i, kind in enumerate(self.case_names):
                g = jax.tree.map(lambda a, i=i: a[i], grads)
                try:
                    chex.assert_tree_all_finite(g)
                except AssertionError:
                    inputs = self.x if kind == "random normal" else edge_inputs(self.x)[kind]
                    bad = _non_finite_paths(g, self.float_inputs)
                    self.fail("gradients", f"non-finite gradient of a random projection of the "
                              f"outputs w.r.t. {bad} (training={training})",
                              variant="with_jit", inputs=inputs, kind=kind)
            if self.smooth:
                self._check_grads(self.loss[training], training)

    def _check_grads(self, loss, training) -> None:
        from jax.test_util import check_grads

        params = self.variables["params"]
        args = (params, to_device(self.x)) if self.float_inputs else (params,)

        def f(*a):
            x = a[1] if self.float_inputs else to_device(self.x)
            return loss(a[0], x, self.rng)

        try:
            check_grads(jax.jit(f), args, order=1, modes=("rev",), eps=1e-2, atol=5e-2,
                        rtol=5e-2)
        except AssertionError as err:
            self.fail("gradients", f"jax.test_util.check_grads: autodiff disagrees with "
                      f"finite differences (training={training}): {str(err)[:800]}")

    def config(self) -> None:
        layer = self.layer
        if not (hasattr(layer, "get_config") and hasattr(type(layer), "from_config")):
            return self._skip("config", "the layer has no get_config / from_config")
        try:
            config = layer.get_config()
            rebuilt = type(layer).from_config(copy.deepcopy(config))
            again = rebuilt.get_config()
        except Exception as err:  # noqa: BLE001
            self.fail("config", f"get_config -> from_config raised {type(err).__name__}: {err}")
        if again != config:
            diff = {k: (config.get(k), again.get(k)) for k in set(config) | set(again)
                    if config.get(k) != again.get(k)}
            self.fail("config", f"from_config(get_config()).get_config() differs: {diff}")
        try:
            rebuilt_vars = rebuilt.init(self.key, self.spec)
        except Exception as err:  # noqa: BLE001
            self.fail("config", f"the rebuilt layer's init raised {type(err).__name__}: {err}")
        if specs(rebuilt_vars) != specs(self.variables):
            self.fail("config", f"the rebuilt layer creates variables {specs(rebuilt_vars)}, "
                      f"the original {specs(self.variables)}: get_config misses an argument")
        for training, out in self.outputs.items():
            try:
                got, _ = rebuilt.apply(self.variables, to_device(self.x), training=training,
                                       rng=self.rng, **self.kw)
                assert_close(got, out, rtol=self.rtol, atol=self.atol,
                             what=f"rebuilt layer's outputs differ (training={training})")
            except AssertionError as err:
                self.fail("config", f"{err}\n  (from_config(get_config()) with the same weights "
                          f"computes something else: get_config misses an argument; config: "
                          f"{config})")
        self.config_ = config

    def save_load(self) -> None:
        if not jax.tree.leaves(self.variables):
            return self._skip("save_load", "the layer has no weights")
        if "config" not in self.checked:
            return self._skip("save_load", "needs the config property")
        from jnn.testing._saving import weights_round_trip

        try:
            loaded = weights_round_trip(type(self.layer), self.config_, self.x, self.variables)
        except Exception as err:  # noqa: BLE001
            self.fail("save_load", f"save_weights / load_weights raised {type(err).__name__}: "
                      f"{str(err)[:800]}")
        try:
            assert_equal(loaded, self.variables, "weights after save_weights -> load_weights")
        except AssertionError as err:
            self.fail("save_load", str(err))

    def mask(self) -> None:
        layer = self.layer
        supports = bool(getattr(layer, "supports_masking", False))
        if not supports and not hasattr(layer, "compute_mask"):
            return self._skip("mask", "no masking")
        x = to_device(self.x)
        out = self.outputs.get(False, next(iter(self.outputs.values())))
        mask_in, errors = None, []
        if supports:
            # Sequence masks are (batch, time) = the input without its feature axis; some layers
            # (Softmax) take full-shape masks, channels_first layers (batch, steps).
            for mask_in in _candidate_masks(self.x, self.seed):
                shapes = [tuple(np.shape(m)) for m in jax.tree.leaves(mask_in)]
                try:
                    masked, _ = self.apply(self.variables, x, False, None, mask=mask_in)
                except Exception as err:  # noqa: BLE001
                    errors.append(f"mask {shapes}: {type(err).__name__}: {str(err)[:200]}")
                    continue
                if specs(masked) == specs(out):
                    break
                errors.append(f"mask {shapes}: outputs {specs(masked)}, without a mask "
                              f"{specs(out)}")
            else:
                self.fail("mask", "supports_masking is True but no mask shape tried works with "
                          "apply(mask=...):\n    " + "\n    ".join(errors))
        try:
            mask_out = layer.compute_mask(x, mask_in)
        except Exception as err:  # noqa: BLE001
            self.fail("mask", f"compute_mask raised {type(err).__name__}: {err}")
        if mask_out is None:
            return None
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        masks = list(mask_out) if isinstance(mask_out, (list, tuple)) else [mask_out]
        if len(masks) != len(outs) and len(masks) != 1:
            self.fail("mask", f"compute_mask returns {len(masks)} masks for {len(outs)} outputs")
        in_rank = np.ndim(jax.tree.leaves(mask_in)[0]) if mask_in is not None else None
        for o, m in zip(outs, masks):
            if m is None:
                continue
            m_shape, o_shape = tuple(np.shape(m)), tuple(np.shape(o))
            allowed = {o_shape[:-1], o_shape}
            if in_rank:
                allowed.add(o_shape[:in_rank])
            if m_shape not in allowed:
                self.fail("mask", f"compute_mask returns a mask of shape {m_shape} for an output "
                          f"of shape {o_shape}; expected {o_shape[:-1]} (the output's shape "
                          f"without its feature axis)", inputs=(self.x, mask_in))

    def _skip(self, prop: str, why: str) -> None:
        self.skipped[prop] = why


def _is_shape_like(s: Any) -> bool:
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer))
                                                for d in s)


def _float_leaves(tree: Any) -> list[Any]:
    return [a for a in jax.tree.leaves(tree) if jnp.issubdtype(a.dtype, jnp.inexact)]


def _projection(outputs: Any, seed: int) -> list[np.ndarray]:
    """A fixed random direction per float output: sum(outputs) would give constant losses for
    softmax-like layers and hide wrong gradients from check_grads."""
    rng = np.random.default_rng(seed + 3)
    return [(rng.standard_normal(a.shape) / np.sqrt(max(a.size, 1))).astype(np.float32)
            for a in _float_leaves(outputs)]


def _non_finite_paths(grads: Any, with_inputs: bool) -> list[str]:
    names = []
    for path, g in jax.tree_util.tree_flatten_with_path(grads)[0]:
        if not np.all(np.isfinite(np.asarray(g))):
            text = jax.tree_util.keystr(path)
            if with_inputs:
                text = text.replace("[0]", "params", 1).replace("[1]", "inputs", 1)
            names.append(text or "inputs")
    return names


def _candidate_masks(x: Any, seed: int) -> list[Any]:
    """Random boolean masks per input, first shaped like the input without its feature axis,
    then like the whole input, then (batch, *spatial) for channels_first; the first step is
    always kept (as Keras requires for RNNs)."""
    rng = np.random.default_rng(seed + 5)

    def make(shape_of):
        def one(a):
            m = rng.random(shape_of(np.shape(a))) < 0.7
            if m.ndim > 1:
                m[:, 0] = True
            return jnp.asarray(m)

        return jax.tree.map(one, x)

    return [
        make(lambda s: s[:-1] if len(s) > 1 else s),
        make(lambda s: s),
        make(lambda s: s[:1] + s[2:]),
    ]


def check_layer(
    layer: Any,
    input_shape: tuple[int, ...] | Sequence[tuple[int, ...]],
    *,
    input_dtype: Any = "float32",
    seed: int = 0,
    input_data: Any = None,
    training_modes: Sequence[bool] = (False, True),
    properties: Sequence[str] | None = None,
    skip: Sequence[str] = (),
    variants: Sequence[str] = VARIANTS,
    smooth: bool = False,
    edge_values: bool = True,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    apply_kwargs: dict[str, Any] | None = None,
) -> LayerCheck:
    """Checks the layer contract on ``layer`` (not built yet) and raises on the first breach.

    Properties, in order (see ``PROPERTIES``); each failure is a ``PropertyFailure`` (an
    ``AssertionError``) whose message names the property, the variant and the inputs:

    * ``init``: ``{"params", "state"}`` of jax arrays, deterministic for a key, agrees with
      ``jax.eval_shape``; params in the layer's variable dtype.
    * ``jit_vs_eager``: the eager call (``without_jit``) equals the jitted one (``with_jit``),
      with device and host (``without_device``) inputs, and a second call of each.
    * ``output_shape``: ``compute_output_shape`` / ``compute_output_spec`` declare what
      ``apply`` returns.
    * ``training``: at inference the outputs do not depend on the rng key.
    * ``state``: ``new_state`` mirrors ``variables["state"]``; inference leaves it unchanged.
    * ``batch_independence``: at inference ``vmap`` of the single-sample call == the batched call.
    * ``gradients``: finite gradients w.r.t. params and float inputs on random inputs and on
      all-zeros, all-ones, tiny and large inputs; ``jax.test_util.check_grads`` if ``smooth``.
    * ``config``: ``from_config(get_config())`` with the same weights computes the same outputs.
    * ``save_load``: weights round-trip through ``save_weights`` / ``load_weights``.
    * ``mask``: a ``supports_masking`` layer accepts a mask; computed masks have the output's
      shape without its feature axis.

    Args:
        layer: the layer (Keras style or pure ``init`` / ``apply``), not built yet.
        input_shape: input shape including the batch dimension, e.g. ``(2, 8, 8, 3)``, or a
            list of shapes for a multi-input layer. Ignored when ``input_data`` is given.
        input_dtype: dtype of the random inputs (floats: standard normal; ints: ``[0, 10)``).
        seed: seeds the inputs, the init key and the rng key.
        input_data: explicit inputs (numpy arrays) instead of random ones.
        training_modes: the ``training`` values to run.
        properties: the properties to check (default: all of ``PROPERTIES``).
        skip: properties not to check.
        variants: the subset of ``VARIANTS`` to run calls under.
        smooth: also compare gradients with finite differences (``check_grads``).
        edge_values: also check gradients on all-zeros / ones / tiny / large inputs (all-zeros
            is the input most likely to give NaN: sqrt, norm, log at zero).
        rtol / atol: tolerance of the numeric comparisons.
        apply_kwargs: extra keyword arguments for every ``apply`` call.

    Returns:
        A ``LayerCheck`` with what was built and which properties ran.

    Example:
        >>> from jnn.layers import Dense
        >>> from jnn.testing import check_layer
        >>> result = check_layer(Dense(3), (2, 4))
        >>> result.outputs[False].shape
        (2, 3)
    """
    wanted = tuple(PROPERTIES if properties is None else properties)
    unknown = set(wanted) | set(skip)
    unknown -= set(PROPERTIES)
    if unknown:
        raise ValueError(f"check_layer: unknown properties {sorted(unknown)}; known: "
                         f"{list(PROPERTIES)}")
    bad_variants = set(variants) - set(VARIANTS)
    if bad_variants:
        raise ValueError(f"check_layer: unknown variants {sorted(bad_variants)}; known: "
                         f"{list(VARIANTS)}")
    if input_data is None:
        x = make_inputs(input_shape, input_dtype, seed)
    else:
        x = jax.tree.map(np.asarray, input_data)
    checker = _Checker(layer, x, seed=seed, training_modes=training_modes, variants=variants,
                       rtol=rtol, atol=atol, smooth=smooth, edge_values=edge_values,
                       apply_kwargs=apply_kwargs)
    checker.checked = []
    checker.wanted = tuple(p for p in wanted if p not in skip)
    for prop in PROPERTIES:
        required = prop in ("init", "jit_vs_eager")  # the others compare against these
        if not required and (prop in skip or prop not in wanted):
            continue
        getattr(checker, prop)()
        if prop not in checker.skipped:
            checker.checked.append(prop)
    return LayerCheck(layer, checker.variables, x, checker.outputs, checker.states,
                      checker.checked, checker.skipped)


__all__ = ["PROPERTIES", "VARIANTS", "LayerCheck", "check_layer"]
