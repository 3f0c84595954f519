"""Train all repeats of a configuration together, and forecast with them. Each architecture's batch regime
(`regime`) does the work: a model that carries its LSTM state from batch to batch (the seed 002 stateful
model) trains on ordered batches (`carried_state`); every other model on shuffled batches (`shuffled`). Both
modules offer the same three functions, `train`, `forecast` and `forecast_ahead`."""

from __future__ import annotations

import logging
from pathlib import Path
from types import ModuleType

import numpy as np

from lstm_tuning import paths
from lstm_tuning.errors import UserError
from lstm_tuning.models.specs import MODELS
from lstm_tuning.training import backend, carried_state, shuffled
from lstm_tuning.training.core import OnCheckpoint, TrainedRepeats, member_seeds

log = logging.getLogger("train")

__all__ = ["TrainedRepeats", "check_members", "check_series_kept", "forecast", "forecast_ahead", "forecast_lanes",
           "kept_repeats", "member_seeds", "regime", "save_fits", "train"]


def regime(architecture: str) -> ModuleType:
    """The batch regime of `architecture` (a model's name is its architecture's), as its spec declares it."""
    return carried_state if MODELS[architecture].carries_state else shuffled


@backend.quiet_tensorflow()
def train(params, train_cfg, windows, progress: bool = True, source: str = "windows",
          on_checkpoint: OnCheckpoint | None = None) -> TrainedRepeats:
    """`train_cfg.repeats` models of `params` for every fit of the backtest, trained together on `windows`
    (the window stage's arrays: `X` and `y` in each fit's scaling, `first_rows`, `train`: the windows each
    fit trains on, `stop`: the early-stopping windows, `final`: the fit on every row). `source` names the
    windows in error messages. `on_checkpoint(epoch, forecasts)` sees each checkpoint's forecasts [fits,
    repeats, windows, n_out, n_targets] as soon as training hands control back (a search prunes a trial from
    it by raising). A panel's windows (`series`, `ids`: PANEL.md) train as one series with `model.scope:
    global`, and one model per series with `local` (`shuffled.train`)."""
    return regime(params.name).train(params, train_cfg, windows, progress, source, on_checkpoint)


def kept_repeats(diverged: np.ndarray, params) -> np.ndarray:
    """The repeats that diverged in no fit of `diverged` [fits, repeats] (or [repeats]); a UserError if none is
    left."""
    kept = np.flatnonzero(~np.atleast_2d(diverged).any(axis=0))
    if not len(kept):
        raise UserError(f"all {diverged.shape[-1]} repeats diverged (training loss became NaN or inf); lower "
                        f"model.learning_rate={params.learning_rate} or change model.optimizer={params.optimizer}")
    return kept


def check_series_kept(series_diverged: np.ndarray, ids, params) -> None:
    """A UserError naming the first series whose every repeat diverged in some fit of `series_diverged` [fits,
    series, repeats] (a local panel's members): it has no forecast left."""
    lost = np.flatnonzero(series_diverged.any(axis=0).all(axis=1))
    if len(lost):
        more = f" (and {len(lost) - 1} more)" if len(lost) > 1 else ""
        raise UserError(f"series {ids[lost[0]]}{more}: all {series_diverged.shape[-1]} of its repeats diverged "
                        f"(training loss became NaN or inf); lower model.learning_rate={params.learning_rate}, change "
                        f"model.optimizer={params.optimizer} or check its values")


def check_members(series_diverged: np.ndarray, final: np.ndarray, ids, params) -> None:
    """Local models [fits, series, repeats]: how many (series, repeat) members diverged, in the backtest and in the
    final fit (`final` [fits]), said in a warning; a UserError if a series has no repeat left."""
    for fits, where in ((~final, "a fit of the backtest"), (final, "the final fit")):
        if not fits.any():
            continue
        check_series_kept(series_diverged[fits], ids, params)
        members = series_diverged[fits].any(axis=0)
        if members.any():
            log.warning("%d of %d (series, repeat) members diverged (training loss became NaN or inf) in %s, in %d "
                        "series: each is left out of its own series' ensemble only", members.sum(), members.size,
                        where, members.any(axis=1).sum())


def save_fits(trained: TrainedRepeats, final: np.ndarray, weights_file: Path, models: Path) -> None:
    """What forecasting reads: every fit's kept weights, per variable [fits, repeats, ...], and which members
    diverged, in `weights_file` (npz); and, when the last fit is the final fit (`final` [fits]), its repeats that
    did not diverge as Keras files in the directory `models` (`trained.models` hold the last fit's weights). A
    local panel's weights are [fits, series, repeats, ...], and `series_diverged` [fits, series, repeats] says
    which members diverged; its Keras files hold the last series' final-fit weights: the architecture, every
    series' weights being those of `weights_file`."""
    stacked = {f"weight_{i:03d}": w for i, w in enumerate(trained.fit_weights)}
    if trained.series_diverged is not None:
        stacked["series_diverged"] = trained.series_diverged
    np.savez(weights_file, diverged=trained.diverged, **stacked)
    if final[-1]:
        for r in np.flatnonzero(~trained.diverged[-1]):
            trained.models[r].save(models / paths.model_file(r))


@backend.quiet_tensorflow()
def forecast(members, context: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Forecasts [repeats, n, n_out, n_targets] (scaled) of `windows` [n, n_lags, n_features] by trained
    `members`. A stateful model first builds its state over `context` (the training windows it was trained
    on, trimmed to whole batches); the others forecast each window on its own and ignore it."""
    return regime(members[0].name).forecast(members, context, windows)


@backend.quiet_tensorflow()
def forecast_ahead(members, X: np.ndarray, train: np.ndarray, origins: np.ndarray, steps: int,
                   weights: list[np.ndarray] | None = None, known: np.ndarray | None = None) -> np.ndarray:
    """Recursive forecasts [repeats, len(origins), steps, n_targets] (scaled) of the `steps` rows from each
    origin on, by `members` (or by stacked `weights` [repeats, ...] per variable, in the layout of
    `members[0]`) trained on the windows `train` [n] marks of `X` [n, n_lags, n_features]. At each origin the
    window `X[origin]` holds true values; the windows after it read the member's own forecasts where the rows
    they need are not yet observed, each followed by its row of `known` [len(origins), steps, n_known] (the
    calendar inputs of data.calendar: row h of an origin carries those of its step h + 1). A stateful model
    builds its state from its first (trimmed) training window on, as it was trained (it reads no known inputs)."""
    if known is None:
        return regime(members[0].name).forecast_ahead(members, X, train, origins, steps, weights)
    if MODELS[members[0].name].carries_state:
        raise ValueError(f"{members[0].name} reads the target's lags only: no known inputs")
    return shuffled.forecast_ahead(members, X, train, origins, steps, weights, known)


@backend.quiet_tensorflow()
def forecast_lanes(model, weights: list[np.ndarray], rows: np.ndarray, steps: int,
                   known: np.ndarray | None = None) -> np.ndarray:
    """`forecast_ahead` for members that each forecast windows of their own (a local panel's (series, repeat)
    members): stacked `weights` [members, ...] per variable, `rows` [members, lanes, n_lags, n_features] and
    `known` [members, lanes, steps, n_known] -> [members, lanes, steps, n_targets] (scaled). Models that read
    each window on its own only (the stateful model builds its state from a walk over its series:
    `forecast_ahead` per series)."""
    if MODELS[model.name].carries_state:
        raise ValueError(f"{model.name} carries its state: forecast each series' walk with forecast_ahead")
    return shuffled.forecast_lanes(model, weights, rows, steps, known)
