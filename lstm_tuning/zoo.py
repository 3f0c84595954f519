"""The seed 004 guide's architectures as Keras 3 models, their hyperparameters taken from `ModelConfig`.

Convention: every model maps a window [n_lags, n_features] to a forecast [n_out, n_targets] (one row per
forecast step, one column per target series), whatever the architecture or framing. Models that read
the window in another layout (CNN-LSTM's subsequences, ConvLSTM's frames) reshape it inside the model, so
every framing feeds every model the same arrays. Vector-output models end in Dense(n_out x n_targets)
reshaped to that forecast; the encoder-decoder produces it row by row.

Recurrent layers are unrolled: windows are short, and XLA cannot compile an RNN's internal while loop
under `tf.vectorized_map`, which trains the repeats together (`stateless_training`).
"""

from __future__ import annotations

import keras
from keras import layers

from lstm_tuning.config import ModelConfig


def build(cfg: ModelConfig, n_lags: int, n_features: int, n_out: int, n_targets: int) -> keras.Model:
    window = keras.Input((n_lags, n_features), name="window")
    if cfg.name == "encoder_decoder":
        forecast = _encoder_decoder(cfg, window, n_out, n_targets)
    else:
        encoding = _ENCODERS[cfg.name](cfg, window)
        forecast = layers.Reshape((n_out, n_targets))(layers.Dense(n_out * n_targets)(encoding))
    return keras.Model(window, forecast, name=cfg.name)


def _l1_l2(l1: float, l2: float) -> keras.regularizers.Regularizer | None:
    return keras.regularizers.L1L2(l1=l1, l2=l2) if l1 or l2 else None


def _recurrent_options(cfg: ModelConfig) -> dict:
    """What every LSTM-bearing layer takes from the config: the seed 002 extensions."""
    return {
        "activation": cfg.activation,
        "dropout": cfg.dropout,
        "recurrent_dropout": cfg.recurrent_dropout,
        "kernel_regularizer": _l1_l2(cfg.kernel_l1, cfg.kernel_l2),
        "recurrent_regularizer": _l1_l2(cfg.recurrent_l1, cfg.recurrent_l2),
        "bias_regularizer": _l1_l2(cfg.bias_l1, cfg.bias_l2),
        "unroll": True,
    }


def _lstm(cfg: ModelConfig, return_sequences: bool = False) -> layers.LSTM:
    return layers.LSTM(cfg.units, return_sequences=return_sequences, **_recurrent_options(cfg))


def _vanilla(cfg: ModelConfig, window):
    return _lstm(cfg)(window)


def _stacked(cfg: ModelConfig, window):
    sequence = window
    for _ in range(cfg.layers - 1):
        sequence = _lstm(cfg, return_sequences=True)(sequence)
    return _lstm(cfg)(sequence)


def _bidirectional(cfg: ModelConfig, window):
    return layers.Bidirectional(_lstm(cfg))(window)


def _cnn_lstm(cfg: ModelConfig, window):
    subsequences = layers.Reshape((cfg.n_seq, cfg.n_steps, window.shape[-1]))(window)
    read = layers.TimeDistributed(layers.Conv1D(cfg.filters, cfg.kernel_size, activation=cfg.activation))(subsequences)
    read = layers.TimeDistributed(layers.MaxPooling1D(cfg.pool_size))(read)
    return _lstm(cfg)(layers.TimeDistributed(layers.Flatten())(read))


def _conv_lstm(cfg: ModelConfig, window):
    # frames of 1 row x n_steps columns: [n_seq, rows, columns, features], as the seed reshapes its samples
    frames = layers.Reshape((cfg.n_seq, 1, cfg.n_steps, window.shape[-1]))(window)
    return layers.Flatten()(layers.ConvLSTM2D(cfg.filters, (1, cfg.kernel_size), **_recurrent_options(cfg))(frames))


def _encoder_decoder(cfg: ModelConfig, window, n_out: int, n_targets: int):
    repeated = layers.RepeatVector(n_out)(_lstm(cfg)(window))
    decoded = _lstm(cfg, return_sequences=True)(repeated)
    return layers.TimeDistributed(layers.Dense(n_targets))(decoded)


_ENCODERS = {
    "vanilla": _vanilla,
    "stacked": _stacked,
    "bidirectional": _bidirectional,
    "cnn_lstm": _cnn_lstm,
    "conv_lstm": _conv_lstm,
}
ARCHITECTURES = (*_ENCODERS, "encoder_decoder")
