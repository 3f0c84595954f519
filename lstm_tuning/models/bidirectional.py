"""Seed 004 bidirectional LSTM: the window read forwards and backwards, both readings concatenated."""

from __future__ import annotations

from lstm_tuning.models.base import lstm, vector_model
from lstm_tuning.models.specs import BidirectionalParams


def build(params: BidirectionalParams, shape):
    from keras import layers

    return vector_model(params, shape, lambda window: layers.Bidirectional(lstm(params))(window))
