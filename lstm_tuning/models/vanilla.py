"""Seed 004 vanilla LSTM: one LSTM layer over the window -> Dense to the forecast."""

from __future__ import annotations

from lstm_tuning.models.base import lstm, vector_model
from lstm_tuning.models.specs import VanillaParams


def build(params: VanillaParams, shape):
    return vector_model(params, shape, lambda window: lstm(params)(window))
