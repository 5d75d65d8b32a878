"""Host-side text preprocessing: StringLookup and TextVectorization (IntegerLookup lives in
:mod:`jnn._core.layers.preprocessing_extra` and is re-exported here).

Strings cannot live on an accelerator, so these layers run on the host in numpy, before the
device: call them on your data (``ids = vectorize(texts)``) and feed the numeric result to the
model (``model.fit(ids, y)``), the way a Keras user maps them over a ``tf.data`` pipeline. They
are not meant to sit inside a model (calling them on a symbolic ``jnn.Input`` or inside a
running model raises an error that says so). Numeric outputs are numpy arrays: ``int32``
indices (Keras returns int64) and ``float32`` encodings.

Index layout (``output_mode="int"``, Keras's): ``0`` is the ``mask_token`` when one is set,
then ``num_oov_indices`` out-of-vocabulary slots, then the vocabulary. ``adapt(data)`` learns
the vocabulary: tokens by decreasing count, ties by decreasing token, at most ``max_tokens``
entries including the special ones; with ``output_mode="tf_idf"`` it also learns
``idf = log(1 + n_documents / (1 + document_count))`` (OOV slots get the mean).

Example:
    >>> import numpy as np
    >>> layer = StringLookup(vocabulary=["a", "b", "c", "d"])
    >>> layer(np.array([["a", "c", "d"], ["d", "z", "b"]]))
    array([[1, 3, 4],
           [4, 0, 2]], dtype=int32)
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from jnn._core.layers._farmhash import fingerprint64
from jnn._core.layers.base import Layer
from jnn._core.layers.preprocessing_extra import IntegerLookup

__all__ = ["IntegerLookup", "StringLookup", "TextVectorization"]

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_DROPPED = -2  # mask tokens in non-int modes: counted nowhere
# Keras's punctuation class (tf.strings.regex_replace in TextVectorization).
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fail(owner: str, arg: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"{owner}: argument `{arg}` must be {expected}, received {value!r}.")


def _mode(owner: str, output_mode: Any) -> str:
    output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
    if output_mode not in _MODES:
        raise _fail(owner, "output_mode", f"one of {list(_MODES)}", output_mode)
    return output_mode


def to_str_array(data: Any, encoding: str = "utf-8") -> np.ndarray:
    """Strings (list, numpy ``U``/``S``/object array, bytes) as a numpy ``str`` array."""
    arr = np.asarray(data, dtype=object) if not isinstance(data, np.ndarray) else data
    if arr.dtype.kind == "U":
        return arr
    if arr.dtype.kind == "S":
        return np.char.decode(arr, encoding)
    if arr.dtype.kind == "O":
        flat = [v.decode(encoding) if isinstance(v, bytes) else v for v in arr.reshape(-1).tolist()]
        if not all(isinstance(v, str) for v in flat):
            bad = next(type(v).__name__ for v in flat if not isinstance(v, str))
            raise TypeError(f"Expected strings, received an element of type {bad}.")
        out = np.empty(arr.shape, dtype=object)
        out.reshape(-1)[:] = flat
        return out.astype(str) if flat else np.zeros(arr.shape, str)
    raise TypeError(f"Expected strings, received an array of dtype {arr.dtype}.")


def _batches(data: Any) -> Iterable[Any]:
    """``adapt`` data: one array/list, or an iterable of batches (``(x, y)`` keeps ``x``)."""
    if isinstance(data, (str, bytes)):
        yield [data]
        return
    if isinstance(data, (list, np.ndarray)) or hasattr(data, "shape"):
        yield data
        return
    if isinstance(data, tuple):
        yield list(data)
        return
    if not hasattr(data, "__iter__"):
        raise TypeError(
            f"adapt() expects strings (list or numpy array) or an iterable of batches, "
            f"received {type(data).__name__}."
        )
    for batch in data:
        yield batch[0] if isinstance(batch, tuple) else batch


def encode_rows(ids: np.ndarray, mode: str, depth: int) -> np.ndarray:
    """Keras's bincount encodings on the host: ``multi_hot`` / ``count`` count each row's ids
    (a rank-1 input is one sample); ``one_hot`` gives each id a row. Ids outside
    ``[0, depth)`` (dropped mask tokens) count nowhere."""
    ids = np.asarray(ids)
    if ids.ndim == 0:
        ids = ids[None]
    if mode == "one_hot" and ids.shape[-1] != 1:
        ids = ids[..., None]
    if ids.ndim > 2:
        raise ValueError(
            f"When output_mode is not 'int', the maximum supported output rank is 2; received "
            f"inputs of shape {ids.shape} for output_mode '{mode}'."
        )
    rows = ids[None] if ids.ndim == 1 else ids
    out = np.zeros((rows.shape[0], depth), np.float32)
    valid = (rows >= 0) & (rows < depth)
    row_idx = np.broadcast_to(np.arange(rows.shape[0])[:, None], rows.shape)
    np.add.at(out, (row_idx[valid], rows[valid]), 1.0)
    if mode != "count":
        out = np.minimum(out, 1.0)
    return out[0] if ids.ndim == 1 else out


class _HostLayer(Layer):
    """A layer that runs on numpy data on the host (no variables, not traceable)."""

    # The shell calls ``apply`` directly on host data for these layers (see jnn._shell.layers.hooks).
    host_side = True

    def init(self, key: Any, input_spec: Any) -> dict[str, dict[str, Any]]:
        del key, input_spec
        return {"params": {}, "state": {}}

    def apply(self, variables, inputs, *, training=False, rng=None):
        del variables, training, rng
        return self.host_call(inputs), {}

    def host_call(self, inputs: Any) -> np.ndarray:
        raise NotImplementedError


class StringLookup(_HostLayer):
    """Maps strings to contiguous indices of a vocabulary (and back with ``invert``).

    Runs on the host: ``layer(np.array([...]))`` returns numpy arrays. See the module
    docstring for the index layout and ``adapt``.

    Args:
        max_tokens: maximum vocabulary size, special tokens included (None: no limit).
        num_oov_indices: OOV slots; 0 makes OOV tokens an error; with more than one, a token
            goes to slot ``FarmHash64(token) % num_oov_indices`` (Keras's
            ``tf.strings.to_hash_bucket_fast``).
        mask_token: token mapped to index 0 (None: no mask).
        oov_token: token returned by ``invert`` for unknown indices.
        vocabulary: list/array of strings (a file path is not read: pass the list).
        idf_weights: one weight per vocabulary token (``output_mode="tf_idf"`` only).
        invert: map indices back to strings.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        pad_to_max_tokens: encodings have ``max_tokens`` columns.
        sparse: only False. encoding: text encoding of byte strings.

    Example:
        >>> layer = StringLookup(vocabulary=["a", "b"], output_mode="multi_hot")
        >>> layer(np.array([["a", "a"], ["b", "z"]]))
        array([[0., 1., 0.],
               [1., 0., 1.]], dtype=float32)
    """

    _owner = "StringLookup"

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: str | None = None,
        oov_token: str = "[UNK]",
        vocabulary: Any = None,
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        pad_to_max_tokens: bool = False,
        sparse: bool = False,
        encoding: str = "utf-8",
        salt: Any = None,
        vocabulary_size: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        del vocabulary_size  # Keras writes it in configs; the vocabulary defines it here
        owner = self._owner
        if max_tokens is not None and (
            isinstance(max_tokens, bool)
            or not isinstance(max_tokens, numbers.Integral)
            or max_tokens <= 1
        ):
            raise _fail(owner, "max_tokens", "None or an int greater than 1", max_tokens)
        if pad_to_max_tokens and max_tokens is None:
            raise _fail(owner, "max_tokens", "set when pad_to_max_tokens=True", max_tokens)
        if (
            isinstance(num_oov_indices, bool)
            or not isinstance(num_oov_indices, numbers.Integral)
            or num_oov_indices < 0
        ):
            raise _fail(owner, "num_oov_indices", "an int >= 0", num_oov_indices)
        for arg, val in (("mask_token", mask_token), ("oov_token", oov_token)):
            if val is not None and not isinstance(val, str):
                raise _fail(owner, arg, "a string or None", val)
        if sparse:
            raise _fail(owner, "sparse", "False (sparse outputs are not supported)", sparse)
        if salt is not None:
            raise _fail(owner, "salt", "None (SipHash OOV bucketing is not supported)", salt)
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert = bool(invert)
        self.output_mode = _mode(owner, output_mode)
        if self.invert and self.output_mode != "int":
            raise ValueError(f"{owner}: `invert=True` needs output_mode='int'.")
        if idf_weights is not None and self.output_mode != "tf_idf":
            raise _fail(owner, "idf_weights", "None unless output_mode='tf_idf'", "an array")
        if self.output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(
                f"{owner}: with a `vocabulary` in output_mode='tf_idf', pass `idf_weights` too."
            )
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.sparse, self.encoding = False, encoding
        self._tokens: list[str] | None = None
        self._index: dict[str, int] = {}
        self._idf: np.ndarray | None = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # --- vocabulary ------------------------------------------------------------------------
    def _oov_start(self) -> int:
        return int(self.mask_token is not None and self.output_mode == "int")

    def _token_start(self) -> int:
        return self._oov_start() + self.num_oov_indices

    def _specials(self) -> list[str]:
        return [self.mask_token] * self._oov_start() + [self.oov_token] * self.num_oov_indices

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Sets the vocabulary (and idf weights); special tokens at its start are dropped."""
        owner = self._owner
        if isinstance(vocabulary, str):
            raise ValueError(
                f"{owner}: `vocabulary` as a file path is not read by jnn (the core does no I/O); "
                "read the file and pass the list of tokens."
            )
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{owner}: output_mode='tf_idf' needs `idf_weights`.")
        vocab = to_str_array(vocabulary, self.encoding).reshape(-1).tolist()
        if not vocab:
            raise ValueError(f"{owner}: cannot set an empty vocabulary.")
        specials = self._specials()
        found_specials = bool(specials) and vocab[: len(specials)] == specials
        tokens = vocab[len(specials) :] if found_specials else vocab
        seen: set[str] = set()
        repeated = sorted({t for t in tokens if t in seen or seen.add(t)})
        if repeated:
            raise ValueError(f"{owner}: the vocabulary has repeated tokens {repeated}.")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(
                f"{owner}: the mask token {self.mask_token!r} is in the vocabulary; leave it out "
                f"or put the special tokens first in this order: {specials}."
            )
        if self.invert and self.oov_token in tokens:
            raise ValueError(
                f"{owner}: the OOV token {self.oov_token!r} is in the vocabulary; leave it out "
                f"or put the special tokens first in this order: {specials}."
            )
        size = self._token_start() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(
                f"{owner}: the vocabulary has {size} entries with the special tokens, more than "
                f"max_tokens={self.max_tokens}."
            )
        idf = None
        if idf_weights is not None:
            idf = np.asarray(idf_weights, np.float32).reshape(-1)
            if len(idf) != len(vocab):
                raise ValueError(
                    f"{owner}: `idf_weights` must have the vocabulary's length {len(vocab)}, "
                    f"received {len(idf)}."
                )
            if not found_specials:  # the special slots weigh the average idf (Keras)
                idf = np.concatenate([np.full(self._token_start(), idf.mean(), np.float32), idf])
        self._set_tokens(tokens, idf)

    def _set_tokens(self, tokens: list[str], idf: np.ndarray | None) -> None:
        self._tokens = list(tokens)
        start = self._token_start()
        self._index = {t: start + i for i, t in enumerate(self._tokens)}
        self._idf = idf

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learns the vocabulary (and idf weights) from strings or batches of strings."""
        docs = []
        for i, batch in enumerate(_batches(data)):
            if steps is not None and i >= steps:
                break
            arr = to_str_array(batch, self.encoding)
            # Keras reads rank-0/1 data as (N, 1): one token per document.
            arr = arr.reshape(-1, 1) if arr.ndim < 2 else arr.reshape(arr.shape[0], -1)
            docs.extend(arr.tolist())
        self.adapt_documents(docs)

    def adapt_documents(self, docs: list[list[str]]) -> None:
        """Builds the vocabulary from token lists, one per document."""
        counts: dict[str, int] = {}
        doc_counts: dict[str, int] = {}
        for doc in docs:
            for t in doc:
                counts[t] = counts.get(t, 0) + 1
            for t in set(doc):
                doc_counts[t] = doc_counts.get(t, 0) + 1
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        tokens = sorted(counts, key=lambda t: (counts[t], t.encode(self.encoding)), reverse=True)
        if self.max_tokens is not None:
            tokens = tokens[: max(self.max_tokens - self._token_start(), 0)]
        idf = None
        if self.output_mode == "tf_idf":
            df = np.array([doc_counts[t] for t in tokens], np.float64)
            w = np.log1p(len(docs) / (1.0 + df)).astype(np.float32)
            mean = w.mean() if len(w) else 0.0
            idf = np.concatenate([np.full(self._token_start(), mean, np.float32), w])
        self._set_tokens(tokens, idf)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """Tokens in index order (with the mask and OOV tokens first by default)."""
        tokens = list(self._tokens or [])
        return self._specials() + tokens if include_special_tokens else tokens

    def vocabulary_size(self) -> int:
        """Size of the vocabulary, mask and OOV indices included."""
        return self._token_start() + len(self._tokens or [])

    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def _require_vocab(self) -> None:
        if self._tokens is None:
            raise ValueError(
                f"{self._owner} '{self.name}': pass `vocabulary` or call `adapt(data)` first."
            )

    # --- lookups ---------------------------------------------------------------------------
    def _oov_index(self, token: str) -> int:
        n = self.num_oov_indices
        if n <= 1:
            return self._oov_start() if n else -1
        return self._oov_start() + fingerprint64(token.encode(self.encoding)) % n

    def lookup_ids(self, tokens: np.ndarray) -> np.ndarray:
        """Indices of a ``str`` array (same shape); dropped mask tokens are -2 in non-int
        modes."""
        self._require_vocab()
        mask_id = 0 if self.output_mode == "int" else _DROPPED
        index, mask, oov = self._index, self.mask_token, self._oov_index
        flat = [
            mask_id if (mask is not None and t == mask) else index[t] if t in index else oov(t)
            for t in tokens.reshape(-1).tolist()
        ]
        ids = np.asarray(flat, np.int32).reshape(tokens.shape)
        if self.num_oov_indices == 0 and (ids == -1).any():
            oov = sorted(set(tokens[ids == -1].tolist()))[:10]
            raise ValueError(
                f"{self._owner} '{self.name}': with num_oov_indices=0 every input must be in the "
                f"vocabulary; found out-of-vocabulary values {oov}. Set num_oov_indices=1."
            )
        return ids

    def encode(self, ids: np.ndarray) -> np.ndarray:
        """Turns indices into the layer's ``output_mode`` encoding."""
        if self.output_mode == "int":
            return ids
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_rows(ids, mode, self._depth())
        if self.output_mode == "tf_idf":
            idf = np.zeros(self._depth(), np.float32)
            idf[: len(self._idf)] = self._idf[: self._depth()]
            out = out * idf
        return out

    def _invert(self, inputs: Any) -> np.ndarray:
        ids = np.asarray(inputs)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"{self._owner} '{self.name}': invert=True takes integer indices.")
        vocab = self.get_vocabulary()
        flat = [vocab[i] if 0 <= i < len(vocab) else self.oov_token for i in ids.reshape(-1)]
        if self.mask_token is not None:
            flat = [self.mask_token if i == 0 else t for i, t in zip(ids.reshape(-1), flat)]
        return np.asarray(flat, dtype=str).reshape(ids.shape)

    def host_call(self, inputs: Any) -> np.ndarray:
        self._require_vocab()
        if self.invert:
            return self._invert(inputs)
        return self.encode(self.lookup_ids(to_str_array(inputs, self.encoding)))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        depth = self._depth()
        if self.output_mode == "one_hot":
            return (shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape) + (depth,)
        return shape[:-1] + (depth,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "mask_token": self.mask_token,
            "oov_token": self.oov_token,
            "vocabulary": None if self._tokens is None else list(self._tokens),
            "idf_weights": None if self._idf is None else self._idf.tolist(),
            "invert": self.invert,
            "output_mode": self.output_mode,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "sparse": self.sparse,
            "encoding": self.encoding,
        }


