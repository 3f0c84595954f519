"""Seed 004 CNN-LSTM: the window read as subsequences of `n_steps` lags; a Conv1D + MaxPooling1D + Flatten
reads each subsequence (TimeDistributed) and an LSTM reads the sequence of readings.

The seed's setup (2 subsequences of 2 steps, pooling 2): -S data.n_lags=4 -S model.n_steps=2 -S model.pool_size=2.
"""

from __future__ import annotations

from lstm_tuning.models.base import lstm, vector_model
from lstm_tuning.models.specs import CnnLstmParams


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
