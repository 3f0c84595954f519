"""Seed 004 ConvLSTM: ConvLSTM2D over the window as frames of 1 row x `n_steps` columns, then Flatten. Its
size is `filters` (it has no `units`).

The seed's setup (2 frames of 2 steps, kernel 2): -S data.n_lags=4 -S model.n_steps=2 -S model.kernel_size=2.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_tuning.models.base import Architecture, LSTMParams, recurrent_options, vector_model
from lstm_tuning.models.cnn_lstm import check_subsequences
from lstm_tuning.options import param


@dataclass
class ConvLstmParams(LSTMParams):
    name: str = "conv_lstm"
    filters: int = param(64, at_least=1)
    n_steps: int = param(1, at_least=1)  # lags per frame; data.n_lags / n_steps frames
    kernel_size: int = param(1, at_least=1)  # columns (time steps) of the (1, kernel_size) kernel; at most n_steps


def build(params: ConvLstmParams, shape):
    from keras import layers

    def encode(window):
        # frames of 1 row x n_steps columns: [n_seq, rows, columns, features], as the seed reshapes its samples
        frames = layers.Reshape((shape.n_lags // params.n_steps, 1, params.n_steps, shape.n_features))(window)
        convolved = layers.ConvLSTM2D(params.filters, (1, params.kernel_size), **recurrent_options(params))(frames)
        return layers.Flatten()(convolved)

    return vector_model(params, shape, encode)


ARCHITECTURE = Architecture(name="conv_lstm", params=ConvLstmParams, check=check_subsequences, build=build)
