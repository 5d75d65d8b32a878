"""A small TensorBoard event-file writer on `tensorboard`'s own protobufs (no TensorFlow,
no tensorboardX): scalars, histograms, grey-scale images and text.

An event file is a sequence of TFRecords (length, masked CRC-32C of the length, the
serialized `Event`, masked CRC-32C of the data); TensorBoard picks up every file whose
name contains `tfevents`.
"""

from __future__ import annotations

import os
import socket
import struct
import time
import zlib
from typing import Any

import numpy as np

__all__ = ["EventWriter", "encode_png", "masked_crc32c"]

_MISSING = (
    "TensorBoard: writing event files needs the `tensorboard` package (for its protobufs), "
    "which is not installed. Install it with `pip install tensorboard` "
    "(or `pip install jnn[tensorboard]`)."
)


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()
_counter = 0


def masked_crc32c(data: bytes) -> int:
    """The masked CRC-32C (Castagnoli) that TFRecord framing uses.

    Example:
        >>> hex(masked_crc32c(b""))
        '0xa282ead8'
    """
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def encode_png(image: np.ndarray) -> bytes:
    """Encodes a `(H, W)` array of values in [0, 1] as an 8-bit grey-scale PNG.

    Example:
        >>> encode_png(np.zeros((2, 3)))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    pixels = np.clip(np.rint(np.asarray(image, np.float64) * 255), 0, 255).astype(np.uint8)
    height, width = pixels.shape
    rows = b"".join(b"\x00" + pixels[i].tobytes() for i in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _protos() -> tuple[Any, Any]:
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
    except ImportError as exc:
        raise ImportError(_MISSING) from exc
    return event_pb2, summary_pb2


class EventWriter:
    """Appends summaries to a new event file in `logdir`.

    Args:
        logdir: Directory (created if needed).

    Example:
        >>> import tempfile
        >>> writer = EventWriter(tempfile.mkdtemp())
        >>> writer.add_scalar("epoch_loss", 0.5, step=0); writer.close()
    """

    def __init__(self, logdir: str) -> None:
        global _counter
        self._event_pb2, self._summary_pb2 = _protos()
        os.makedirs(logdir, exist_ok=True)
        _counter += 1
        name = (
            f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}."
            f"{os.getpid()}.{_counter}.v2"
        )
        self.path = os.path.join(logdir, name)
        self._file = open(self.path, "wb")  # noqa: SIM115 - kept open while training
        self._write(self._event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))

    def _write(self, event: Any) -> None:
        data = event.SerializeToString()
        header = struct.pack("<Q", len(data))
        self._file.write(
            header
            + struct.pack("<I", masked_crc32c(header))
            + data
            + struct.pack("<I", masked_crc32c(data))
        )

    def _add(self, value: Any, step: int) -> None:
        summary = self._summary_pb2.Summary(value=[value])
        self._write(self._event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        """Writes one scalar point."""
        self._add(self._summary_pb2.Summary.Value(tag=tag, simple_value=float(value)), step)

    def add_histogram(self, tag: str, values: np.ndarray, step: int, bins: int = 30) -> None:
        """Writes a histogram of `values` (`bins` equal-width buckets)."""
        flat = np.asarray(values, np.float64).ravel()
        if flat.size == 0:
            return
        counts, edges = np.histogram(flat, bins=bins)
        histo = self._summary_pb2.HistogramProto(
            min=float(flat.min()), max=float(flat.max()), num=float(flat.size),
            sum=float(flat.sum()), sum_squares=float(np.dot(flat, flat)),
            bucket_limit=[float(e) for e in edges[1:]], bucket=[float(c) for c in counts],
        )  # fmt: skip
        self._add(self._summary_pb2.Summary.Value(tag=tag, histo=histo), step)

    def add_image(self, tag: str, image: np.ndarray, step: int) -> None:
        """Writes a `(H, W)` grey-scale image with values in [0, 1]."""
        height, width = np.shape(image)
        img = self._summary_pb2.Summary.Image(
            height=height, width=width, colorspace=1, encoded_image_string=encode_png(image)
        )
        self._add(self._summary_pb2.Summary.Value(tag=tag, image=img), step)

    def add_text(self, tag: str, text: str, step: int) -> None:
        """Writes markdown text (TensorBoard's TEXT tab)."""
        from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2

        meta = self._summary_pb2.SummaryMetadata(
            plugin_data=self._summary_pb2.SummaryMetadata.PluginData(plugin_name="text")
        )
        tensor = tensor_pb2.TensorProto(
            dtype=types_pb2.DT_STRING, string_val=[text.encode("utf-8")],
            tensor_shape=tensor_shape_pb2.TensorShapeProto(
                dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]
            ),
        )  # fmt: skip
        value = self._summary_pb2.Summary.Value(
            tag=f"{tag}/text_summary", metadata=meta, tensor=tensor
        )
        self._add(value, step)

    def flush(self) -> None:
        """Pushes written events to disk."""
        self._file.flush()

    def close(self) -> None:
        """Flushes and closes the file."""
        if not self._file.closed:
            self._file.close()
