"""Data sets with a Keras-style ``load_data()``.

``iris``, ``digits`` and ``diabetes`` ship inside jnn and load offline. ``mnist``,
``fashion_mnist``, ``cifar10``, ``cifar100``, ``imdb``, ``reuters``, ``boston_housing`` and
``california_housing`` are downloaded once from the locations Keras uses, checked against
Keras's hashes and cached under ``$JNN_HOME/datasets`` (default ``~/.jnn/datasets``); set
``JNN_DATASETS_BASE_URL`` (or pass ``base_url=``) to download from a mirror.

Example:
    >>> from jnn.datasets import iris
    >>> (x_train, y_train), (x_test, y_test) = iris.load_data()
    >>> x_train.dtype, y_train.dtype
    (dtype('float32'), dtype('int64'))
"""

from jnn.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    diabetes,
    digits,
    fashion_mnist,
    imdb,
    iris,
    mnist,
    reuters,
)

__all__ = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "diabetes",
    "digits",
    "fashion_mnist",
    "imdb",
    "iris",
    "mnist",
    "reuters",
]
