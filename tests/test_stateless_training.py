"""Real TensorFlow: zoo repeats trained together under vectorized_map + XLA, against Keras' own `fit`.

Each compile of the trainer takes seconds, so windows are short (2 lags) and models tiny. The seed 004
examples (toy problems learned, the other architecture x framing pairs) are in test_seed004_examples.py.
"""

import keras
import numpy as np
import pytest

from lstm_tuning import datasets, framings, stateless_training
from lstm_tuning.config import DataConfig, TaskConfig, TrainConfig

from test_zoo import model_option

UNIVARIATE = DataConfig(source="seed004_univariate", target="seq", n_lags=2)
MULTIVARIATE = DataConfig(source="seed004_multiple_input", target="out", covariates=["in1", "in2"], n_lags=2)
UNIVARIATE_TASKS = ("univariate", "multistep_vector", "multistep_encoder_decoder")
# The seed's toy values are unscaled (up to 185); scaled to ~[0, 2] a few tanh epochs stay well-conditioned.
SCALE = 0.01


def toy_windows(task, n_out=1):
    data = UNIVARIATE if task in UNIVARIATE_TASKS else MULTIVARIATE
    return framings.frame(datasets.load(data) * SCALE, TaskConfig(task, n_out), data)


def trains_exactly_as_keras_fit(architecture, task, n_out):
    """Train 2 repeats for 2 epochs and check repeat 1 against Keras `fit` from the same initial weights."""
    windows = toy_windows(task, n_out)
    # regularised, so the penalties are part of the compared loss
    cfg = model_option(architecture, units=3, filters=3, kernel_size=1, pool_size=1, n_seq=2, n_steps=1,
                       activation="tanh", kernel_l1=0.01, recurrent_l2=0.01, bias_l2=0.01)
    batch_size = 4 if len(windows.X) % 4 else 3  # leaves a partial last batch
    train_cfg = TrainConfig(epochs=2, batch_size=batch_size, repeats=2, seed=3)
    reference = stateless_training.initial_members(cfg, train_cfg, *windows.X.shape[1:], *windows.y.shape[1:])[1]

    trained = stateless_training.train_stateless(cfg, train_cfg, windows.X, windows.y, shuffle=False, progress=False)

    reference.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss=cfg.loss, jit_compile=False)
    history = reference.fit(windows.X, windows.y, epochs=2, batch_size=batch_size, shuffle=False, verbose=0)
    for ours, keras_fit in zip(trained.models[1].get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, keras_fit, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trained.loss[:, 1], history.history["loss"], rtol=1e-5)
    assert not trained.diverged.any()
    assert trained.models[0](windows.X).shape == windows.y.shape


# one of the seed's pairs per architecture
@pytest.mark.parametrize("architecture, task, n_out", [
    ("vanilla", "multiple_input", 1),
    ("stacked", "multiple_input_multistep", 2),
    ("bidirectional", "univariate", 1),
    ("cnn_lstm", "univariate", 1),
    ("conv_lstm", "univariate", 1),
    ("encoder_decoder", "multiple_parallel_multistep", 2),
])
def test_each_architecture_trains_exactly_as_keras_fit(architecture, task, n_out):
    trains_exactly_as_keras_fit(architecture, task, n_out)


def test_predict_equals_each_members_own_forecast():
    windows = toy_windows("multiple_parallel_multistep", 2)
    cfg = model_option("encoder_decoder", units=3)
    trained = stateless_training.train_stateless(cfg, TrainConfig(epochs=1, batch_size=4, repeats=2, seed=3),
                                                 windows.X, windows.y, progress=False)
    forecasts = stateless_training.predict(trained.models, windows.X)
    assert forecasts.shape == (2, *windows.y.shape)
    for member, forecast in zip(trained.models, forecasts):
        np.testing.assert_allclose(forecast, member.predict(windows.X, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.fixture
def identical_initial_weights(monkeypatch):
    """Members start from repeat 0's weights but keep their own dropout seed states."""
    build = stateless_training.initial_members

    def same_weights(*args):
        members = build(*args)
        for member in members[1:]:
            for variable, first in zip(member.trainable_variables, members[0].trainable_variables):
                variable.assign(first)
        return members

    monkeypatch.setattr(stateless_training, "initial_members", same_weights)


def test_each_repeat_draws_its_own_dropout_masks(identical_initial_weights):
    windows = toy_windows("univariate")
    cfg = model_option("vanilla", units=3, dropout=0.5, recurrent_dropout=0.5)
    trained = stateless_training.train_stateless(cfg, TrainConfig(epochs=3, batch_size=4, repeats=2, seed=3),
                                                 windows.X, windows.y, shuffle=False, progress=False)
    # same start and same batches (test_each_architecture_trains_exactly_as_keras_fit: then same weights
    # without dropout): only their own dropout masks can make the repeats differ
    first, second = (m.get_weights()[0] for m in trained.models)
    assert not np.array_equal(first, second)


def test_shuffled_cnn_lstm_training_is_reproducible():
    windows = toy_windows("univariate")
    cfg = model_option("cnn_lstm", units=3, filters=3, pool_size=1, n_seq=2, n_steps=1)
    run = lambda: stateless_training.predict(  # noqa: E731
        stateless_training.train_stateless(cfg, TrainConfig(epochs=3, batch_size=2, repeats=2, seed=5),
                                           windows.X, windows.y, progress=False).models,
        windows.X,
    )
    first = run()
    np.testing.assert_array_equal(first, run())
    assert not np.allclose(first[0], first[1]), "repeats must differ"


def test_a_diverging_repeat_is_stopped_and_reported():
    windows = toy_windows("univariate")
    cfg = model_option("vanilla", units=3, optimizer="sgd", learning_rate=1e30)
    trained = stateless_training.train_stateless(cfg, TrainConfig(epochs=3, batch_size=4, repeats=2, seed=3),
                                                 windows.X, windows.y, progress=False)
    assert trained.diverged.all() and np.isnan(trained.loss[-1]).all()
    assert all(np.isfinite(w).all() for m in trained.models for w in m.get_weights())
