"""Small data sets shipped inside jnn, loaded offline with a Keras-style ``load_data()``.

Example:
    >>> from jnn.datasets import iris
    >>> (x_train, y_train), (x_test, y_test) = iris.load_data()
    >>> x_train.dtype, y_train.dtype
    (dtype('float32'), dtype('int64'))
"""

from jnn.datasets import diabetes, digits, iris

__all__ = ["diabetes", "digits", "iris"]
