"""The feed itself (no model, no compilation): chunks, padding, masks, passes and epochs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import jnn
from jnn._shell.training import feeding


def _prepare(x, y, sw):
    return x, y, sw


def _feed(source, steps=None, shuffle=False):
    return feeding.Feed(feeding.IteratorAdapter(source), _prepare, steps=steps, shuffle=shuffle)


def _epoch(feed, k):
    out = []
    for dev, local, mask, first, real in feed.chunks(None, None, k):
        x = np.asarray(dev[0])
        out.append((x[np.asarray(local)][:real, :, 0], np.asarray(mask)[:real], first, real))
    return out


class Numbered(jnn.utils.Sequence):
    """Batch i holds rows with value i; the last batch (index 4) has 1 row."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.ends = 0

    def __len__(self):
        return 5

    def __getitem__(self, i):
        n = 1 if i == 4 else 3
        return np.full((n, 1), i, np.float32), np.zeros((n, 1), np.float32)

    def on_epoch_end(self):
        self.ends += 1


def test_chunks_pad_the_smaller_last_batch_and_mask_it():
    feed = _feed(Numbered())
    k = feed.chunk_size(2)
    assert k == 2 and feed.batch_size == 3 and not feed.skip_empty
    chunks = _epoch(feed, k)
    assert [c[2:] for c in chunks] == [(0, 2), (2, 2), (4, 1)]  # the short pass: a 1-step chunk
    values, mask = chunks[-1][0], chunks[-1][1]
    assert values.tolist() == [[4.0, 0.0, 0.0]] and mask.tolist() == [[1.0, 0.0, 0.0]]
    assert chunks[0][0].tolist() == [[0, 0, 0], [1, 1, 1]]


def test_sequence_shuffle_threads_and_epoch_end():
    seq = Numbered(workers=3, max_queue_size=2)
    feed = _feed(seq, shuffle=True)
    k = feed.chunk_size(5)
    orders = []
    for _ in range(3):
        rows = np.concatenate([c[0] for c in _epoch(feed, k)])
        orders.append(tuple(int(r[0]) for r in rows))
    assert all(sorted(o) == [0, 1, 2, 3, 4] for o in orders)
    assert len(set(orders)) > 1 and seq.ends == 3


def test_steps_per_epoch_reads_one_pass_across_epochs_as_keras():
    feed = _feed(Numbered(), steps=2)
    k = feed.chunk_size("auto")
    seen = [[int(r[0]) for c in _epoch(feed, k) for r in c[0]] for _ in range(2)]
    assert seen == [[0, 1], [2, 3]]
    with pytest.warns(UserWarning, match="ran out of data"):
        third = [int(r[0]) for c in _epoch(feed, k) for r in c[0]]
    assert third == [4] and not feed.exhausted  # a Sequence restarts; only generators stop
    assert [int(r[0]) for c in _epoch(feed, k) for r in c[0]] == [0, 1]


def test_unknown_length_pass_uses_masked_padding_steps():
    def gen():
        for i in range(3):
            yield np.full((2, 1), i, np.float32), np.zeros((2, 1), np.float32)

    feed = _feed(gen())
    k = feed.chunk_size(2)
    assert feed.skip_empty and feed.num_batches is None
    chunks = list(feed.chunks(None, None, k))
    assert [c[4] for c in chunks] == [2, 1]
    assert np.asarray(chunks[-1][2]).tolist() == [[1.0, 1.0], [0.0, 0.0]]  # padded step: mask 0
    with pytest.warns(UserWarning, match="ran out of data"):
        assert list(feed.chunks(None, None, k)) == []
    assert feed.exhausted


def test_producer_errors_surface_in_the_caller():
    def gen():
        yield np.ones((2, 1), np.float32), np.ones((2, 1), np.float32)
        raise RuntimeError("disk on fire")

    feed = _feed(gen())
    with pytest.raises(RuntimeError, match="disk on fire"), warnings.catch_warnings():
        warnings.simplefilter("error")
        list(feed.chunks(None, None, feed.chunk_size(4)))


def test_is_iterator_input():
    assert not feeding.is_iterator_input(np.ones(3))
    assert not feeding.is_iterator_input([1, 2])
    assert not feeding.is_iterator_input("data.csv")
    assert feeding.is_iterator_input(iter([1]))
    assert feeding.is_iterator_input(Numbered())
