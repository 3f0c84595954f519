"""Real TensorFlow: shuffled-batch repeats trained together under vectorized_map + XLA, against Keras' own
`fit`, for every architecture that carries no state.

Each compile of the trainer takes seconds, so windows are short (2 lags) and models tiny, and the fast tier
checks each behaviour once: the rest of the architectures, the seed 004 guide's other architecture x framing
pairs and its toy problems learned are marked slow.
"""

import dataclasses

import keras
import numpy as np
import pytest
from helpers import ARITHMETIC, SUMMED, data_params, fit_alone, model_params, option_params, task_params

from lstm_tuning import training
from lstm_tuning.data import backtest, framings, sources, transforms
from lstm_tuning.models.base import Shape
from lstm_tuning.training import core, shuffled

UNIVARIATE = data_params(**ARITHMETIC, n_lags=2)
MULTIVARIATE = data_params(**SUMMED, n_lags=2)
UNIVARIATE_TASKS = ("univariate", "multistep_vector", "multistep_encoder_decoder")
# The seed's toy values are unscaled (up to 185); scaled to ~[0, 2] a few tanh epochs stay well-conditioned.
SCALE = 0.01


def toy_windows(task, n_out=1, data=None, scale=SCALE):
    """Every window of a seed 004 toy as training windows (none held out), as the window stage names them."""
    data = data or (UNIVARIATE if task in UNIVARIATE_TASKS else MULTIVARIATE)
    cut = framings.frame(sources.load(data) * scale, task_params(task, n_out), data)
    return {"X": cut.X[None], "y": cut.y[None], "first_rows": cut.target_rows, "train": np.ones((1, len(cut.X)), bool),
            "stop": np.zeros(len(cut.X), bool)}


def train_cfg(**values):
    return option_params("train", "default", **values)


def trains_exactly_as_keras_fit(architecture, task, n_out):
    """Train 2 repeats for 2 epochs and check repeat 1 against Keras `fit` from the same initial weights."""
    windows = toy_windows(task, n_out)
    X, y = windows["X"][0], windows["y"][0]
    # regularised, so the penalties are part of the compared loss
    params = model_params(architecture, units=3, filters=3, kernel_size=1, pool_size=1, n_steps=1,
                          activation="tanh", kernel_l1=0.01, recurrent_l2=0.01, bias_l2=0.01)
    batch_size = 4 if len(X) % 4 else 3  # leaves a partial last batch
    cfg = train_cfg(epochs=2, batch_size=batch_size, repeats=2, seed=3)
    reference = core.initial_members(params, cfg, Shape(*X.shape[1:], *y.shape[1:]))[1]

    trained = shuffled.train(params, cfg, windows, shuffle=False, progress=False)

    # eagerly: tracing fit's step would take longer than these few batches
    reference.compile(optimizer=keras.optimizers.Adam(params.learning_rate), loss=params.loss, run_eagerly=True)
    history = reference.fit(X, y, epochs=2, batch_size=batch_size, shuffle=False, verbose=0)
    for ours, keras_fit in zip(trained.models[1].get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, keras_fit, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trained.loss[:, 0, 1], history.history["loss"], rtol=1e-5)
    assert not trained.diverged.any()
    assert trained.models[0](X).shape == y.shape


# one of the seed's pairs per architecture; the fast tier keeps the plainest and the one with pooling
@pytest.mark.parametrize("architecture, task, n_out", [
    ("vanilla", "multiple_input", 1),
    pytest.param("stacked", "multiple_input_multistep", 2, marks=pytest.mark.slow),
    pytest.param("bidirectional", "univariate", 1, marks=pytest.mark.slow),
    ("cnn_lstm", "univariate", 1),
    pytest.param("conv_lstm", "univariate", 1, marks=pytest.mark.slow),
    pytest.param("encoder_decoder", "multiple_parallel_multistep", 2, marks=pytest.mark.slow),
])
def test_each_architecture_trains_exactly_as_keras_fit(architecture, task, n_out):
    trains_exactly_as_keras_fit(architecture, task, n_out)


@pytest.mark.slow  # the carried-state twin checks this hand-over in the fast tier
def test_forecasts_equal_each_members_own_and_those_train_records():
    windows = toy_windows("multiple_parallel_multistep", 2)
    trained = training.train(model_params("encoder_decoder", units=3), train_cfg(epochs=1, batch_size=4, repeats=2,
                                                                                 seed=3), windows, progress=False)
    X = windows["X"][0]
    forecasts = training.forecast(trained.models, X[:0], X)
    assert forecasts.shape == (2, *windows["y"][0].shape)
    for member, forecast in zip(trained.models, forecasts):
        np.testing.assert_allclose(forecast, member.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trained.forecasts[0], forecasts, rtol=1e-5, atol=1e-6)


@pytest.fixture
def identical_initial_weights(monkeypatch):
    """Members start from repeat 0's weights but keep their own dropout seed states."""
    build = shuffled.initial_members

    def same_weights(*args):
        members = build(*args)
        for member in members[1:]:
            for variable, first in zip(member.trainable_variables, members[0].trainable_variables):
                variable.assign(first)
        return members

    monkeypatch.setattr(shuffled, "initial_members", same_weights)


