"""Real TensorFlow training: ordered batches with carried state against Keras' own stateful fit/predict
(the seed 002 harness)."""

import signal

import numpy as np
import pytest
from helpers import (
    PARAMS,
    fit_alone,
    held_part,
    load_config,
    model_params,
    option_params,
    training_part,
    windows_in_memory,
)

from lstm_tuning import config, errors, training
from lstm_tuning.models.base import Shape
from lstm_tuning.training import carried_state, core
from lstm_tuning.training.backend import tf


@pytest.fixture(scope="module")
def shampoo():
    """The window stage's arrays for the defaults: 22 training windows (the seed trims 2), 12 test windows."""
    return windows_in_memory(config.load([], PARAMS))


@pytest.fixture(scope="module")
def shampoo_with_validation():
    """16 training windows, 6 validation and 12 test; the scaler fit on the training part only."""
    return windows_in_memory(config.load(["data.val_size=6"], PARAMS))


def train_cfg(**values):
    return option_params("train", "default", **values)


def seed_harness(model, X, y, epochs, batch_size):
    """The seed 002 training loop, ported to Keras 3: fit one epoch at a time, reset state after each."""
    model.compile(loss="mean_squared_error", optimizer="adam")
    for _ in range(epochs):
        model.fit(X, y, epochs=1, batch_size=batch_size, verbose=0, shuffle=False)
        model.layers[0].reset_states()
    return model


def trimmed(windows, batch_size, fit=0):
    """The seed's training rows: the oldest dropped until the batch size divides them."""
    X, y = training_part(windows, fit)
    dropped = len(X) % batch_size
    return X[dropped:], y[dropped:, 0]


TEST_YEAR = 24  # the first row of Shampoo's test year


@pytest.mark.parametrize(
    "units, batch_size, penalties",
    [(1, 4, {}), pytest.param(3, 2, {}, marks=pytest.mark.slow),
     pytest.param(3, 4, {"kernel_l1": 0.01, "kernel_l2": 0.01, "recurrent_l2": 0.001}, marks=pytest.mark.slow)],
)
def test_each_repeat_trains_exactly_as_the_seed_harness(shampoo, units, batch_size, penalties):
    params = model_params("stateful_lstm", units=units, **penalties)
    cfg = train_cfg(epochs=6, batch_size=batch_size, repeats=3, seed=3)
    reference = core.initial_members(params, cfg, Shape(1, 1, 1, 1, batch_size))
    initial = [m.get_weights() for m in reference]
    assert not np.allclose(initial[0][0], initial[1][0]), "repeats must start from different weights"

    trained = training.train(params, cfg, shampoo, progress=False)

    X, y = trimmed(shampoo, batch_size)
    for r in (0, 2):
        seed_harness(reference[r], X.reshape(len(X), 1, -1), y, cfg.epochs, batch_size)
        for ours, keras_fit in zip(trained.models[r].get_weights(), reference[r].get_weights()):
            np.testing.assert_allclose(ours, keras_fit, rtol=1e-5, atol=1e-6)


def test_walk_forward_forecast_equals_keras_stateful_predict(shampoo):
    trained = training.train(model_params("stateful_lstm", units=2), train_cfg(epochs=5, repeats=2, seed=1), shampoo,
                             progress=False)
    X, _ = trimmed(shampoo, 4)
    X_test = held_part(shampoo, TEST_YEAR)[0]
    ours = training.forecast(trained.models, X, X_test)
    assert ours.shape == (2, 12, 1, 1)
    for r, model in enumerate(trained.models):
        model.layers[0].reset_states()
        model.predict(X.reshape(-1, 1, 1), batch_size=4, verbose=0)  # build up state, as the seed does
        seed = model.predict(X_test.reshape(-1, 1, 1), batch_size=4, verbose=0)[:, 0]
        np.testing.assert_allclose(ours[r, :, 0, 0], seed, rtol=1e-5, atol=1e-6)


