"""What the rooms below :mod:`jnn._shell.models` may know about a model, without importing it.

Training, saving and callbacks hold model objects but never import the model classes (that
would make each room depend on the one above it). Instead:

* they **ask the object** what kind of model it is: every model class answers with its
  ``_graph_kind`` class attribute (``None`` for a subclassed model, ``"functional"``,
  ``"sequential"``), read through :func:`graph_kind`, :func:`is_graph_model` and
  :func:`is_sequential`;
* where they must *build* a model (loading a file, cloning), they look the class up by its
  Keras name with :func:`model_class`; :mod:`jnn._shell.models` registers the classes when it
  is imported (``import jnn`` always imports it).

Example:
    >>> import jnn
    >>> from jnn._shell import protocol
    >>> m = jnn.Sequential([jnn.layers.Dense(1)])
    >>> protocol.is_sequential(m), protocol.is_graph_model(m)
    (True, True)
    >>> protocol.model_class("Sequential") is jnn.Sequential
    True
"""

from __future__ import annotations

from typing import Any

FUNCTIONAL = "functional"
SEQUENTIAL = "sequential"

_CLASSES: dict[str, Any] = {}


def register_model_classes(**classes: Any) -> None:
    """Make model classes (and ``Input``) known by their Keras names; called by ``models``.

    Args:
        **classes: ``Model=..., Functional=..., Sequential=..., Input=...``.

    Example:
        >>> from jnn._shell import protocol
        >>> protocol.model_class("Model").__name__
        'Model'
    """
    _CLASSES.update(classes)


def model_class(name: str) -> Any:
    """The registered class (or ``Input`` function) for a Keras name such as ``"Functional"``.

    Args:
        name: ``"Model"``, ``"Functional"``, ``"Sequential"`` or ``"Input"``.

    Returns:
        The class registered by :mod:`jnn._shell.models`.

    Raises:
        LookupError: ``name`` is not registered (``jnn._shell.models`` not imported yet).

    Example:
        >>> from jnn._shell import protocol
        >>> protocol.model_class("Functional").__name__
        'Functional'
    """
    try:
        return _CLASSES[name]
    except KeyError:
        raise LookupError(
            f"No model class registered under '{name}' (known: {sorted(_CLASSES)}). The model "
            "classes are registered when jnn._shell.models is imported (`import jnn` does it)."
        ) from None


def graph_kind(model: Any) -> str | None:
    """What the model says it is: ``"functional"``, ``"sequential"`` or ``None`` (subclassed).

    Args:
        model: any object; a non-model answers ``None``.

    Example:
        >>> import jnn
        >>> from jnn._shell import protocol
        >>> protocol.graph_kind(jnn.Sequential([jnn.layers.Dense(1)]))
        'sequential'
    """
    return getattr(model, "_graph_kind", None)


def is_graph_model(model: Any) -> bool:
    """True for a model defined by a layer graph (functional or Sequential).

    Example:
        >>> import jnn
        >>> from jnn._shell import protocol
        >>> protocol.is_graph_model(jnn.layers.Dense(1))
        False
    """
    return graph_kind(model) in (FUNCTIONAL, SEQUENTIAL)


def is_functional(model: Any) -> bool:
    """True for a functional model (``Model(inputs, outputs)`` or a subclass built that way).

    Example:
        >>> import jnn
        >>> from jnn._shell import protocol
        >>> x = jnn.Input(shape=(2,))
        >>> protocol.is_functional(jnn.Model(x, jnn.layers.Dense(1)(x)))
        True
    """
    return graph_kind(model) == FUNCTIONAL


def is_sequential(model: Any) -> bool:
    """True for a ``Sequential`` model (or a subclass of it).

    Example:
        >>> import jnn
        >>> from jnn._shell import protocol
        >>> protocol.is_sequential(jnn.Sequential())
        True
    """
    return graph_kind(model) == SEQUENTIAL
