"""Train all repeats of a configuration together, and forecast with them: the only place that knows there
are two batch regimes. A model that carries its LSTM state from batch to batch (the seed 002 stateful
model) trains on ordered batches (`carried_state`); every other model on shuffled batches (`shuffled`)."""

from __future__ import annotations

import numpy as np

from lstm_tuning.errors import UserError
from lstm_tuning.models.specs import MODELS
from lstm_tuning.training import backend, carried_state, shuffled
from lstm_tuning.training.core import OnCheckpoint, TrainedRepeats, member_seeds

__all__ = ["TrainedRepeats", "forecast", "forecast_ahead", "kept_repeats", "member_seeds", "train"]


@backend.quiet_tensorflow()
def train(params, train_cfg, windows, progress: bool = True, source: str = "windows",
          on_checkpoint: OnCheckpoint | None = None) -> TrainedRepeats:
    """`train_cfg.repeats` models of `params` for every fit of the backtest, trained together on `windows`
    (the window stage's arrays: `X` and `y` in each fit's scaling, `first_rows`, `train`: the windows each
    fit trains on, `stop`: the early-stopping windows). `source` names the windows in error messages.
    `on_checkpoint(epoch, forecasts)` sees each checkpoint's forecasts [fits, repeats, windows, n_out,
    n_targets] as soon as training hands control back (a search prunes a trial from it by raising)."""
    if MODELS[params.name].carries_state:
        return carried_state.train(params, train_cfg, windows, progress, source, on_checkpoint)
    return shuffled.train(params, train_cfg, windows, progress, on_checkpoint=on_checkpoint)


def kept_repeats(trained: TrainedRepeats, params, fit: int | None = None) -> np.ndarray:
    """The repeats that diverged in no fit (or not in `fit`); a UserError if none is left."""
    kept = np.flatnonzero(~(trained.diverged.any(axis=0) if fit is None else trained.diverged[fit]))
    if not len(kept):
        raise UserError(f"all {trained.diverged.shape[1]} repeats diverged (training loss became NaN or inf); lower "
                        f"model.learning_rate={params.learning_rate} or change model.optimizer={params.optimizer}")
    return kept


@backend.quiet_tensorflow()
def forecast(members, context: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Forecasts [repeats, n, n_out, n_targets] (scaled) of `windows` [n, n_lags, n_features] by trained
    `members`. A stateful model first builds its state over `context` (the training windows it was trained
    on, trimmed to whole batches); the others forecast each window on its own and ignore it."""
    if MODELS[members[0].name].carries_state:  # every model is named after its architecture
        return carried_state.forecast(members, context, windows)
    return shuffled.forecast(members, windows)


@backend.quiet_tensorflow()
def forecast_ahead(members, X: np.ndarray, train: np.ndarray, origins: np.ndarray, steps: int,
                   weights: list[np.ndarray] | None = None) -> np.ndarray:
    """Recursive forecasts [repeats, len(origins), steps, n_targets] (scaled) of the `steps` rows from each
    origin on, by `members` (or by stacked `weights` in their layout) trained on the windows `train` [n]
    marks of `X` [n, n_lags, n_features]. At each origin the window `X[origin]` holds true values; the
    windows after it read the member's own forecasts where the rows they need are not yet observed. A
    stateful model builds its state from its first (trimmed) training window on, as it was trained."""
    if MODELS[members[0].name].carries_state:
        batch_size = members[0].input_shape[0]
        first = int(train.argmax()) + carried_state.trim_to_batches(int(train.sum()), batch_size, warn=False)
        return carried_state.forecast_ahead(members, X[first:], origins - first, steps, weights)[..., None]
    return shuffled.forecast_ahead(members, X, origins, steps, weights)
