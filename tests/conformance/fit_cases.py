"""One tiny model, data and optimizer list shared by the fit conformance test and its generator.

Both frameworks start from the same NumPy weights, see the same batches in the same order
(``shuffle=False``, a padded last batch) and train 3 epochs. Half the optimizers train with
``sample_weight``, the other half with ``class_weight`` (Keras refuses both at once).
"""

from __future__ import annotations

import numpy as np

N, IN, HIDDEN, CLASSES = 14, 3, 4, 3
EPOCHS, BATCH = 3, 4
CLASS_WEIGHT = {0: 0.5, 1: 2.0, 2: 1.0}

# (case id, Keras class name, constructor kwargs, weighting)
CASES = [
    ("sgd_momentum", "SGD", {"learning_rate": 0.1, "momentum": 0.9}, "sample_weight"),
    ("sgd_nesterov", "SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}, "class_weight"),
    ("rmsprop", "RMSprop", {"learning_rate": 0.01}, "sample_weight"),
    ("rmsprop_centered", "RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.5}, "class_weight"),
    ("adagrad", "Adagrad", {"learning_rate": 0.1}, "sample_weight"),
    ("adadelta", "Adadelta", {"learning_rate": 1.0}, "class_weight"),
    ("adam", "Adam", {"learning_rate": 0.02}, "sample_weight"),
    ("adam_amsgrad", "Adam", {"learning_rate": 0.02, "amsgrad": True}, "class_weight"),
    ("adamax", "Adamax", {"learning_rate": 0.02}, "sample_weight"),
    ("nadam", "Nadam", {"learning_rate": 0.02}, "class_weight"),
    ("adamw", "AdamW", {"learning_rate": 0.02, "weight_decay": 0.1}, "sample_weight"),
]  # fmt: skip


def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs, integer labels and per-sample weights (fixed seed)."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(N, IN)).astype("float32")
    y = rng.integers(0, CLASSES, N)
    return x, y, rng.uniform(0.2, 2.0, N).astype("float32")


def initial_weights() -> list[np.ndarray]:
    """Keras-ordered weights: kernel, bias of each Dense (nonzero biases on purpose)."""
    rng = np.random.default_rng(5)
    shapes = [(IN, HIDDEN), (HIDDEN,), (HIDDEN, CLASSES), (CLASSES,)]
    return [rng.normal(scale=0.5, size=s).astype("float32") for s in shapes]


def build(api) -> object:
    """The model with ``api`` = ``keras`` or ``jnn``: Dense(relu) -> Dense(softmax)."""
    layers = api.layers
    return api.Sequential(
        [
            api.Input((IN,)),
            layers.Dense(HIDDEN, activation="relu"),
            layers.Dense(CLASSES, activation="softmax"),
        ]
    )


def run(api, case: tuple) -> dict:
    """Compile, fit 3 epochs, evaluate; return History, evaluate logs, weights and counts."""
    _, cls, kwargs, weighting = case
    x, y, sw = data()
    model = build(api)
    model.set_weights(initial_weights())
    model.compile(getattr(api.optimizers, cls)(**kwargs), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])  # fmt: skip
    fit_kw = (
        {"sample_weight": sw} if weighting == "sample_weight" else {"class_weight": CLASS_WEIGHT}
    )
    history = model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, shuffle=False, verbose=0, **fit_kw)
    evaluated = model.evaluate(
        x, y, sample_weight=sw, batch_size=BATCH, verbose=0, return_dict=True
    )
    return {
        "history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
        "evaluate": {k: float(v) for k, v in evaluated.items()},
        "weights": [np.asarray(w).tolist() for w in model.get_weights()],
        "count_params": int(model.count_params()),
    }
