"""The `TensorBoard` callback: event files TensorBoard reads, written without TensorFlow.

Scalars go to `log_dir/train` and `log_dir/validation` (Keras 3 tags: `epoch_loss`,
`epoch_accuracy`, `epoch_learning_rate`, `batch_loss`, `evaluation_loss_vs_iterations`),
weight histograms to `train` as `<weight path>/histogram`. Event files are written by
`jnn._shell.callbacks.tensorboard_events` on the `tensorboard` package's protobufs
(`pip install jnn[tensorboard]`); profiling uses `jax.profiler` and writes its trace
under `log_dir/train/plugins/profile`, which TensorBoard's profile plugin reads.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np

from jnn._shell.callbacks.base import Callback
from jnn._shell.callbacks.monitor import current_learning_rate
from jnn._shell.callbacks.tensorboard_events import EventWriter

__all__ = ["TensorBoard"]


def _parse_profile_batch(profile_batch: Any) -> tuple[int, int]:
    message = (
        "TensorBoard: profile_batch must be a non-negative integer or 2-tuple of positive "
        f"integers. A pair of positive integers signifies a range of batches to profile. "
        f"Found: {profile_batch!r}"
    )
    if isinstance(profile_batch, str):
        try:
            profile_batch = [int(p) for p in profile_batch.split(",")]
        except ValueError:
            raise ValueError(message) from None
    if isinstance(profile_batch, (int, np.integer)) and not isinstance(profile_batch, bool):
        start = stop = int(profile_batch)
    elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
        start, stop = (int(p) for p in profile_batch)
    else:
        raise ValueError(message)
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop


def weight_image(value: np.ndarray) -> np.ndarray | None:
    """A weight as a batch of grey images `(N, H, W, 1)` scaled to [0, 1], or None.

    Example:
        >>> weight_image(np.arange(6.0).reshape(3, 2)).shape
        (1, 2, 3, 1)
    """
    img = np.squeeze(np.asarray(value, np.float32))
    if img.ndim == 1:
        img = img.reshape(1, 1, img.shape[0], 1)
    elif img.ndim == 2:
        if img.shape[0] > img.shape[1]:
            img = img.T
        img = img.reshape(1, img.shape[0], img.shape[1], 1)
    elif img.ndim == 3:  # conv kernels, channels last: one image per channel
        img = np.transpose(img, (2, 0, 1))[..., None]
    else:
        return None
    low, high = float(img.min()), float(img.max())
    return (img - low) / (high - low) if high > low else np.zeros_like(img)


def _tile(images: np.ndarray) -> np.ndarray:
    """`(N, H, W, 1)` images side by side (1-pixel gaps) as one `(H, N * (W + 1) - 1)`."""
    n, h, w, _ = images.shape
    out = np.zeros((h, n * (w + 1) - 1), images.dtype)
    for i in range(n):
        out[:, i * (w + 1) : i * (w + 1) + w] = images[i, :, :, 0]
    return out


class TensorBoard(Callback):
    """Writes logs for TensorBoard: scalars, weight histograms and images, profiles.

    Args:
        log_dir: Root directory; runs write to `log_dir/train` and `log_dir/validation`.
        histogram_freq: Every how many epochs to write weight histograms (0: never).
        write_graph: Write the model's text summary (tab TEXT) at the start of training.
            (TensorBoard's graph tab needs a TensorFlow graph, which jnn does not have.)
        write_images: Also write weights as images when writing histograms.
        write_steps_per_second: Also log training steps per second each epoch.
        update_freq: `"epoch"`, `"batch"` or an int N: also write `batch_*` scalars every
            N batches (this asks the engine for every step's logs, which costs speed).
        profile_batch: Batch (or `(start, stop)` range, 1-based) to profile with
            `jax.profiler`; 0 disables. Batches run in fused chunks, so the trace starts at
            the chunk boundary at or before `start` and stops at the first boundary at or
            after `stop`.
        embeddings_freq: Unsupported (must be 0).
        embeddings_metadata: Unsupported (must be None).

    Example:
        >>> cb = TensorBoard(log_dir="logs", histogram_freq=1)
        >>> cb.log_dir, cb.histogram_freq
        ('logs', 1)
    """

    def __init__(
        self,
        log_dir: str | os.PathLike = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: Any = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: Any = None,
    ) -> None:
        super().__init__()
        if embeddings_freq or embeddings_metadata is not None:
            raise NotImplementedError(
                "TensorBoard: `embeddings_freq`/`embeddings_metadata` (the projector) are not "
                "supported by jnn; pass embeddings_freq=0."
            )
        if update_freq not in ("epoch", "batch") and (
            not isinstance(update_freq, int) or isinstance(update_freq, bool) or update_freq <= 0
        ):
            raise ValueError(
                "TensorBoard: argument `update_freq` must be 'epoch', 'batch' or a positive "
                f"int, received {update_freq!r}."
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._start_batch, self._stop_batch = _parse_profile_batch(profile_batch)
        self._should_trace = not (self._start_batch == 0 and self._stop_batch == 0)
        self._is_tracing = False
        self._writers: dict[str, Any] = {}
        self._global_train_batch = 0
        self._epoch_batches = 0
        self._epoch_start_time = 0.0
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")

    @property
    def _chunk_batch_hooks(self) -> bool:
        return self.update_freq == "epoch"  # batch scalars need every step's logs

    def _implements_batch_hooks(self, mode: str) -> bool:
        return mode == "train" and (self.update_freq != "epoch" or self._should_trace)

    def _writer(self, name: str) -> Any:
        if name not in self._writers:
            path = self._train_dir if name == "train" else self._val_dir
            self._writers[name] = EventWriter(path)
        return self._writers[name]

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- hooks -------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._writer("train")
        if self.write_graph:
            self._write_model_summary()
        if self._should_trace and self._start_batch <= 1:
            self._start_trace()

    def on_train_end(self, logs=None):
        if self._is_tracing:
            self._stop_trace()
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_batches = 0
        if self.write_steps_per_second:
            import time

            self._epoch_start_time = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch - self._epoch_batches + batch + 1
        self._epoch_batches = batch + 1
        self._global_train_batch = step
        if self.update_freq != "epoch" and step % self.update_freq == 0:
            writer = self._writer("train")
            for name, value in (logs or {}).items():
                if np.ndim(value) == 0:
                    writer.add_scalar(f"batch_{name}", float(value), step)
        if not self._should_trace:
            return
        if self._is_tracing and step >= self._stop_batch:
            self._stop_trace()
            self._should_trace = False
        elif not self._is_tracing and step + 1 >= self._start_batch:
            self._start_trace()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    def on_test_end(self, logs=None):
        step = self._iterations()
        if step is None or not logs:
            return
        writer = self._writer("val")
        for name, value in logs.items():
            writer.add_scalar(f"evaluation_{name}_vs_iterations", float(value), step)
        writer.flush()

    # -- writing -----------------------------------------------------------------------

    def _iterations(self) -> int | None:
        ts = getattr(self.model, "__dict__", {}).get("_train_state")
        return None if ts is None else int(ts.step)

    def _log_epoch_metrics(self, epoch: int, logs: dict[str, Any]) -> None:
        if not logs:
            return
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        try:
            train.setdefault("learning_rate", current_learning_rate(self.model))
        except (ValueError, TypeError, AttributeError):
            pass
        if self.write_steps_per_second and self._epoch_batches:
            import time

            elapsed = max(time.perf_counter() - self._epoch_start_time, 1e-9)
            train["steps_per_second"] = self._epoch_batches / elapsed
        for name, values in (("train", train), ("val", val)):
            if not values:
                continue
            writer = self._writer(name)
            for key, value in values.items():
                if np.ndim(value) == 0:
                    writer.add_scalar(f"epoch_{key}", float(value), epoch)
            writer.flush()

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for weight in self.model.weights:
            name = weight.path.replace(":", "_")
            value = np.asarray(weight.numpy(), np.float32)
            writer.add_histogram(f"{name}/histogram", value, epoch)
            if self.write_images:
                img = weight_image(value)
                if img is not None:
                    writer.add_image(f"{name}/image", _tile(img), epoch)
        writer.flush()

    def _write_model_summary(self) -> None:
        lines: list[str] = []
        try:
            self.model.summary(print_fn=lines.append)
        except Exception as exc:  # noqa: BLE001 - a summary must never stop training
            logging.warning("TensorBoard: could not write the model summary: %s", exc)
            return
        text = "\n".join(lines)
        self._writer("train").add_text("keras", "    " + text.replace("\n", "\n    "), 0)

    def _start_trace(self) -> None:
        import jax

        try:
            jax.profiler.start_trace(self._train_dir)
            self._is_tracing = True
        except Exception as exc:  # noqa: BLE001 - profiling is best effort, as in Keras
            logging.error("TensorBoard: failed to start the profiler: %s", exc)
            self._should_trace = False

    def _stop_trace(self) -> None:
        import jax

        try:
            jax.profiler.stop_trace()
        except Exception as exc:  # noqa: BLE001
            logging.error("TensorBoard: failed to stop the profiler: %s", exc)
        self._is_tracing = False
