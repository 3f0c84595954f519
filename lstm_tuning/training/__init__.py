"""Train all repeats of a configuration together, and forecast with them: the only place that knows there
are two batch regimes. A model that carries its LSTM state from batch to batch (the seed 002 stateful
model) trains on ordered batches (`carried_state`); every other model on shuffled batches (`shuffled`)."""

from __future__ import annotations

import numpy as np

from lstm_tuning.models import MODELS
from lstm_tuning.training import carried_state, shuffled
from lstm_tuning.training.core import TrainedRepeats, member_seeds

__all__ = ["TrainedRepeats", "forecast", "member_seeds", "train"]


def train(params, train_cfg, windows, progress: bool = True, source: str = "windows") -> TrainedRepeats:
    """`train_cfg.repeats` models of `params` for every fit of the backtest, trained together on `windows`
    (the window stage's arrays: `X` and `y` in each fit's scaling, `first_rows`, `train`: the windows each
    fit trains on, `stop`: the early-stopping windows). `source` names the windows in error messages."""
    if MODELS[params.name].carries_state:
        return carried_state.train(params, train_cfg, windows, progress, source)
    return shuffled.train(params, train_cfg, windows, progress)


def forecast(members, context: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Forecasts [repeats, n, n_out, n_targets] (scaled) of `windows` [n, n_lags, n_features] by trained
    `members`. A stateful model first builds its state over `context` (the training windows it was trained
    on, trimmed to whole batches); the others forecast each window on its own and ignore it."""
    if MODELS[members[0].name].carries_state:  # every model is named after its architecture
        return carried_state.forecast(members, context, windows)
    return shuffled.forecast(members, windows)
