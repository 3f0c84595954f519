"""Keras 3 models.

The saved model is the seed 002 network exactly: a stateful LSTM over one timestep whose features are
the lags, then Dense(1). Training and walk-forward forecasting run its *step twin*: the same layers with
the LSTM state passed in and returned explicitly, so the state can be carried by the compiled loop.
"""

from __future__ import annotations

import keras

from lstm_tuning.config import ModelConfig


def _regularizer(l1: float, l2: float) -> keras.regularizers.Regularizer | None:
    return keras.regularizers.L1L2(l1=l1, l2=l2) if l1 or l2 else None


def build_stateful(cfg: ModelConfig, batch_size: int, n_features: int) -> keras.Model:
    lstm = keras.layers.LSTM(
        cfg.units,
        activation=cfg.activation,
        dropout=cfg.dropout,
        recurrent_dropout=cfg.recurrent_dropout,
        kernel_regularizer=_regularizer(cfg.kernel_l1, cfg.kernel_l2),
        recurrent_regularizer=_regularizer(cfg.recurrent_l1, cfg.recurrent_l2),
        bias_regularizer=_regularizer(cfg.bias_l1, cfg.bias_l2),
        stateful=True,
        # one timestep, and XLA cannot compile the RNN's internal while loop under vectorized_map
        unroll=True,
    )
    return keras.Sequential(
        [keras.Input(batch_shape=(batch_size, 1, n_features)), lstm, keras.layers.Dense(1)], name=cfg.name
    )


def step_twin(model: keras.Model) -> keras.Model:
    """[x, h, c] -> [y, h', c'] with the weights layout of the stateful `model`."""
    lstm, dense = model.layers
    batch_size, _, n_features = model.input_shape
    x = keras.Input(batch_shape=(batch_size, 1, n_features))
    h = keras.Input(batch_shape=(batch_size, lstm.units))
    c = keras.Input(batch_shape=(batch_size, lstm.units))
    lstm_step = keras.layers.LSTM.from_config(lstm.get_config() | {"stateful": False, "return_state": True})
    output, h_next, c_next = lstm_step(x, initial_state=[h, c])
    return keras.Model([x, h, c], [keras.layers.Dense.from_config(dense.get_config())(output), h_next, c_next])


def state_size(model: keras.Model) -> int:
    return model.layers[0].units


def make_optimizer(cfg: ModelConfig) -> keras.optimizers.Optimizer:
    return type(keras.optimizers.get(cfg.optimizer))(learning_rate=cfg.learning_rate)
