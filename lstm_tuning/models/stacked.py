"""Seed 004 stacked LSTM: `layers` LSTM layers of `units` each, all but the last returning sequences."""

from __future__ import annotations

from lstm_tuning.models.base import lstm, vector_model
from lstm_tuning.models.specs import StackedParams


def build(params: StackedParams, shape):
    def encode(window):
        sequence = window
        for _ in range(params.layers - 1):
            sequence = lstm(params, return_sequences=True)(sequence)
        return lstm(params)(sequence)

    return vector_model(params, shape, encode)
