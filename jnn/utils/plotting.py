"""Pictures of training and of models: `plot_history` (matplotlib) and `plot_model` /
`model_to_dot` (Graphviz), like `keras.utils.plot_model`.

Both backends are optional (`pip install jnn[plot]`): matplotlib for histories; for
model graphs the Graphviz `dot` program (writing images) and `pydot` (only for
`model_to_dot`, which returns a `pydot.Dot`). Errors name the missing piece.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["model_to_dot", "plot_history", "plot_model"]


# --- histories ------------------------------------------------------------------------------


def _history_dict(history: Any) -> dict[str, list[float]]:
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(
            "plot_history: argument `history` must be a History (what `fit` returns) or a "
            f"dict of per-epoch lists, received {type(history).__name__}."
        )
    return {str(k): list(v) for k, v in logs.items()}


def _pick_metrics(logs: dict[str, list[float]], metrics: Any) -> list[str]:
    if metrics is None:
        names = [k for k in logs if not k.startswith("val_") and k != "learning_rate"]
        return sorted(names, key=lambda k: (k != "loss", list(logs).index(k)))
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    missing = [m for m in names if m not in logs]
    if missing:
        raise ValueError(
            f"plot_history: metric(s) {missing} are not in the history; it has {sorted(logs)}."
        )
    return names


def _axes_for(ax: Any, count: int) -> tuple[Any, list[Any]]:
    import matplotlib.pyplot as plt

    if ax is None:
        fig, axes = plt.subplots(1, count, figsize=(5 * count, 4), squeeze=False)
        return fig, list(axes[0])
    axes = list(ax) if isinstance(ax, (list, tuple)) else [ax]
    if len(axes) != count:
        raise ValueError(
            f"plot_history: argument `ax` must hold one Axes per metric ({count}), "
            f"received {len(axes)}."
        )
    return axes[0].figure, axes


def plot_history(
    history: Any,
    metrics: str | Sequence[str] | None = None,
    validation: bool = True,
    ax: Any = None,
    to_file: str | os.PathLike | None = None,
) -> Any:
    """Plots training curves: one panel per metric, train and validation curves.

    Draws what tutorials draw by hand (`plt.plot(history.history["loss"])`, then the
    `val_` curve, title "model loss", labels "epoch" / "loss", legend train / val).

    Args:
        history: The `History` returned by `fit`, or its `history` dict.
        metrics: Metric name or names (without `val_`); default: every training metric,
            loss first (`learning_rate` excluded).
        validation: Also draw `val_<metric>` when the history has it.
        ax: A matplotlib Axes (one metric) or a list of Axes (one per metric) to draw
            into; default: a new figure with one panel per metric.
        to_file: Save the figure there (format from the extension).

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> fig = plot_history({"loss": [1.0, 0.5], "val_loss": [1.2, 0.7]})
        >>> [a.get_title() for a in fig.axes]
        ['model loss']
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "plot_history needs matplotlib, which is not installed: `pip install matplotlib` "
            "(or `pip install jnn[plot]`)."
        ) from exc
    logs = _history_dict(history)
    names = _pick_metrics(logs, metrics)
    fig, axes = _axes_for(ax, len(names))
    for axis, name in zip(axes, names):
        epochs = range(1, len(logs[name]) + 1)
        axis.plot(epochs, logs[name], label="train")
        if validation and f"val_{name}" in logs:
            axis.plot(range(1, len(logs[f"val_{name}"]) + 1), logs[f"val_{name}"], label="val")
        axis.set_title(f"model {name}")
        axis.set_ylabel(name)
        axis.set_xlabel("epoch")
        axis.legend(loc="upper left")
    if to_file is not None:
        fig.savefig(os.fspath(to_file), bbox_inches="tight")
    return fig


# --- model graphs ---------------------------------------------------------------------------


class _Graph:
    """Nodes (id -> DOT attributes), edges and clusters, rendered as DOT text."""

    def __init__(self) -> None:
        self.nodes: dict[str, str] = {}
        self.edges: list[tuple[str, str]] = []
        self.clusters: list[tuple[str, _Graph]] = []

    def add_edge(self, src: str, dst: str) -> None:
        if (src, dst) not in self.edges:
            self.edges.append((src, dst))

    def body(self) -> list[str]:
        lines = [f'"{key}" [label={label}];' for key, label in self.nodes.items()]
        for index, (name, sub) in enumerate(self.clusters):
            lines.append(f"subgraph cluster_{index}_{abs(hash(name))} {{")
            lines.append(f'label="{html.escape(name)}"; labeljust="l"; style="dashed";')
            lines.extend(sub.body())
            lines.append("}")
        lines.extend(f'"{a}" -> "{b}" [penwidth=2];' for a, b in self.edges)
        return lines


