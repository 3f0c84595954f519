"""Real TensorFlow training: the vectorised trainer against Keras' own stateful fit/predict (the seed)."""

import numpy as np
import pytest

from lstm_tuning import training
from lstm_tuning.config import ModelConfig, TrainConfig
from lstm_tuning.data import load_series
from lstm_tuning.transforms import Scaling, difference
from lstm_tuning.windows import frame

from conftest import SHAMPOO


@pytest.fixture(scope="module")
def shampoo_rows():
    """The seed's 20 trimmed training rows and 12 test rows, scaled."""
    diffs = difference(load_series(SHAMPOO, "Month", "Sales").to_numpy(), 1)
    scaled = Scaling.fit(diffs[1:-12]).transform(diffs)
    X, y, _ = frame(scaled, 1)
    return X[2:22], y[2:22], X[22:]


def seed_harness(model, X, y, epochs, batch_size):
    """The seed 002 training loop, ported to Keras 3: fit one epoch at a time, reset state after each."""
    model.compile(loss="mean_squared_error", optimizer="adam")
    X3 = X.reshape(len(X), 1, X.shape[1])
    for _ in range(epochs):
        model.fit(X3, y, epochs=1, batch_size=batch_size, verbose=0, shuffle=False)
        model.layers[0].reset_states()
    return model


@pytest.mark.parametrize(
    "units, batch_size, penalties",
    [(1, 4, {}), (3, 2, {}), (3, 4, {"kernel_l1": 0.01, "kernel_l2": 0.01, "recurrent_l2": 0.001})],
)
def test_each_repeat_trains_exactly_as_the_seed_harness(shampoo_rows, units, batch_size, penalties):
    X, y, _ = shampoo_rows
    model_cfg = ModelConfig(units=units, **penalties)
    train_cfg = TrainConfig(epochs=6, batch_size=batch_size, repeats=3, seed=3)
    reference = training.initial_members(model_cfg, train_cfg, n_features=1)
    initial = [m.get_weights() for m in reference]
    assert not np.allclose(initial[0][0], initial[1][0]), "repeats must start from different weights"

    trained = training.train(model_cfg, train_cfg, X, y, progress=False)

    for r in (0, 2):
        seed_harness(reference[r], X, y, train_cfg.epochs, batch_size)
        for ours, keras_fit in zip(trained.models[r].get_weights(), reference[r].get_weights()):
            np.testing.assert_allclose(ours, keras_fit, rtol=1e-5, atol=1e-6)


def test_walk_forward_forecast_equals_keras_stateful_predict(shampoo_rows):
    X, y, X_test = shampoo_rows
    trained = training.train(ModelConfig(units=2), TrainConfig(epochs=5, repeats=2, seed=1), X, y, progress=False)
    ours = training.forecast(trained.models, X, X_test)
    assert ours.shape == (2, 12)
    for r, model in enumerate(trained.models):
        model.layers[0].reset_states()
        model.predict(X.reshape(-1, 1, 1), batch_size=4, verbose=0)  # build up state, as the seed does
        seed = model.predict(X_test.reshape(-1, 1, 1), batch_size=4, verbose=0)[:, 0]
        np.testing.assert_allclose(ours[r], seed, rtol=1e-5, atol=1e-6)


def test_padding_a_partial_last_batch_does_not_change_forecasts(shampoo_rows):
    X, y, X_test = shampoo_rows
    trained = training.train(ModelConfig(units=2), TrainConfig(epochs=3, repeats=2, seed=1), X, y, progress=False)
    full = training.forecast(trained.models, X, X_test)
    partial = training.forecast(trained.models, X, X_test[:10])
    np.testing.assert_array_equal(partial, full[:, :10])


def test_short_training_loss_falls(shampoo_rows):
    X, y, _ = shampoo_rows
    trained = training.train(ModelConfig(units=4), TrainConfig(epochs=60, repeats=4, seed=0), X, y, progress=False)
    assert trained.loss.shape == (60, 4)
    assert np.all(trained.loss[-1] < trained.loss[0])


def test_same_seed_same_result_other_seed_other_result(shampoo_rows):
    X, y, X_test = shampoo_rows
    run = lambda seed: training.forecast(  # noqa: E731
        training.train(ModelConfig(), TrainConfig(epochs=10, repeats=3, seed=seed), X, y, progress=False).models,
        X, X_test,
    )
    first, again, other = run(11), run(11), run(12)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


@pytest.fixture(scope="module")
def shampoo_with_validation():
    """16 training rows, 6 validation and 12 test rows; the scaler fit on the training part only."""
    diffs = difference(load_series(SHAMPOO, "Month", "Sales").to_numpy(), 1)
    X, y, _ = frame(Scaling.fit(diffs[1:-18]).transform(diffs), 1)
    return X[:16], y[:16], training.Held(X[16:22], y[16:22], X[22:], y[22:])


def test_checkpoints_record_the_walk_forward_error_evaluate_would_measure(shampoo_with_validation):
    X, y, held = shampoo_with_validation
    cfg = TrainConfig(epochs=45, repeats=3, seed=2, checkpoint_every=20)
    trained = training.train(ModelConfig(units=2), cfg, X, y, held, progress=False)
    np.testing.assert_array_equal(trained.checkpoint_epochs, [20, 40, 45])
    forecasts = training.forecast(trained.models, X, np.concatenate([held.X_val, held.X_test]))
    val_mse = ((forecasts[:, :6] - held.y_val) ** 2).mean(axis=1)
    test_mse = ((forecasts[:, 6:] - held.y_test) ** 2).mean(axis=1)
    np.testing.assert_allclose(trained.checkpoint_mse[-1, :, 1], val_mse, rtol=1e-4)
    np.testing.assert_allclose(trained.checkpoint_mse[-1, :, 2], test_mse, rtol=1e-4)
    assert (trained.best_epoch == 0).all()  # no early stopping asked for


def test_early_stopping_keeps_each_repeats_best_validation_weights(shampoo_with_validation):
    X, y, held = shampoo_with_validation
    cfg = TrainConfig(epochs=600, repeats=4, seed=2, checkpoint_every=10, early_stopping=5)
    trained = training.train(ModelConfig(units=3), cfg, X, y, held, progress=False)
    forecasts = training.forecast(trained.models, X, held.X_val)
    val_mse = ((forecasts - held.y_val) ** 2).mean(axis=1)
    for r in range(cfg.repeats):
        recorded = trained.checkpoint_mse[:, r, 1]
        best = trained.checkpoint_epochs.tolist().index(trained.best_epoch[r])
        assert recorded[best] == np.nanmin(recorded[: best + cfg.early_stopping + 1])
        np.testing.assert_allclose(val_mse[r], recorded[best], rtol=1e-4)
    stopped = np.isnan(trained.loss[-1])
    assert stopped.any(), "with patience 5 over 60 checkpoints some repeat should stop early"


def test_dropout_draws_independent_masks_per_repeat_reproducibly(shampoo_rows):
    X, y, X_test = shampoo_rows
    dropout = ModelConfig(units=3, dropout=0.4, recurrent_dropout=0.2)
    members = training.initial_members(dropout, TrainConfig(repeats=3, seed=5), n_features=1)
    seed_states = training.stack_non_trainable(members)[0]
    assert len({tuple(state) for state in seed_states}) == 3, "each repeat needs its own dropout seed"

    def run(model_cfg):
        trained = training.train(model_cfg, TrainConfig(epochs=15, repeats=3, seed=5), X, y, progress=False)
        return training.forecast(trained.models, X, X_test)

    first, again, without = run(dropout), run(dropout), run(ModelConfig(units=3))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, without)
