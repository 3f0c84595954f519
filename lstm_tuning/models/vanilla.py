"""Seed 004 vanilla LSTM: one LSTM layer over the window -> Dense to the forecast."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_tuning.models.base import Architecture, LSTMParams, lstm, vector_model
from lstm_tuning.options import param


@dataclass
class VanillaParams(LSTMParams):
    name: str = "vanilla"
    units: int = param(50, at_least=1)


def build(params: VanillaParams, shape):
    return vector_model(params, shape, lambda window: lstm(params)(window))


ARCHITECTURE = Architecture(name="vanilla", params=VanillaParams, build=build)