def _shape_text(tensors: Sequence[Any]) -> str:
    shapes = [tuple(t.shape) for t in tensors]
    if not shapes:
        return "?"
    return str(shapes[0]) if len(shapes) == 1 else ", ".join(str(s) for s in shapes)


def _activation_name(layer: Any) -> str | None:
    fn = getattr(layer, "activation", None)
    if fn is None:
        return None
    return getattr(fn, "name", None) or getattr(fn, "__name__", None) or str(fn)


def _label(layer: Any, node: Any, opts: dict[str, bool]) -> str:
    cls = type(layer).__name__
    title = (
        f"<b>{html.escape(layer.name)}</b> ({cls})"
        if opts["show_layer_names"]
        else (f"<b>{cls}</b>")
    )
    cols: list[str] = []
    cell = '<td bgcolor="white"><font point-size="14">{}</font></td>'
    if opts["show_shapes"]:
        if node is not None and cls != "InputLayer":
            shape = html.escape(_shape_text(node.input_tensors))
            cols.append(cell.format(f"Input shape: <b>{shape}</b>"))
        out = "?" if node is None else html.escape(_shape_text(node.output_tensors))
        cols.append(cell.format(f"Output shape: <b>{out}</b>"))
    if opts["show_dtype"]:
        dtype = "?" if node is None else html.escape(str(node.output_tensors[0].dtype))
        cols.append(cell.format(f"Output dtype: <b>{dtype}</b>"))
    if opts["show_trainable"] and getattr(layer, "weights", None):
        color, text = (
            ("forestgreen", "Trainable") if layer.trainable else ("firebrick", "Non-trainable")
        )
        cols.append(
            f'<td bgcolor="{color}"><font point-size="14" color="white"><b>{text}</b></font></td>'
        )
    span = max(1, len(cols))
    rows = [
        f'<tr><td colspan="{span}" bgcolor="black"><font point-size="16" color="white">'
        f"{title}</font></td></tr>"
    ]
    activation = _activation_name(layer) if opts["show_layer_activations"] else None
    if activation is not None:
        rows.append(
            f'<tr><td bgcolor="white" colspan="{span}"><font point-size="14">'
            f"Activation: <b>{html.escape(activation)}</b></font></td></tr>"
        )
    if cols:
        rows.append("<tr>" + "".join(cols) + "</tr>")
    return (
        '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
        + "".join(rows)
        + "</table>>"
    )


def _layer_nodes(model: Any) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """(layers with one representative node, edges as (source layer, layer) pairs)."""
    from jnn._shell.models.sequential import Sequential

    if isinstance(model, Sequential):
        nodes = {id(layer): node for layer, node in getattr(model, "_own_nodes", [])}
        layers = [(layer, nodes.get(id(layer))) for layer in model.layers]
        edges = [(layers[i][0], layers[i + 1][0]) for i in range(len(layers) - 1)]
        return layers, edges
    graph_nodes = getattr(model, "_nodes", None)
    if graph_nodes is None:  # subclassed: one box
        return [(model, None)], []
    first: dict[int, Any] = {}
    for tensor in model.inputs:
        first.setdefault(id(tensor.node.layer), tensor.node)
    edges = []
    for node in graph_nodes:
        first.setdefault(id(node.layer), node)
        for tensor in node.input_tensors:
            edges.append((tensor.node.layer, node.layer))
    layers = [(layer, first.get(id(layer))) for layer in model.layers]
    return layers, edges


def _build(model: Any, opts: dict[str, bool], expand_nested: bool) -> tuple[_Graph, dict]:
    """The graph of `model`, and per nested layer id its (entry ids, exit ids)."""
    graph = _Graph()
    ends: dict[int, tuple[list[str], list[str]]] = {}
    layers, edges = _layer_nodes(model)
    for layer, node in layers:
        if expand_nested and getattr(layer, "_is_model", False) and layer is not model:
            sub, sub_ends = _build(layer, opts, expand_nested)
            graph.clusters.append((layer.name, sub))
            ends[id(layer)] = _entries_exits(sub, sub_ends)
            ends.update(sub_ends)
        else:
            graph.nodes[str(id(layer))] = _label(layer, node, opts)
    for src, dst in edges:
        outs = ends.get(id(src), (None, [str(id(src))]))[1]
        ins = ends.get(id(dst), ([str(id(dst))], None))[0]
        for a in outs:
            for b in ins:
                graph.add_edge(a, b)
    return graph, ends


def _entries_exits(sub: _Graph, sub_ends: dict) -> tuple[list[str], list[str]]:
    keys = list(sub.nodes) + [k for _, c in sub.clusters for k in _all_keys(c)]
    targets = {b for _, b in _all_edges(sub)}
    sources = {a for a, _ in _all_edges(sub)}
    entries = [k for k in keys if k not in targets] or keys[:1]
    exits = [k for k in keys if k not in sources] or keys[-1:]
    return entries, exits


