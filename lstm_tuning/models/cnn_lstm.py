"""Seed 004 CNN-LSTM: the window read as subsequences of `n_steps` lags; a Conv1D + MaxPooling1D + Flatten
reads each subsequence (TimeDistributed) and an LSTM reads the sequence of readings.

The seed's setup (2 subsequences of 2 steps, pooling 2): -S data.n_lags=4 -S model.n_steps=2 -S model.pool_size=2.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_tuning.errors import UserError
from lstm_tuning.models.base import Architecture, LSTMParams, lstm, vector_model
from lstm_tuning.options import param


@dataclass
class CnnLstmParams(LSTMParams):
    name: str = "cnn_lstm"
    units: int = param(50, at_least=1)
    filters: int = param(64, at_least=1)
    n_steps: int = param(1, at_least=1)  # lags per subsequence; data.n_lags / n_steps subsequences
    kernel_size: int = param(1, at_least=1)  # time steps per convolution read; at most n_steps
    pool_size: int = param(1, at_least=1)  # at most n_steps - kernel_size + 1


def check_subsequences(cfg, source: str) -> None:
    """The window must split into whole subsequences that the convolution fits in (also ConvLSTM's)."""
    model, n_lags = cfg.model, cfg.data.n_lags
    if n_lags % model.n_steps:
        raise UserError(f"{source}: model={model.name} reads each window as subsequences of model.n_steps="
                        f"{model.n_steps} lags, which do not divide data.n_lags={n_lags}; make n_steps a divisor of "
                        "n_lags")
    if model.kernel_size > model.n_steps:
        raise UserError(f"{source}: model.kernel_size={model.kernel_size} is longer than a subsequence "
                        f"(model.n_steps={model.n_steps}); make kernel_size <= n_steps")


def check(cfg, source: str) -> None:
    check_subsequences(cfg, source)
    model = cfg.model
    if model.pool_size > model.n_steps - model.kernel_size + 1:
        raise UserError(f"{source}: model.pool_size={model.pool_size} is longer than the "
                        f"{model.n_steps - model.kernel_size + 1} steps the convolution leaves (model.n_steps="
                        f"{model.n_steps}, model.kernel_size={model.kernel_size}); make pool_size <= n_steps - "
                        "kernel_size + 1")


def build(params: CnnLstmParams, shape):
    from keras import layers

    def encode(window):
        n_seq = shape.n_lags // params.n_steps
        subsequences = layers.Reshape((n_seq, params.n_steps, shape.n_features))(window)
        conv = layers.Conv1D(params.filters, params.kernel_size, activation=params.activation)
        read = layers.TimeDistributed(conv)(subsequences)
        read = layers.TimeDistributed(layers.MaxPooling1D(params.pool_size))(read)
        return lstm(params)(layers.TimeDistributed(layers.Flatten())(read))

    return vector_model(params, shape, encode)


ARCHITECTURE = Architecture(name="cnn_lstm", params=CnnLstmParams, check=check, build=build)
