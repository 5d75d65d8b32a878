"""Shared machinery of the downloadable data sets: where they come from, safe loading.

Files come from the same public locations Keras uses, checked against the same hashes, and are
cached under ``$JNN_HOME/datasets`` (default ``~/.jnn/datasets``) by
:func:`jnn.utils.get_file`. Set ``JNN_DATASETS_BASE_URL`` (or pass ``base_url=``) to fetch
every file from a mirror instead: the file name is appended to it.
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile

import numpy as np

from jnn.utils.file_utils import get_file

KERAS_BUCKET = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
TORONTO = "https://www.cs.toronto.edu/~kriz/"
BASE_URL_ENV = "JNN_DATASETS_BASE_URL"

HASHES: dict[str, str] = {
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    "cifar-10-python.tar.gz": "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    "cifar-100-python.tar.gz": "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
    "boston_housing.npz": "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
    "california_housing.npz": "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
    "imdb.npz": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    "imdb_word_index.json": "bfafd718b763782e994055a2d397834f",
    "reuters.npz": "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
    "reuters_word_index.json": "4d44cc38712099c9e383dc6e5f11a921",
}
"""Keras's sha256 (or md5) of each file; Keras publishes none for Fashion-MNIST."""

_MIB = 1 << 20
MAX_SIZES: dict[str, int] = {
    "mnist.npz": 16 * _MIB,  # 11.0 MiB
    "cifar-10-python.tar.gz": 256 * _MIB,  # 163 MiB
    "cifar-100-python.tar.gz": 256 * _MIB,  # 161 MiB
    "boston_housing.npz": 1 * _MIB,  # 56 KiB
    "california_housing.npz": 8 * _MIB,
    "imdb.npz": 32 * _MIB,  # 16.7 MiB
    "imdb_word_index.json": 8 * _MIB,  # 1.6 MiB
    "reuters.npz": 8 * _MIB,  # 2.0 MiB
    "reuters_word_index.json": 4 * _MIB,  # 0.5 MiB
    "train-images-idx3-ubyte.gz": 64 * _MIB,  # 25.2 MiB
    "train-labels-idx1-ubyte.gz": 1 * _MIB,
    "t10k-images-idx3-ubyte.gz": 16 * _MIB,  # 4.2 MiB
    "t10k-labels-idx1-ubyte.gz": 1 * _MIB,
}
"""Upper bounds on each file's size: a download past it (a server that never ends its body, a
wrong file) stops there instead of filling the disk."""

_ALLOWED = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }
)


def origin(name: str, default_base: str, base_url: str | None) -> str:
    """The URL of ``name``: ``base_url``, else ``$JNN_DATASETS_BASE_URL``, else Keras's."""
    base = base_url or os.environ.get(BASE_URL_ENV) or default_base
    return base.rstrip("/") + "/" + name


def fetch(
    fname: str,
    name: str,
    *,
    base_url: str | None = None,
    default_base: str = KERAS_BUCKET,
    **kwargs,
) -> str:
    """Downloads (once) data-set file ``name`` into the cache as ``fname``; returns the path.

    The download is checked against Keras's hash when there is one, else against its format's
    end markers (see :func:`jnn.utils.get_file`), and bounded by ``MAX_SIZES``; a corrupt
    cached copy is downloaded again.
    """
    kwargs.setdefault("max_size", MAX_SIZES.get(name))
    return get_file(
        fname=fname,
        origin=origin(name, default_base, base_url),
        file_hash=HASHES.get(name),
        **kwargs,
    )


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays only (a tampered file cannot run code)."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to deserialize `{module}.{name}` while loading a data set: the file may "
            "be corrupted or malicious."
        )


def _read_npy(fp: io.BytesIO) -> np.ndarray:
    try:
        return np.lib.format.read_array(fp, allow_pickle=False)
    except ValueError:  # an object array (ragged sequences): pickled numpy objects only
        fp.seek(0)
        major, _ = np.lib.format.read_magic(fp)
        if major == 1:
            np.lib.format.read_array_header_1_0(fp)
        else:
            np.lib.format.read_array_header_2_0(fp)
        return RestrictedUnpickler(fp).load()


def load_npz(path: str) -> dict[str, np.ndarray]:
    """``np.load`` for ``.npz`` files that may hold object arrays, without arbitrary pickles."""
    with zipfile.ZipFile(path) as archive:
        return {
            m[:-4]: _read_npy(io.BytesIO(archive.read(m)))
            for m in archive.namelist()
            if m.endswith(".npy")
        }


def check_test_split(test_split: float) -> None:
    if not 0 <= test_split < 1:
        raise ValueError(
            f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 "
            "(exclusive of 1)."
        )


def seeded_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int):
    """Keras's rule: a ``RandomState(seed)`` shuffle, the first ``int(n*(1-split))`` train."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def channels_last() -> bool:
    try:
        from jnn import backend

        return backend.image_data_format() == "channels_last"
    except (ImportError, AttributeError):
        return True