def _all_keys(graph: _Graph) -> list[str]:
    return list(graph.nodes) + [k for _, c in graph.clusters for k in _all_keys(c)]


def _all_edges(graph: _Graph) -> list[tuple[str, str]]:
    return list(graph.edges) + [e for _, c in graph.clusters for e in _all_edges(c)]


def _check_model(model: Any, rankdir: str) -> None:
    if not getattr(model, "built", False):
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` "
            "or by calling the model on a batch of data."
        )
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"Argument `rankdir` must be 'TB' or 'LR', received {rankdir!r}.")


def _dot_source(
    model: Any, rankdir: str, dpi: int, splines: str, opts: dict[str, bool], expand_nested: bool
) -> str:
    _check_model(model, rankdir)
    graph, _ = _build(model, opts, expand_nested)
    header = [
        "digraph G {",
        f'rankdir="{rankdir}"; concentrate=true; dpi={int(dpi)}; splines="{splines}";',
        'node [shape=record, fontname="Helvetica", margin=0];',
    ]
    return "\n".join(header + graph.body() + ["}"]) + "\n"


def model_to_dot(
    model: Any,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    subgraph: bool = False,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
) -> Any:
    """Converts a model to a `pydot.Dot` graph (needs the `pydot` package).

    Args: as `plot_model` (`subgraph` is accepted for Keras compatibility and ignored).

    Returns:
        A `pydot.Dot`; `.to_string()` gives the DOT source.

    Example:
        >>> import jnn
        >>> model = jnn.Sequential([jnn.layers.Dense(2, input_dim=3)])
        >>> "Dense" in model_to_dot(model).to_string()  # doctest: +SKIP
        True
    """
    try:
        import pydot
    except ImportError as exc:
        raise ImportError(
            "You must install pydot (`pip install pydot`) for model_to_dot to work."
        ) from exc
    opts = dict(
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    _check_model(model, rankdir)
    graph, _ = _build(model, opts, expand_nested)
    dot = pydot.Dot(
        graph_type="digraph", rankdir=rankdir, concentrate="true", dpi=str(dpi), splines=splines
    )
    dot.set_node_defaults(shape="record", fontname="Helvetica", margin="0")
    _fill_pydot(pydot, dot, graph)
    return dot


def _fill_pydot(pydot: Any, target: Any, graph: _Graph) -> None:
    for key, label in graph.nodes.items():
        target.add_node(pydot.Node(key, label=label))
    for index, (name, sub) in enumerate(graph.clusters):
        cluster = pydot.Cluster(
            f"{index}_{abs(hash(name))}", label=name, labeljust="l", style="dashed"
        )
        _fill_pydot(pydot, cluster, sub)
        target.add_subgraph(cluster)
    for a, b in graph.edges:
        target.add_edge(pydot.Edge(a, b, penwidth="2"))


def plot_model(
    model: Any,
    to_file: str | os.PathLike = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = False,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
) -> Any:
    """Draws the model's layer graph to an image with Graphviz (Keras's `plot_model`).

    Needs the Graphviz `dot` program on PATH (`apt-get install graphviz`,
    `brew install graphviz`, `conda install graphviz`); `pydot` is not required.

    Args:
        model: A built jnn model.
        to_file: Output file; its extension picks the format (png, svg, pdf, ...).
        show_shapes: Show input and output shapes.
        show_dtype: Show output dtypes.
        show_layer_names: Show layer names next to their classes.
        rankdir: `"TB"` (vertical) or `"LR"` (horizontal).
        expand_nested: Draw nested models as dashed clusters of their layers.
        dpi: Image resolution.
        show_layer_activations: Show the activations of layers that have one.
        show_trainable: Mark layers with weights as trainable or not.
        splines: Graphviz edge style.

    Returns:
        An `IPython.display.Image` of the file when IPython is installed, else None.

    Example:
        >>> import jnn
        >>> model = jnn.Sequential([jnn.layers.Dense(2, input_dim=3)])
        >>> plot_model(model, "model.png", show_shapes=True)  # doctest: +SKIP
    """
    dot = shutil.which("dot")
    if dot is None:
        raise ImportError(
            "You must install graphviz (the `dot` program: `apt-get install graphviz`, "
            "`brew install graphviz` or see https://graphviz.gitlab.io/download/) for "
            "`plot_model` to work; `dot` was not found on PATH."
        )
    opts = dict(
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    source = _dot_source(model, rankdir, dpi, splines, opts, expand_nested)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    result = subprocess.run(
        [dot, f"-T{extension}", "-o", to_file],
        input=source.encode(),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"plot_model: Graphviz `dot -T{extension}` failed: "
            f"{result.stderr.decode(errors='replace').strip()}"
        )
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
