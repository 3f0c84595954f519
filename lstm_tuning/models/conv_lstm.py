"""Seed 004 ConvLSTM: ConvLSTM2D over the window as frames of 1 row x `n_steps` columns, then Flatten. Its
size is `filters` (it has no `units`).

The seed's setup (2 frames of 2 steps, kernel 2): -S data.n_lags=4 -S model.n_steps=2 -S model.kernel_size=2.
"""

from __future__ import annotations

from lstm_tuning.models.base import recurrent_options, vector_model
from lstm_tuning.models.specs import ConvLstmParams


def build(params: ConvLstmParams, shape):
    from keras import layers

    def encode(window):
        # frames of 1 row x n_steps columns: [n_seq, rows, columns, features], as the seed reshapes its samples
        frames = layers.Reshape((shape.n_lags // params.n_steps, 1, params.n_steps, shape.n_features))(window)
        convolved = layers.ConvLSTM2D(params.filters, (1, params.kernel_size), **recurrent_options(params))(frames)
        return layers.Flatten()(convolved)

    return vector_model(params, shape, encode)
