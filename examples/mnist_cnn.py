"""A small convolutional network for handwritten digits, as in tutorial 000's CNN slides.

Conv2D + MaxPooling2D + Dropout + Flatten + Dense, trained on the bundled 8x8 digits
(``keras.datasets.digits``, 1,797 scikit-learn images, pixel values 0..16) reshaped to
``(8, 8, 1)`` so it runs offline in seconds. ``--mnist`` trains the same model on the real
28x28 MNIST (``keras.datasets.mnist``, downloaded once); only the input shape changes to
``(28, 28, 1)``.

    python examples/mnist_cnn.py            # bundled 8x8 digits, offline
    python examples/mnist_cnn.py --mnist    # 60,000 MNIST images (download)

Example:
    >>> accuracy = main(epochs=2)  # doctest: +SKIP
"""

from __future__ import annotations

import sys

import numpy as np

import jnn as keras


def load_digits_images() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Returns the bundled digits as ``(n, 8, 8, 1)`` float32 images scaled to [0, 1]."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(flatten=False)
    x_train = (np.asarray(x_train, "float32") / 16.0).reshape(-1, 8, 8, 1)
    x_test = (np.asarray(x_test, "float32") / 16.0).reshape(-1, 8, 8, 1)
    return (x_train, y_train), (x_test, y_test)


def load_mnist_images() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Returns MNIST as ``(n, 28, 28, 1)`` float32 images scaled to [0, 1] (downloads once)."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = (np.asarray(x_train, "float32") / 255.0).reshape(-1, 28, 28, 1)
    x_test = (np.asarray(x_test, "float32") / 255.0).reshape(-1, 28, 28, 1)
    return (x_train, y_train), (x_test, y_test)


def build_model(
    filters: int = 32, dropout: float = 0.25, input_shape: tuple = (8, 8, 1)
) -> keras.Sequential:
    """Conv2D(filters, 3x3, relu) -> MaxPooling2D(2x2) -> Dropout -> Flatten -> Dense(softmax)."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(filters, kernel_size=(3, 3), activation="relu", padding="same"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(dropout),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )


def main(
    epochs: int = 12, batch_size: int = 32, filters: int = 32, seed: int = 0, mnist: bool = False
) -> float:
    """Trains the CNN, prints its summary and the test accuracy; returns the test accuracy."""
    keras.utils.set_random_seed(seed)
    load = load_mnist_images if mnist else load_digits_images
    (x_train, y_train), (x_test, y_test) = load()
    model = build_model(filters, input_shape=x_train.shape[1:])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test accuracy on {len(x_test)} held-out digits: {accuracy:.3f}")
    return float(accuracy)


if __name__ == "__main__":
    use_mnist = "--mnist" in sys.argv[1:]
    sys.exit(0 if main(epochs=2 if use_mnist else 12, mnist=use_mnist) > 0.9 else 1)