@pytest.mark.slow  # dropout programs compile slowly; the fits-together test runs dropout in the fast tier
def test_each_repeat_draws_its_own_dropout_masks(identical_initial_weights):
    params = model_params("vanilla", units=3, dropout=0.5, recurrent_dropout=0.5)
    trained = shuffled.train(params, train_cfg(epochs=3, batch_size=4, repeats=2, seed=3), toy_windows("univariate"),
                             shuffle=False, progress=False)
    # same start and same batches (test_each_architecture_trains_exactly_as_keras_fit: then same weights
    # without dropout): only their own dropout masks can make the repeats differ
    first, second = (m.get_weights()[0] for m in trained.models)
    assert not np.array_equal(first, second)


@pytest.mark.slow
def test_shuffled_cnn_lstm_training_is_reproducible():
    params = model_params("cnn_lstm", units=3, filters=3, pool_size=1, n_steps=1)

    def run():
        cfg = train_cfg(epochs=3, batch_size=2, repeats=2, seed=5)
        return training.train(params, cfg, toy_windows("univariate"), progress=False).forecasts

    first = run()
    np.testing.assert_array_equal(first, run())
    assert not np.allclose(first[0, 0], first[0, 1]), "repeats must differ"


@pytest.mark.slow  # the carried-state twin checks it in the fast tier
def test_a_diverging_repeat_is_stopped_and_reported():
    params = model_params("vanilla", units=3, optimizer="sgd", learning_rate=1e30)
    trained = training.train(params, train_cfg(epochs=3, batch_size=4, repeats=2, seed=3), toy_windows("univariate"),
                             progress=False)
    assert trained.diverged.all() and np.isnan(trained.loss[-1]).all()
    assert all(np.isfinite(w).all() for m in trained.models for w in m.get_weights())


# the seed 004 guide's other architecture x framing pairs
@pytest.mark.slow
@pytest.mark.parametrize("architecture, task, n_out", [
    ("vanilla", "univariate", 1),
    ("stacked", "univariate", 1),
    ("stacked", "multiple_parallel", 1),
    ("stacked", "multistep_vector", 2),
    ("encoder_decoder", "multistep_encoder_decoder", 2),
])
def test_the_seeds_other_pairs_train_exactly_as_keras_fit(architecture, task, n_out):
    trains_exactly_as_keras_fit(architecture, task, n_out)


def seed_toy_forecasts(data, task, query):
    """The seed's vanilla LSTM (conf/model/vanilla.yaml: 50 relu units, Adam, MSE), 200 epochs of fit's
    default batches, on the unscaled toy data as the seed: 3 repeats' forecasts for `query`."""
    windows = toy_windows(task, data=dataclasses.replace(data, n_lags=3), scale=1)
    trained = training.train(model_params("vanilla"), train_cfg(epochs=200, batch_size=32, repeats=3, seed=1),
                             windows, progress=False)
    return training.forecast(trained.models, None, np.array([query], "float32"))[:, 0, 0, 0]


@pytest.mark.slow
def test_the_seeds_univariate_toy_is_learned():
    forecasts = seed_toy_forecasts(UNIVARIATE, "univariate", [[70], [80], [90]])
    np.testing.assert_allclose(forecasts, 100, atol=5)  # the seed printed 102.09


@pytest.mark.slow
def test_the_seeds_multiple_input_toy_is_learned():
    forecasts = seed_toy_forecasts(MULTIVARIATE, "multiple_input", [[80, 85], [90, 95], [100, 105]])
    np.testing.assert_allclose(forecasts, 205, atol=10)  # the seed printed 208.14


def test_every_fit_trains_together_exactly_as_it_would_alone():
    """A sliding backtest of the seed's univariate toy: fits whose training windows differ in number (one
    optimizer group each, so one group skips a batch every epoch), with dropout and shuffling."""
    data = data_params(**ARITHMETIC, length=30, n_lags=2, val_size=0, test_size=6)
    series = sources.load(data) * SCALE
    plan = backtest.plan(option_params("backtest", "expanding", refit_every=2), len(series), 0, 6, "series")
    scaled, _ = transforms.transform(series, data, plan, "series")
    windows = framings.split_windows(scaled, task_params("univariate"), data, plan, "transformed")
    assert sorted(set(windows["train"].sum(axis=1))) == [21, 23, 25]  # 6, 6 and 7 batches of 4
    params = model_params("vanilla", units=3, dropout=0.3)
    cfg = train_cfg(epochs=4, batch_size=4, repeats=2, seed=3, checkpoint_every=2)
    together = training.train(params, cfg, windows, progress=False)
    for fit in (0, len(plan.fits) - 1):  # the fewest and the most training windows
        alone = training.train(params, cfg, fit_alone(windows, fit), progress=False)
        np.testing.assert_array_equal(together.checkpoint_forecasts[:, fit], alone.checkpoint_forecasts[:, 0])
        np.testing.assert_allclose(together.loss[:, fit], alone.loss[:, 0], rtol=1e-6)


@pytest.mark.slow  # the carried-state twin checks it in the fast tier
def test_each_checkpoint_is_handed_over_as_training_reaches_it():
    seen = []
    trained = training.train(model_params("vanilla", units=3), train_cfg(epochs=5, batch_size=4, repeats=2, seed=3,
                             checkpoint_every=2), toy_windows("univariate"), progress=False,
                             on_checkpoint=lambda epoch, forecasts: seen.append((epoch, forecasts)))
    assert [epoch for epoch, _ in seen] == [2, 4, 5] == list(trained.checkpoint_epochs)
    for i, (_, forecasts) in enumerate(seen):
        np.testing.assert_array_equal(forecasts, trained.checkpoint_forecasts[i])
