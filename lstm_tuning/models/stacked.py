"""Seed 004 stacked LSTM: `layers` LSTM layers of `units` each, all but the last returning sequences."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_tuning.models.base import Architecture, LSTMParams, lstm, vector_model
from lstm_tuning.options import param


@dataclass
class StackedParams(LSTMParams):
    name: str = "stacked"
    units: int = param(50, at_least=1)  # per layer
    layers: int = param(2, at_least=1)


def build(params: StackedParams, shape):
    def encode(window):
        sequence = window
        for _ in range(params.layers - 1):
            sequence = lstm(params, return_sequences=True)(sequence)
        return lstm(params)(sequence)

    return vector_model(params, shape, encode)


ARCHITECTURE = Architecture(name="stacked", params=StackedParams, build=build)