# --- TextVectorization ---------------------------------------------------------------------------
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


def standardize_text(texts: np.ndarray, standardize: Any) -> np.ndarray:
    """Keras's standardization: ASCII lower-casing (as ``tf.strings.lower``) and removal of
    ASCII punctuation; a callable gets (and returns) a numpy array of strings."""
    if callable(standardize):
        return to_str_array(standardize(texts))
    if standardize is None:
        return texts
    flat = texts.reshape(-1).tolist()
    if standardize in ("lower", "lower_and_strip_punctuation"):
        flat = [t.translate(_ASCII_LOWER) for t in flat]
    if standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
        flat = [_PUNCTUATION.sub("", t) for t in flat]
    return np.asarray(flat, dtype=str).reshape(texts.shape) if flat else texts


def split_text(texts: list[str], split: Any) -> list[list[str]]:
    """One token list per string: ASCII whitespace runs (``"whitespace"``), characters, or
    a callable taking the 1-D numpy array of strings and returning one token list each."""
    if split == "whitespace":
        return [[t for t in _ASCII_SPACE.split(s) if t] for s in texts]
    if split == "character":
        return [list(s) for s in texts]
    return [[str(t) for t in row] for row in split(np.asarray(texts, dtype=str))]


def ngram_tokens(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    """``tf.strings.ngrams``: all n-grams of each width in turn, joined by a space."""
    out: list[str] = []
    for w in widths:
        out.extend(" ".join(tokens[i : i + w]) for i in range(len(tokens) - w + 1))
    return out


class TextVectorization(_HostLayer):
    """Turns raw strings into token indices or bag-of-words encodings, on the host.

    Standardize (lower-case, strip punctuation) -> split (whitespace) -> n-grams -> look up
    the vocabulary (a :class:`StringLookup` with ``mask_token=""``). ``output_mode="int"``
    pads (with 0) or truncates each row to ``output_sequence_length`` (default: the longest
    row of the batch). Call it on data before the model: ``x = vectorize(texts)``.

    Args:
        max_tokens, standardize ("lower_and_strip_punctuation", "lower",
            "strip_punctuation", None or a callable on numpy strings), split ("whitespace",
            "character", None or a callable), ngrams (None, an int n for 1..n, or a tuple of
            widths), output_mode, output_sequence_length, pad_to_max_tokens, vocabulary,
            idf_weights, encoding: as in Keras.
        sparse, ragged: only False.

    Example:
        >>> v = TextVectorization(output_sequence_length=4)
        >>> v.adapt(["the cat sat", "the dog"])
        >>> v.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
        >>> v(np.array(["The dog sat!", "a cat"]))
        array([[2, 4, 3, 0],
               [1, 5, 0, 0]], dtype=int32)
    """

    _owner = "TextVectorization"

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: Any = "lower_and_strip_punctuation",
        split: Any = "whitespace",
        ngrams: Any = None,
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        vocabulary: Any = None,
        idf_weights: Any = None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        vocabulary_size: int | None = None,
        **kwargs: Any,
    ) -> None:
        owner = self._owner
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise _fail(
                owner,
                "standardize",
                f"None, a callable or one of {list(_STANDARDIZE)}",
                standardize,
            )
        if not (split is None or callable(split) or split in _SPLIT):
            raise _fail(owner, "split", f"None, a callable or one of {list(_SPLIT)}", split)
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        ok = (
            ngrams is None
            or (isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams > 0)
            or (
                isinstance(ngrams, tuple)
                and ngrams
                and all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in ngrams)
            )
        )
        if not ok:
            raise _fail(owner, "ngrams", "None, a positive int or a tuple of positive ints", ngrams)
        mode = _mode(owner, output_mode)
        if output_sequence_length is not None:
            if mode != "int":
                raise _fail(
                    owner,
                    "output_sequence_length",
                    "None unless output_mode='int'",
                    output_sequence_length,
                )
            if (
                isinstance(output_sequence_length, bool)
                or not isinstance(output_sequence_length, numbers.Integral)
                or output_sequence_length <= 0
            ):
                raise _fail(
                    owner,
                    "output_sequence_length",
                    "None or a positive int",
                    output_sequence_length,
                )
        if ragged:
            raise _fail(owner, "ragged", "False (ragged outputs are not supported)", ragged)
        super().__init__(**kwargs)
        del vocabulary_size
        self.standardize, self.split = standardize, split
        self.ngrams = ngrams
        self._widths = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_mode = mode
        self.output_sequence_length = (
            None if output_sequence_length is None else int(output_sequence_length)
        )
        self.ragged, self.encoding = False, encoding
        self._lookup = StringLookup(
            max_tokens=max_tokens,
            mask_token="",
            output_mode=mode,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            sparse=sparse,
            encoding=encoding,
            name=f"{self.name}_lookup",
        )
        self._lookup._owner = owner

    @property
    def max_tokens(self) -> int | None:
        return self._lookup.max_tokens

    @property
    def pad_to_max_tokens(self) -> bool:
        return self._lookup.pad_to_max_tokens

    # --- text -> tokens --------------------------------------------------------------------
    def _strings(self, inputs: Any) -> np.ndarray:
        texts = to_str_array(inputs, self.encoding)
        texts = standardize_text(texts, self.standardize)
        if self.split is not None and texts.ndim > 1:
            if texts.shape[-1] != 1:
                raise ValueError(
                    f"{self._owner} '{self.name}': to split strings the input must have rank 1 "
                    f"or a last dimension of 1; received shape {texts.shape}."
                )
            texts = texts[..., 0]
        return texts

    def _token_rows(self, texts: np.ndarray) -> list[list[str]]:
        rows = split_text(texts.reshape(-1).tolist(), self.split)
        if self._widths is not None:
            rows = [ngram_tokens(r, self._widths) for r in rows]
        return rows

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learns the vocabulary (and idf weights) from strings or batches of strings."""
        del batch_size
        docs: list[list[str]] = []
        for i, batch in enumerate(_batches(data)):
            if steps is not None and i >= steps:
                break
            texts = self._strings(batch)
            if self.split is None:
                texts = texts[None] if texts.ndim == 0 else texts
                texts = texts[:, None] if texts.ndim == 1 else texts
                rows = texts.reshape(texts.shape[0], -1).tolist()
                if self._widths is not None:
                    rows = [ngram_tokens(r, self._widths) for r in rows]
                docs.extend(rows)
            else:
                docs.extend(self._token_rows(texts[None] if texts.ndim == 0 else texts))
        self._lookup.adapt_documents(docs)

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Sets the vocabulary (and idf weights for ``tf_idf``) directly."""
        self._lookup.set_vocabulary(vocabulary, idf_weights)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """Tokens in index order (``""`` and ``"[UNK]"`` first in ``int`` mode)."""
        return self._lookup.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """Size of the vocabulary, padding and OOV indices included."""
        return self._lookup.vocabulary_size()

    # --- call ------------------------------------------------------------------------------
    def host_call(self, inputs: Any) -> np.ndarray:
        self._lookup._require_vocab()
        texts = self._strings(inputs)
        if self.split is None:
            return self._call_unsplit(texts)
        scalar = texts.ndim == 0
        rows = self._token_rows(texts[None] if scalar else texts)
        if self.output_mode == "int":
            out = self._pad([self._lookup.lookup_ids(np.asarray(r, str)) for r in rows])
            return out[0] if scalar else out
        width = max([len(r) for r in rows] + [1])
        ids = np.full((len(rows), width), _DROPPED, np.int32)
        for i, r in enumerate(rows):
            if r:
                ids[i, : len(r)] = self._lookup.lookup_ids(np.asarray(r, str))
        if self.output_mode == "one_hot":  # one row per token (Keras: batch, tokens, depth)
            depth = self._lookup._depth()
            out = (ids[..., None] == np.arange(depth)).astype(np.float32)
        else:
            out = self._lookup.encode(ids)
        return out[0] if scalar else out

    def _pad(self, rows: list[np.ndarray]) -> np.ndarray:
        length = self.output_sequence_length
        if length is None:
            length = max([len(r) for r in rows] + [0])
        out = np.zeros((len(rows), length), np.int32)
        for i, r in enumerate(rows):
            r = r[:length]
            out[i, : len(r)] = r
        return out

    def _call_unsplit(self, texts: np.ndarray) -> np.ndarray:
        if self._widths is not None and texts.ndim > 1:
            lead = texts.shape[:-1]
            rows = [
                ngram_tokens(r, self._widths) for r in texts.reshape(-1, texts.shape[-1]).tolist()
            ]
            ids = self._pad([self._lookup.lookup_ids(np.asarray(r, str)) for r in rows])
            ids = ids.reshape(lead + ids.shape[-1:])
        else:
            ids = self._lookup.lookup_ids(texts)
        if self.output_mode != "int":
            if ids.ndim <= 1:
                ids = ids.reshape(-1, 1)
            return self._lookup.encode(ids)
        if self.output_sequence_length is not None and ids.ndim > 1:
            length = self.output_sequence_length
            ids = ids[..., :length]
            pad = [(0, 0)] * (ids.ndim - 1) + [(0, length - ids.shape[-1])]
            ids = np.pad(ids, pad)
        return ids

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return (shape[0], self.output_sequence_length)
        if self.output_mode == "one_hot" and self.split is not None:
            return (shape[0], None, self._lookup._depth())
        return (shape[0], self._lookup._depth())

    def get_config(self) -> dict[str, Any]:
        lookup = self._lookup
        return {
            **super().get_config(),
            "max_tokens": lookup.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "ngrams": self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "vocabulary": None if lookup._tokens is None else list(lookup._tokens),
            "idf_weights": None if lookup._idf is None else lookup._idf.tolist(),
            "sparse": False,
            "ragged": False,
            "encoding": self.encoding,
        }
