"""``text_dataset_from_directory``: a folder of class sub-folders of .txt -> batches of text."""

from __future__ import annotations

from typing import Any

import numpy as np

from jnn.utils import _directory

__all__ = ["text_dataset_from_directory"]


def text_dataset_from_directory(
    directory: str,
    labels: Any = "inferred",
    label_mode: Any = "int",
    class_names: Any = None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    verbose: bool = True,
) -> Any:
    """Text files in ``directory/<class_name>/*.txt`` as a Sequence of batches of strings.

    The same rules as :func:`jnn.utils.image_dataset_from_directory`; each batch is
    ``(texts, labels)`` with ``texts`` a numpy array of Python strings (dtype object), the
    files' UTF-8 contents truncated to ``max_length`` characters. Map it to numbers (e.g. a
    vocabulary lookup) before ``fit``. Unlike Keras, the result is a ``jnn.utils.Sequence``,
    not a ``tf.data.Dataset``.

    Args:
        directory: Root folder.
        labels: 'inferred', None, or one int label per file.
        label_mode: 'int', 'categorical', 'binary' or None.
        class_names: Order (and choice) of the class sub-folders.
        batch_size: Texts per batch (None: one text per item).
        max_length: Keep at most this many characters of each text.
        shuffle: Shuffle the files (and again at every epoch end).
        seed: Seed of the shuffle and the split.
        validation_split: Fraction of files kept for validation.
        subset: 'training', 'validation' or 'both'.
        follow_links: Follow symbolic links to sub-directories.
        verbose: Print how many files and classes were found.

    Returns:
        A Sequence with ``class_names`` and ``file_paths`` attributes (a pair for 'both').

    Example:
        >>> train = text_dataset_from_directory("reviews/", seed=1)  # doctest: +SKIP
        >>> texts, labels = train[0]  # doctest: +SKIP
    """
    fn = "text_dataset_from_directory"
    if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
        raise ValueError(f"{fn}: `max_length` must be a positive int, received {max_length!r}.")

    def load(path: str) -> Any:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        out = np.empty((), dtype=object)
        out[()] = text[:max_length] if max_length else text
        return out

    return _directory.build(
        fn,
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
        (".txt",),
        load,
        verbose,
        "text",
    )
