"""What every application constructor shares: argument checks, the input, the head, weights.

Each family module builds its body from jnn layers through the functional API and hands the
rest to :func:`build`, so the Keras constructor arguments (``include_top``, ``weights``,
``input_tensor``, ``input_shape``, ``pooling``, ``classes``, ``classifier_activation``) mean
the same thing in every family and are checked in one place.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jnn import layers
from jnn.applications import imagenet_utils
from jnn.models import Input, Model
from jnn.utils.file_utils import get_file


@dataclass(frozen=True)
class WeightFiles:
    """Keras's published ImageNet weights of one architecture: ``(path, md5)`` pairs below
    ``keras-applications/``, with and without the classification top."""

    top: tuple[str, str | None] | None
    no_top: tuple[str, str | None] | None
    base: str | None = None  # another bucket than Keras's keras-applications/ one


@dataclass(frozen=True)
class Head:
    """How a family ends: the classifier (``top``) and the named pooling layers without it."""

    top: Callable[[Any, int, Any], Any]
    pool_names: tuple[str | None, str | None] = (None, None)


def dense_top(pool_name: str | None = None) -> Callable[[Any, int, Any], Any]:
    """The usual top: global average pooling then ``Dense(classes, name="predictions")``."""

    def top(x: Any, classes: int, activation: Any) -> Any:
        x = layers.GlobalAveragePooling2D(name=pool_name)(x)
        return layers.Dense(classes, activation=activation, name="predictions")(x)

    return top


def check_arguments(
    name: str,
    weights: Any,
    include_top: bool,
    classes: int,
    classifier_activation: Any,
    pooling: Any,
) -> None:
    """Keras's checks of the shared constructor arguments, with the constructor's name."""
    if not (weights in {"imagenet", None} or _is_file(weights)):
        raise ValueError(
            f"{name}: the `weights` argument should be either `None` (random initialization), "
            "'imagenet' (pre-training on ImageNet), or the path to the weights file to be "
            f"loaded. Received: weights={weights!r}"
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            f"{name}: if using `weights='imagenet'` with `include_top=True`, `classes` should "
            f"be 1000. Received: classes={classes}"
        )
    if not isinstance(classes, int) or isinstance(classes, bool) or classes < 1:
        raise ValueError(f"{name}: `classes` must be a positive integer; received {classes!r}.")
    if pooling not in (None, "avg", "max"):
        raise ValueError(
            f"{name}: `pooling` must be None, 'avg' or 'max'; received {pooling!r}."
        )
    if weights is not None and include_top and classifier_activation not in (None, "softmax"):
        raise ValueError(
            f"{name}: only `None` and 'softmax' activations are allowed for the "
            "`classifier_activation` argument when using pretrained weights with "
            f"`include_top=True`; received classifier_activation={classifier_activation!r}"
        )


def _is_file(weights: Any) -> bool:
    return isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)


def make_input(
    input_tensor: Any,
    input_shape: Any,
    *,
    default_size: int,
    min_size: int,
    include_top: bool,
    weights: Any,
    require_flatten: bool | None = None,
) -> Any:
    """The image input: ``input_tensor`` when given (a symbolic tensor), else a new ``Input``."""
    shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=min_size,
        require_flatten=include_top if require_flatten is None else require_flatten,
        weights=weights,
    )
    if input_tensor is None:
        return Input(shape=shape)
    if not hasattr(input_tensor, "node") or not hasattr(input_tensor, "shape"):
        raise ValueError(
            "`input_tensor` must be a symbolic tensor (from `jnn.Input` or a layer called on "
            f"one); received {type(input_tensor).__name__}."
        )
    return input_tensor


def source_inputs(tensor: Any) -> list[Any]:
    """The ``Input`` tensors that ``tensor`` was computed from (Keras's get_source_inputs)."""
    found: list[Any] = []
    stack, seen = [tensor], set()
    while stack:
        t = stack.pop()
        node = t.node
        if node is None or node.is_input:
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
            continue
        stack.extend(reversed(node.input_tensors))
    return found


def build(
    name: str,
    img_input: Any,
    input_tensor: Any,
    x: Any,
    *,
    head: Head,
    include_top: bool,
    pooling: Any,
    classes: int,
    classifier_activation: Any,
    weights: Any,
    files: WeightFiles | None,
) -> Model:
    """Adds the top or the pooling, makes the model and loads its weights."""
    if include_top:
        x = head.top(x, classes, classifier_activation)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name=head.pool_names[0])(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name=head.pool_names[1])(x)
    inputs = source_inputs(input_tensor) if input_tensor is not None else img_input
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    model = Model(inputs, x, name=name)
    if weights == "imagenet":
        model.load_weights(download_weights(name, include_top, files))
    elif weights is not None:
        model.load_weights(os.fspath(weights))
    return model


def download_weights(name: str, include_top: bool, files: WeightFiles | None) -> str:
    """Keras's ImageNet weights file for this architecture, downloaded once and cached under
    ``$JNN_HOME/models`` (``$JNN_APPLICATIONS_BASE_URL`` points at a mirror)."""
    entry = None if files is None else (files.top if include_top else files.no_top)
    if entry is None:
        which = "with" if include_top else "without"
        raise ValueError(
            f"{name}: Keras publishes no ImageNet weights for this configuration ({which} the "
            "top). Use `weights=None` or the path of a weights file."
        )
    relative, md5 = entry
    return get_file(
        relative.rsplit("/", 1)[-1],
        imagenet_utils.weights_url(relative, files.base),
        cache_subdir="models",
        file_hash=md5,
    )


def variant(public: str, default_name: str, build_fn: Callable[..., Any], doc: str
            ) -> Callable[..., Any]:
    """A constructor with Keras's standard application signature for one variant of a family.

    ``build_fn`` receives the arguments by keyword (``name``, ``include_top``, ``weights``,
    ``input_tensor``, ``input_shape``, ``pooling``, ``classes``, ``classifier_activation``).
    """

    def constructor(
        include_top: bool = True,
        weights: Any = "imagenet",
        input_tensor: Any = None,
        input_shape: Any = None,
        pooling: Any = None,
        classes: int = 1000,
        classifier_activation: Any = "softmax",
        name: str = default_name,
    ) -> Any:
        return build_fn(name=name, include_top=include_top, weights=weights,
                        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                        classes=classes, classifier_activation=classifier_activation)

    constructor.__name__ = constructor.__qualname__ = public
    constructor.__doc__ = doc
    return constructor

