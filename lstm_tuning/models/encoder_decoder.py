"""Seed 004 encoder-decoder: LSTM encoder -> RepeatVector(n_out) -> LSTM decoder returning sequences ->
TimeDistributed Dense, one row per forecast step."""

from __future__ import annotations

from lstm_tuning.models.base import lstm
from lstm_tuning.models.specs import EncoderDecoderParams


def build(params: EncoderDecoderParams, shape):
    import keras
    from keras import layers

    window = keras.Input((shape.n_lags, shape.n_features), name="window")
    repeated = layers.RepeatVector(shape.n_out)(lstm(params)(window))
    decoded = lstm(params, return_sequences=True)(repeated)
    return keras.Model(window, layers.TimeDistributed(layers.Dense(shape.n_targets))(decoded), name=params.name)
