"""Conformance cases for ``keras.ops.image`` (collected by ``tests/ops/cases.py``)."""

from __future__ import annotations

import numpy as np

from tests.ops.cases import Case, arr

_rgb = arr((2, 5, 6, 3), low=0.0, high=1.0)
_rgb_cf = arr((2, 3, 5, 6), low=0.0, high=1.0)
_one = arr((5, 6, 3), low=0.0, high=1.0)
_int = arr((1, 4, 6, 2), "uint8", low=0.0, high=255.0)
_points = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 4.0], [5.0, 4.0]], "float32")
_moved = np.array([[0.5, 0.2], [4.5, 0.1], [0.3, 3.8], [4.9, 3.5]], "float32")


def _img(name: str, args: tuple, kwargs: dict | None = None, **extra) -> Case:
    return Case(name, args, kwargs or {}, module="image", **extra)


CASES = [
    _img("rgb_to_grayscale", (_rgb,)),
    _img("rgb_to_grayscale", (_rgb_cf,), {"data_format": "channels_first"}),
    _img("rgb_to_grayscale", (_int[..., :1],)),
    _img("rgb_to_hsv", (_rgb,)),
    _img("rgb_to_hsv", (_rgb_cf,), {"data_format": "channels_first"}),
    _img("hsv_to_rgb", (_rgb,)),
    _img("hsv_to_rgb", (_one,)),
    _img("resize", (_rgb, (3, 4))),
    _img("resize", (_rgb, (8, 9)), {"interpolation": "nearest"}),
    _img("resize", (_rgb, (3, 3)), {"interpolation": "bicubic", "antialias": True}),
    _img("resize", (_rgb, (4, 4)), {"interpolation": "lanczos3"}),
    _img("resize", (_one, (4, 2)), {"crop_to_aspect_ratio": True}),
    _img("resize", (_rgb, (3, 6)), {"crop_to_aspect_ratio": True}),
    _img("resize", (_rgb, (4, 2)), {"pad_to_aspect_ratio": True, "fill_value": 0.5}),
    _img("resize", (_rgb_cf, (3, 4)), {"data_format": "channels_first"}),
    _img("resize", (_int, (3, 3))),
    _img("pad_images", (_rgb, 1, 2), {"target_height": 8, "target_width": 9}),
    _img("pad_images", (_one,), {"bottom_padding": 1, "right_padding": 2,
                                 "target_height": 7, "target_width": 10}),
    _img("pad_images", (_rgb_cf, 1, 0, 2, 3), {"data_format": "channels_first"}),
    _img("crop_images", (_rgb, 1, 2), {"target_height": 3, "target_width": 3}),
    _img("crop_images", (_one,), {"bottom_cropping": 1, "right_cropping": 2,
                                  "target_height": 3, "target_width": 3}),
    _img("crop_images", (_rgb_cf, 1, 1, 1, 1), {"data_format": "channels_first"}),
    _img("map_coordinates", (arr((4, 5)), np.array([[0.5, 1.2, 3.9], [2.2, -0.5, 4.5]],
                                                    "float32"), 1)),
    *(_img("map_coordinates", (arr((4, 5)), np.array([[0.5, 1.2, 3.9, -1.0],
                                                       [2.2, -0.5, 4.5, 7.0]], "float32"),
                               order), {"fill_mode": mode, "fill_value": 0.5})
      for order in (0, 1) for mode in ("constant", "nearest", "wrap", "mirror", "reflect")),
    _img("affine_transform", (_rgb, np.array([[1.0, 0.2, 0.5, 0.1, 0.9, -0.3, 0, 0]] * 2,
                                             "float32"))),
    _img("affine_transform", (_rgb, np.array([[1.0, 0, 1, 0, 1, 0, 0, 0],
                                              [0.8, 0.1, 0, -0.1, 1.2, 1, 0, 0]], "float32")),
         {"interpolation": "nearest", "fill_mode": "reflect"}),
    _img("affine_transform", (_one, np.array([1.1, 0, -0.5, 0, 0.9, 0.5, 0, 0], "float32")),
         {"fill_mode": "wrap"}),
    _img("affine_transform", (_rgb_cf, np.array([[1.0, 0.2, 0.5, 0.1, 0.9, -0.3, 0, 0]] * 2,
                                                "float32")),
         {"data_format": "channels_first", "fill_value": 1.0, "fill_mode": "constant"}),
    _img("perspective_transform", (_rgb, np.stack([_points] * 2), np.stack([_moved, _points])),
         atol=1e-4),
    _img("perspective_transform", (_one, _points, _moved),
         {"interpolation": "nearest", "fill_value": 0.5}, atol=1e-4),
    _img("gaussian_blur", (_rgb,), {"data_format": "channels_last"}),
    _img("gaussian_blur", (_rgb,), {"kernel_size": (5, 3), "sigma": (2.0, 0.5),
                                    "data_format": "channels_last"}),
    _img("gaussian_blur", (_rgb_cf,), {"data_format": "channels_first"}),
    _img("extract_patches", (_rgb, 2)),
    _img("extract_patches", (_rgb, (2, 3)), {"strides": 1, "padding": "same"}),
    _img("extract_patches", (_one, 2), {"dilation_rate": 2, "strides": 1}),
    _img("extract_patches", (_rgb_cf, 2), {"data_format": "channels_first"}),
    _img("extract_patches", (arr((1, 4, 4, 4, 2)), (2, 2, 2))),
    _img("extract_patches_3d", (arr((1, 4, 4, 4, 2)), 2)),
    _img("extract_patches_3d", (arr((4, 5, 4, 1)), (2, 3, 2)), {"strides": 1}),
    _img("scale_and_translate", (arr((4, 5)), (6, 8), np.array([1.5, 1.6], "float32"),
                                 np.array([0.2, -0.3], "float32"), (0, 1), "linear")),
    _img("scale_and_translate", (_rgb, (2, 3, 4, 3), np.array([0.6, 0.7], "float32"),
                                 np.zeros(2, "float32"), (1, 2), "cubic"), {"antialias": False}),
    _img("sobel_edges", (_rgb,)),
    _img("sobel_edges", (_rgb_cf,), {"data_format": "channels_first"}),
    _img("ssim", (arr((2, 12, 12, 2), low=0.0, high=1.0), arr((2, 12, 12, 2), low=0.1,
                                                              high=0.9)), {"filter_size": 5}),
    _img("ssim", (arr((12, 13, 1), low=0.0, high=1.0), arr((12, 13, 1), low=0.2, high=1.0)),
         {"filter_size": 3, "filter_sigma": 1.0, "max_val": 2.0}),
    _img("elastic_transform", (_rgb,), {"seed": 3}, check_values=False),
]

NOT_COMPARED = {}
DIFFERS = {
    "elastic_transform": "random: the displacement field is drawn from jnn.random's keys, so "
                         "values differ from Keras's draw (shapes and dtypes are compared); "
                         "Keras also draws dx and dy from the same seed (identical fields), "
                         "jnn draws them independently.",
    "gaussian_blur": "with data_format=None, Keras 3.15's eager JAX path treats the images as "
                     "channels_first (it only standardizes data_format symbolically); jnn "
                     "reads None as channels_last, as Keras's symbolic path and docs do "
                     "(compared with an explicit data_format).",
    "affine_transform": "the projective terms c0, c1 divide the coordinates as documented "
                        "(Keras 3.15's JAX path adds c0/c1 times the channel index instead); "
                        "equal for affine transforms (c0 = c1 = 0), which the cases compare.",
}
