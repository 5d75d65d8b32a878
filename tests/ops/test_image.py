"""jnn._core.ops.image beyond the conformance table: jit / grad / vmap, the documented
projective transform, elastic_transform's seeding, data_format=None, error messages."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jnn._core.ops import image

_rng = np.random.default_rng(0)
_rgb = jnp.asarray(_rng.uniform(size=(2, 5, 6, 3)), jnp.float32)


def test_colour_round_trip_under_vmap():
    back = jax.vmap(lambda im: image.hsv_to_rgb(image.rgb_to_hsv(im)))(_rgb)
    np.testing.assert_allclose(back, _rgb, atol=1e-5)


def test_resize_and_transforms_differentiate_under_jit():
    shift = jnp.array([1.0, 0.1, 0.3, 0.0, 1.0, -0.2, 0.0, 0.0])

    @jax.jit
    def loss(im):
        small = image.resize(im, (3, 4), interpolation="bicubic", antialias=True)
        moved = image.affine_transform(im, jnp.stack([shift, shift]))
        return jnp.sum(small**2) + jnp.sum(moved**2) + jnp.sum(image.gaussian_blur(im) ** 2)

    grad = jax.grad(loss)(_rgb)
    assert grad.shape == _rgb.shape and np.isfinite(grad).all() and float(jnp.abs(grad).sum()) > 0


def test_affine_transform_projective_terms_divide_the_coordinates():
    img = jnp.arange(15.0).reshape(1, 3, 5, 1)  # value = 5 * row + col
    c0 = 0.2
    out = image.affine_transform(img, jnp.array([[1.0, 0, 0, 0, 1.0, 0, c0, 0]]),
                                 interpolation="nearest", fill_value=-1.0)
    ys, xs = np.meshgrid(np.arange(3), np.arange(5), indexing="ij")
    k = c0 * xs + 1.0
    rows, cols = np.round(ys / k).astype(int), np.round(xs / k).astype(int)
    np.testing.assert_array_equal(out[0, ..., 0], 5 * rows + cols)


def test_elastic_transform_is_seeded():
    a = image.elastic_transform(_rgb, seed=1)
    np.testing.assert_array_equal(a, image.elastic_transform(_rgb, seed=1))
    assert not np.allclose(a, image.elastic_transform(_rgb, seed=2))
    still = image.elastic_transform(_rgb, alpha=0.0, seed=1)  # no displacement
    np.testing.assert_allclose(still, _rgb, atol=1e-6)


def test_data_format_none_is_channels_last():
    np.testing.assert_array_equal(image.gaussian_blur(_rgb),
                                  image.gaussian_blur(_rgb, data_format="channels_last"))
    first = image.gaussian_blur(jnp.moveaxis(_rgb, -1, 1), data_format="channels_first")
    np.testing.assert_allclose(jnp.moveaxis(first, 1, -1), image.gaussian_blur(_rgb),
                               atol=1e-6)


@pytest.mark.parametrize("call, message", [
    (lambda: image.resize(_rgb, (2, 2), interpolation="area"), "interpolation"),
    (lambda: image.resize(_rgb, (2,)), "size"),
    (lambda: image.resize(_rgb, (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
     "only one"),
    (lambda: image.resize(_rgb[0, 0], (2, 2)), "rank 3"),
    (lambda: image.pad_images(_rgb, 1, 1), "exactly two"),
    (lambda: image.pad_images(_rgb, 1, 1, target_height=2, target_width=9), ">= 0"),
    (lambda: image.crop_images(_rgb, 1, 1, target_height=9, target_width=2), "fit"),
    (lambda: image.affine_transform(_rgb, jnp.ones(6)), "transform"),
    (lambda: image.affine_transform(_rgb, jnp.ones(8), fill_mode="edge"), "fill_mode"),
    (lambda: image.map_coordinates(jnp.ones((3, 3)), jnp.ones((3, 2)), 1), "rank of"),
    (lambda: image.map_coordinates(jnp.ones((3, 3)), jnp.ones((2, 2)), 3), "order"),
    (lambda: image.rgb_to_hsv(jnp.ones((2, 2, 3), "int32")), "float"),
    (lambda: image.rgb_to_grayscale(jnp.ones((2, 2, 2))), "channels"),
    (lambda: image.perspective_transform(_rgb, jnp.ones((3, 2)), jnp.ones((3, 2))), "(4, 2)"),
    (lambda: image.extract_patches(_rgb, (1, 2, 3, 4)), "size"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
