"""Seed 004 bidirectional LSTM: the window read forwards and backwards, both readings concatenated."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_tuning.models.base import Architecture, LSTMParams, lstm, vector_model
from lstm_tuning.options import param


@dataclass
class BidirectionalParams(LSTMParams):
    name: str = "bidirectional"
    units: int = param(50, at_least=1)  # per direction


def build(params: BidirectionalParams, shape):
    from keras import layers

    return vector_model(params, shape, lambda window: layers.Bidirectional(lstm(params))(window))


ARCHITECTURE = Architecture(name="bidirectional", params=BidirectionalParams, build=build)
