"""TensorBoard callback driven by hand: batch scalars (update_freq), argument checks."""

import numpy as np
import pytest

from jnn._shell.callbacks.tensorboard import weight_image
from jnn.callbacks import TensorBoard

pytest.importorskip("tensorboard")


class Opt:
    learning_rate = 0.5


class FakeModel:
    optimizer = Opt()
    weights = []

    def summary(self, print_fn):
        print_fn("Model: fake")


def test_batch_scalars_every_update_freq(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    cb = TensorBoard(tmp_path, update_freq=2)
    assert cb._implements_train_batch_hooks() and not cb._chunk_batch_hooks
    cb.set_model(FakeModel())
    cb.on_train_begin()
    for epoch in range(2):
        cb.on_epoch_begin(epoch)
        for batch in range(3):
            cb.on_train_batch_end(batch, {"loss": float(10 * epoch + batch)})
        cb.on_epoch_end(epoch, {"loss": 1.0})
    cb.on_train_end()
    acc = EventAccumulator(str(tmp_path / "train"))
    acc.Reload()
    # Global batches 1..6; written at 2, 4, 6: epoch 0 batch 1, epoch 1 batches 0 and 2.
    assert [(e.step, e.value) for e in acc.Scalars("batch_loss")] == [
        (2, 1.0),
        (4, 10.0),
        (6, 12.0),
    ]
    assert [e.value for e in acc.Scalars("epoch_learning_rate")] == [0.5, 0.5]
    assert "keras/text_summary" in acc.Tags()["tensors"]  # write_graph: the model summary


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(update_freq=0), ValueError, "update_freq"),
        (dict(profile_batch=(3, 1)), ValueError, "profile_batch"),
        (dict(profile_batch="a,b"), ValueError, "profile_batch"),
        (dict(embeddings_freq=1), NotImplementedError, "embeddings_freq"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        TensorBoard(**kwargs)


def test_weight_images():
    assert weight_image(np.arange(4.0)).shape == (1, 1, 4, 1)
    img = weight_image(np.arange(6.0).reshape(2, 3))
    assert img.shape == (1, 2, 3, 1) and img.min() == 0.0 and img.max() == 1.0
    assert weight_image(np.zeros((3, 2, 4))).shape == (4, 3, 2, 1)  # Conv1D: per channel
    assert weight_image(np.zeros((3, 3, 2, 4))) is None


def test_event_writer_framing_and_images(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as reference

    from jnn._shell.callbacks.tensorboard_events import EventWriter, masked_crc32c

    for data in (b"", b"a", bytes(range(256)) * 3):
        assert masked_crc32c(data) == reference(data)
    image = np.array([[0.0, 0.5, 1.0], [1.0, 0.25, 0.0]])
    writer = EventWriter(str(tmp_path))
    writer.add_image("w/image", image, step=3)
    writer.add_histogram("w/histogram", np.arange(10.0), step=3, bins=5)
    writer.close()
    acc = EventAccumulator(str(tmp_path), size_guidance={"images": 0, "histograms": 0})
    acc.Reload()
    (event,) = acc.Images("w/image")
    assert (event.step, event.height, event.width) == (3, 2, 3)
    PIL = pytest.importorskip("PIL.Image")
    import io

    pixels = np.asarray(PIL.open(io.BytesIO(event.encoded_image_string)))
    np.testing.assert_array_equal(pixels, [[0, 128, 255], [255, 64, 0]])
    (hist,) = acc.Histograms("w/histogram")
    value = hist.histogram_value
    assert (value.min, value.max, value.num, value.sum) == (0.0, 9.0, 10.0, 45.0)
    assert list(value.bucket) == [2.0] * 5 and value.bucket_limit[-1] == 9.0