def test_the_forecasts_train_records_are_those_of_the_trained_models(shampoo_with_validation):
    """Evaluate scores the final forecasts train records instead of loading the models: they must agree."""
    windows = shampoo_with_validation
    cfg = train_cfg(epochs=45, repeats=3, seed=2, checkpoint_every=20)
    trained = training.train(model_params("stateful_lstm", units=2), cfg, windows, progress=False)
    np.testing.assert_array_equal(trained.checkpoint_epochs, [20, 40, 45])
    X, _ = trimmed(windows, 4)
    held, _, chosen = held_part(windows, TEST_YEAR - 6)
    walked = training.forecast(trained.models, X, held)
    np.testing.assert_allclose(trained.forecasts[0][:, chosen], walked, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(trained.forecasts, trained.checkpoint_forecasts[-1])
    assert (trained.best_epoch == 0).all()  # no early stopping asked for


def test_padding_a_partial_last_batch_does_not_change_forecasts(shampoo):
    trained = training.train(model_params("stateful_lstm", units=2), train_cfg(epochs=3, repeats=2, seed=1), shampoo,
                             progress=False)
    X, _ = trimmed(shampoo, 4)
    X_test = held_part(shampoo, TEST_YEAR)[0]
    full = training.forecast(trained.models, X, X_test)
    partial = training.forecast(trained.models, X, X_test[:10])
    np.testing.assert_array_equal(partial, full[:, :10])


def test_short_training_loss_falls(shampoo):
    trained = training.train(model_params("stateful_lstm", units=4), train_cfg(epochs=60, repeats=4, seed=0), shampoo,
                             progress=False)
    assert trained.loss.shape == (60, 1, 4)
    assert np.all(trained.loss[-1] < trained.loss[0])


@pytest.mark.slow  # the fast tier checks each repeat against the seed harness bit for bit
def test_same_seed_same_result_other_seed_other_result(shampoo):
    def run(seed):
        cfg = train_cfg(epochs=10, repeats=3, seed=seed)
        return training.train(model_params("stateful_lstm"), cfg, shampoo, progress=False).forecasts

    first, again, other = run(11), run(11), run(12)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_early_stopping_keeps_each_repeats_best_validation_weights(shampoo_with_validation):
    windows = shampoo_with_validation
    cfg = train_cfg(epochs=600, repeats=4, seed=2, checkpoint_every=10, early_stopping=5)
    trained = training.train(model_params("stateful_lstm", units=3), cfg, windows, progress=False)
    X_val, y_val, val = held_part(windows, TEST_YEAR - 6, TEST_YEAR)
    np.testing.assert_array_equal(val, windows["stop"])  # the early-stopping check: the validation windows
    recorded = ((trained.checkpoint_forecasts[:, 0][:, :, val, 0, 0] - y_val[:, 0, 0]) ** 2).mean(axis=2)
    walked = training.forecast(trained.models, trimmed(windows, 4)[0], X_val)
    val_mse = ((walked[..., 0, 0] - y_val[:, 0, 0]) ** 2).mean(axis=1)
    for r in range(cfg.repeats):
        best = trained.checkpoint_epochs.tolist().index(trained.best_epoch[0, r])
        assert recorded[best, r] == np.nanmin(recorded[: best + cfg.early_stopping + 1, r])
        np.testing.assert_allclose(val_mse[r], recorded[best, r], rtol=1e-4)
    stopped = np.isnan(trained.loss[-1])
    assert stopped.any(), "with patience 5 over 60 checkpoints some repeat should stop early"


@pytest.mark.slow  # early stopping is checked fast by test_early_stopping_keeps_each_repeats_best_validation_weights
def test_with_early_stopping_the_final_fit_keeps_the_epoch_each_repeat_chose_on_validation():
    windows = windows_in_memory(config.load(["data.val_size=6"], PARAMS), final_fit=True)
    params = model_params("stateful_lstm", units=3)
    cfg = train_cfg(epochs=600, repeats=4, seed=2, checkpoint_every=10, early_stopping=5)
    trained = training.train(params, cfg, windows, progress=False)
    # the final fit has trained on the validation rows: it follows the holdout fit's choice, repeat by repeat
    np.testing.assert_array_equal(trained.best_epoch[1], trained.best_epoch[0])
    np.testing.assert_array_equal(np.isnan(trained.loss[:, 1]), np.isnan(trained.loss[:, 0]))  # and stops with it
    assert (trained.best_epoch[0] < 600).any()
    # the backtest's fit trains exactly as it would without the final fit beside it
    alone = training.train(params, cfg, fit_alone(windows, 0), progress=False)
    np.testing.assert_array_equal(trained.checkpoint_forecasts[:, 0], alone.checkpoint_forecasts[:, 0])
    np.testing.assert_array_equal(trained.best_epoch[0], alone.best_epoch[0])


@pytest.mark.slow  # dropout's random ops make the program several times slower to compile
def test_dropout_draws_independent_masks_per_repeat_reproducibly(shampoo):
    dropout = model_params("stateful_lstm", units=3, dropout=0.4, recurrent_dropout=0.2)
    members = core.initial_members(dropout, train_cfg(repeats=3, seed=5), Shape(1, 1, 1, 1, 4))
    seed_states = core.stack_non_trainable(members)[0]
    assert len({tuple(state) for state in seed_states}) == 3, "each repeat needs its own dropout seed"

    def run(params):
        return training.train(params, train_cfg(epochs=15, repeats=3, seed=5), shampoo, progress=False).forecasts

    first, again, without = run(dropout), run(dropout), run(model_params("stateful_lstm", units=3))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, without)


