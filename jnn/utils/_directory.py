"""Shared part of ``image_dataset_from_directory`` / ``text_dataset_from_directory``.

Indexes ``directory/<class>/<file>`` (Keras's rules: classes in alphanumeric order, files sorted
within a class, one shuffle of the whole list with ``seed``, the LAST ``validation_split`` of it
for validation) and serves the files as a :class:`~jnn.utils.Sequence` of batches.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from jnn.utils.sequence import PyDataset

_LABEL_MODES = ("int", "categorical", "binary", None)


def check_arguments(fn: str, labels, label_mode, batch_size, validation_split, subset, seed):
    if not (labels in ("inferred", None) or isinstance(labels, (list, tuple))):
        raise ValueError(
            f"{fn}: argument `labels` must be 'inferred', None or a list/tuple of labels (one "
            f"per file, in the sorted order of the files); received {labels!r}."
        )
    if label_mode not in _LABEL_MODES:
        raise ValueError(
            f"{fn}: argument `label_mode` must be one of 'int', 'categorical', 'binary' or "
            f"None; received {label_mode!r}."
        )
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(
            f"{fn}: argument `batch_size` must be a positive int or None, received {batch_size!r}."
        )
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(
            f"{fn}: argument `validation_split` must be in (0, 1), received {validation_split!r}."
        )
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(
            f"{fn}: argument `subset` must be 'training', 'validation', 'both' or None, "
            f"received {subset!r}."
        )
    if (validation_split is None) != (subset is None):
        raise ValueError(
            f"{fn}: `validation_split` and `subset` go together: pass both or neither "
            f"(received validation_split={validation_split!r}, subset={subset!r})."
        )
    if validation_split and seed is None and subset != "both":
        raise ValueError(
            f"{fn}: pass a `seed` with `validation_split`, so that the training and the "
            "validation subsets do not overlap."
        )


def index_directory(
    fn: str,
    directory: str,
    labels: Any,
    formats: tuple[str, ...],
    class_names: Any,
    follow_links: bool,
):
    """``(file_paths, int_labels, class_names)`` in Keras's sorted order."""
    if not os.path.isdir(directory):
        raise ValueError(f"{fn}: `directory` {directory!r} does not exist or is not a directory.")
    if labels == "inferred":
        found = sorted(
            d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d))
        )
        if class_names is not None:
            missing = sorted(set(class_names) - set(found))
            if missing:
                raise ValueError(
                    f"{fn}: `class_names` {missing} have no sub-directory in {directory!r}; "
                    f"found {found}."
                )
        names = list(class_names) if class_names is not None else found
        dirs = names
    else:
        names, dirs = [], [""]
    paths, ints = [], []
    for i, sub in enumerate(dirs):
        root = os.path.join(directory, sub)
        for dirpath, _, files in sorted(os.walk(root, followlinks=follow_links)):
            for f in sorted(files):
                if f.lower().endswith(formats):
                    paths.append(os.path.join(dirpath, f))
                    ints.append(i)
    if isinstance(labels, (list, tuple)):
        if len(labels) != len(paths):
            raise ValueError(
                f"{fn}: `labels` has {len(labels)} entries but {len(paths)} files were found "
                f"in {directory!r}."
            )
        ints = [int(v) for v in labels]
        names = [str(c) for c in (class_names or sorted(set(ints)))]
    if not paths:
        raise ValueError(f"{fn}: no files with extensions {formats} found in {directory!r}.")
    return paths, np.asarray(ints, np.int32), names


def encode_labels(fn: str, ints: np.ndarray, label_mode: Any, num_classes: int):
    if label_mode == "binary":
        if num_classes != 2:
            raise ValueError(
                f'{fn}: label_mode="binary" needs exactly 2 classes, found {num_classes}. Use '
                'label_mode="int" or "categorical".'
            )
        return ints.astype(np.float32).reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[ints]
    return ints


class DirectoryDataset(PyDataset):
    """Batches of files loaded by ``load(path)``, with labels; a ``jnn.utils.Sequence``.

    Attributes:
        class_names: Class names in label order.
        file_paths: The files, in the order of this epoch.
    """

    def __init__(
        self,
        paths: list[str],
        labels: np.ndarray | None,
        load: Callable,
        batch_size: int | None,
        shuffle: bool,
        seed: int | None,
        class_names: list[str],
    ):
        super().__init__()
        self._paths, self._labels, self._load = list(paths), labels, load
        self.batch_size, self.shuffle = batch_size, shuffle
        self.class_names = class_names
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(paths))
        if shuffle:
            self._order = self._rng.permutation(len(paths))

    @property
    def file_paths(self) -> list[str]:
        return [self._paths[i] for i in self._order]

    def __len__(self) -> int:
        return math.ceil(len(self._paths) / (self.batch_size or 1))

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} out of range for {len(self)} batches")
        if self.batch_size is None:  # unbatched: one sample
            rows = self._order[index : index + 1]
            x = self._load(self._paths[rows[0]])
            return x if self._labels is None else (x, self._labels[rows[0]])
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        x = np.stack([self._load(self._paths[i]) for i in rows])
        return x if self._labels is None else (x, self._labels[rows])

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._order = self._rng.permutation(len(self._paths))


def build(
    fn: str,
    directory,
    labels,
    label_mode,
    class_names,
    batch_size,
    shuffle,
    seed,
    validation_split,
    subset,
    follow_links,
    formats,
    load,
    verbose,
    kind: str,
):
    """The whole pipeline: check, index, shuffle, split, wrap; ``subset='both'`` -> a pair."""
    check_arguments(fn, labels, label_mode, batch_size, validation_split, subset, seed)
    paths, ints, names = index_directory(fn, directory, labels, formats, class_names, follow_links)
    if verbose:
        print(f"Found {len(paths)} files belonging to {len(names)} classes.")
    order = np.arange(len(paths))
    if shuffle or validation_split:
        if seed is None:
            seed = int(np.random.randint(1_000_000))
        np.random.RandomState(seed).shuffle(order)
    paths, ints = [paths[i] for i in order], ints[order]
    encoded = (
        None
        if labels is None or label_mode is None
        else encode_labels(fn, ints, label_mode, len(names))
    )

    def make(lo: int, hi: int, what: str | None):
        if verbose and what:
            print(f"Using {hi - lo} files for {what}.")
        part = None if encoded is None else encoded[lo:hi]
        return DirectoryDataset(paths[lo:hi], part, load, batch_size, shuffle, seed, names)

    n = len(paths)
    if not validation_split:
        return make(0, n, None)
    n_val = int(validation_split * n)
    if n_val == 0 or n_val == n:
        raise ValueError(
            f"{fn}: validation_split={validation_split} leaves an empty subset of the {n} "
            f"{kind} files."
        )
    if subset == "training":
        return make(0, n - n_val, "training")
    if subset == "validation":
        return make(n - n_val, n, "validation")
    return make(0, n - n_val, "training"), make(n - n_val, n, "validation")
