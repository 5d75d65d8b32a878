"""scikit-learn wrappers (``keras.wrappers``): jnn models as scikit-learn estimators.

* Keras 3 names: :class:`SKLearnClassifier`, :class:`SKLearnRegressor`,
  :class:`SKLearnTransformer` (``model`` = a compiled model or ``model(X=, y=, **kwargs)``).
* Keras 2 names, as in the tutorials: ``KerasRegressor(build_fn, **sk_params)`` and
  ``KerasClassifier`` (also reachable as ``jnn.wrappers.scikit_learn.KerasRegressor``), whose
  ``build_fn`` hyperparameters are searchable by name.

scikit-learn is an optional dependency: ``pip install jnn[sklearn]``.

Example:
    >>> import jnn
    >>> jnn.wrappers.scikit_learn.KerasRegressor is jnn.wrappers.KerasRegressor
    True
"""

from jnn.wrappers import scikit_learn
from jnn.wrappers.scikit_learn import KerasClassifier, KerasRegressor
from jnn.wrappers.sklearn_wrapper import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer

__all__ = [
    "KerasClassifier",
    "KerasRegressor",
    "SKLearnClassifier",
    "SKLearnRegressor",
    "SKLearnTransformer",
    "scikit_learn",
]