def test_a_diverging_repeat_is_stopped_without_touching_the_others(shampoo):
    # plain SGD at learning rate 1 on a linear LSTM sits at the edge of stability on Shampoo: with these
    # seeds some repeats diverge and some do not (deterministic on CPU)
    params = model_params("stateful_lstm", units=16, activation="linear", optimizer="sgd", learning_rate=1.0)
    trained = training.train(params, train_cfg(epochs=100, repeats=8, seed=1), shampoo, progress=False)
    diverged = trained.diverged[0]
    assert 0 < diverged.sum() < 8
    assert np.isnan(trained.loss[-1, 0, diverged]).all()
    assert np.isfinite(trained.loss[:, 0, ~diverged]).all()
    for model in trained.models:  # diverged repeats keep their last finite weights
        assert all(np.isfinite(w).all() for w in model.get_weights())


def test_trimming_drops_the_oldest_rows_to_a_multiple_of_the_batch_size():
    assert carried_state.trim_to_batches(22, 4) == 2  # the seed's train_scaled[2:]
    assert carried_state.trim_to_batches(22, 1) == 0
    assert carried_state.trim_to_batches(20, 4) == 0


@pytest.fixture(scope="module")
def shampoo_expanding(tmp_path_factory):
    """An expanding backtest over the test year, refit at every origin: 12 fits on 10 to 21 training windows
    (so 3, 2, 1 or none of the oldest dropped to whole batches of 4)."""
    return windows_in_memory(load_config(tmp_path_factory.mktemp("expanding"), ["backtest=expanding"]))


@pytest.mark.slow  # four programs; the fast tier checks fits trained together in test_shuffled.py
def test_every_fit_trains_together_exactly_as_it_would_alone(shampoo_expanding):
    windows = shampoo_expanding
    params = model_params("stateful_lstm", units=2, dropout=0.2)
    cfg = train_cfg(epochs=12, repeats=3, seed=4, checkpoint_every=4)
    together = training.train(params, cfg, windows, progress=False)
    assert together.checkpoint_forecasts.shape == (3, 12, 3, 34, 1, 1)
    for fit in (0, 5, 11):  # 2, 3 and 5 batches of 4 per epoch: three optimizer groups
        alone = training.train(params, cfg, fit_alone(windows, fit), progress=False)
        np.testing.assert_array_equal(together.checkpoint_forecasts[:, fit], alone.checkpoint_forecasts[:, 0])
        np.testing.assert_array_equal(together.loss[:, fit], alone.loss[:, 0])
    for ours, its in zip(together.models, alone.models):  # the models kept are the last fit's (11)
        for a, b in zip(ours.get_weights(), its.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_an_interrupt_caught_on_its_way_still_stops_training(monkeypatch):
    """A SIGTERM that library code swallows (TensorFlow tracing, say) stops the loop at the next chunk."""
    monkeypatch.setattr(errors, "_interrupts", [])
    calls = []

    def run_epochs(first, n):
        calls.append(int(first))
        if len(calls) == 2:
            try:
                errors._interrupt(signal.SIGTERM, None)
            except KeyboardInterrupt:
                pass  # as code that catches everything would
        return (tf.zeros((int(n), 1)),)  # the losses (a recording program returns more beside them)

    with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
        core.run_in_chunks(run_epochs, epochs=10, chunk=2, repeats=1, progress=False)
    assert calls == [0, 2]


def test_each_checkpoint_is_handed_over_as_training_reaches_it(shampoo):
    seen = []
    trained = training.train(model_params("stateful_lstm", units=2), train_cfg(epochs=45, repeats=2, seed=1,
                             checkpoint_every=10), shampoo, progress=False,
                             on_checkpoint=lambda epoch, forecasts: seen.append((epoch, forecasts)))
    assert [epoch for epoch, _ in seen] == [10, 20, 30, 40, 45] == list(trained.checkpoint_epochs)
    for i, (_, forecasts) in enumerate(seen):
        np.testing.assert_array_equal(forecasts, trained.checkpoint_forecasts[i])


def test_an_exception_from_a_checkpoint_stops_training(shampoo):
    class Stop(Exception):
        pass

    def stop_at_20(epoch, _):
        if epoch == 20:
            raise Stop

    with pytest.raises(Stop):
        training.train(model_params("stateful_lstm", units=2), train_cfg(epochs=1000, repeats=2, checkpoint_every=10),
                       shampoo, progress=False, on_checkpoint=stop_at_20)
