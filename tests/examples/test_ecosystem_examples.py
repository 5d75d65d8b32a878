"""Smoke tests of the ecosystem examples: scikit-learn / Optuna search and the GAN loop."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import jnn
from tests.examples.test_examples import load_example


def test_hyperparameter_search_runs_tutorial_002_cell(capsys):
    pytest.importorskip("sklearn")
    module = load_example("hyperparameter_search")
    result = module.main(n_iter=1, cv=2, epochs=2, use_optuna=False)
    assert set(result["best_params"]) == {"n_hidden", "n_neurons", "learning_rate"}
    assert result["best_score"] < 0 and result["test_mse"] > 0
    assert "RandomizedSearchCV best params" in capsys.readouterr().out
    best = result["search"].best_estimator_
    assert isinstance(best.model, jnn.Model)
    # search.fit(..., validation_data=..., callbacks=[EarlyStopping]) reached model.fit
    assert sorted(best.model.history.history) == ["loss", "val_loss"]
    assert best.history == best.model.history.history  # Keras 2: fit(...).history
    twin = pickle.loads(pickle.dumps(best))  # rebuilt from build_fn + the weights
    x_test = module.load_data()[2][0][:5]
    np.testing.assert_allclose(twin.predict(x_test), best.predict(x_test), rtol=1e-6)


def test_hyperparameter_search_with_optuna():
    pytest.importorskip("sklearn")
    pytest.importorskip("optuna")
    module = load_example("hyperparameter_search")
    study = module.optuna_search(module.load_data(), n_trials=1, epochs=1)
    assert set(study.best_params) == {"n_hidden", "n_neurons", "learning_rate"}


def test_research_loop_gan_learns_the_target_mean(capsys):
    jnn.backend.clear_session()
    stats = load_example("research_loop").main(steps=800, batch_size=64)
    assert abs(stats["mean"] - 3.0) < 0.5  # noise mean 0 -> samples around 3
    assert 0.35 < stats["std"] < 0.75  # and spread like N(3, 0.5) (0.50 after 800 steps)
    assert "generated samples" in capsys.readouterr().out
