"""Pruning a trial while it trains. Inside a search, the train stage reports the validation error of the
backtest's first fit (the one that has seen no validation row) at every checkpoint to the trial, in the
study's storage, and stops the trial once the study's pruner calls it hopeless.

The search hands the trial to the stage in the environment (`LSTM_TUNING_TRIAL`), so `dvc exp run` runs
the pipeline it always runs; outside a search the variable is unset and nothing is reported. A trial that
trains to the end has the outputs it would have had alone, so a pruned one leaves no experiment.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass

import numpy as np

from lstm_tuning.errors import UserError
from lstm_tuning.options import Option, Registry, check_bounds, param
from lstm_tuning.search.storage import storage

ENV = "LSTM_TUNING_TRIAL"
log = logging.getLogger("pruning")


@dataclass
class MedianParams:
    """Optuna's MedianPruner: stop when the error is worse than the median of earlier trials' at that epoch."""

    name: str = "median"
    startup_trials: int = param(5, at_least=0)  # trials that finish before any is pruned
    warmup_epochs: int = param(0, at_least=0)  # epochs of every trial before it can be pruned


@dataclass
class HalvingParams:
    """Optuna's SuccessiveHalvingPruner: at rungs of min_epochs x reduction_factor^k, keep the best 1/factor."""

    name: str = "successive_halving"
    min_epochs: int = param(100, at_least=1)
    reduction_factor: int = param(3, at_least=2)


@dataclass
class NoPruningParams:
    name: str = "none"


PRUNERS = Registry("pruner", "name")
for params in (MedianParams, HalvingParams, NoPruningParams):
    PRUNERS.add(Option(params.name, params))


class Pruned(UserError):
    """The pruner stopped the trial: it ends the stage, and so the experiment, with no outputs."""


def check(pruner: dict, source: str):
    """The pruner's params (a mapping with `name`) read into its dataclass and checked."""
    params = PRUNERS.chosen(pruner.get("name", "median"), source).params
    valid = [f.name for f in dataclasses.fields(params)]
    unknown = sorted(set(pruner) - set(valid))
    if unknown:
        raise UserError(f"{source}: unknown key {unknown[0]!r} of pruner {params.name}; its keys: {', '.join(valid)}")
    values = params(**pruner)
    check_bounds(values, "pruner", source)
    return values


def build(pruner: dict):
    """The Optuna pruner a search's `pruner` entry names."""
    import optuna

    values = check(pruner, "pruner")
    if isinstance(values, MedianParams):
        return optuna.pruners.MedianPruner(n_startup_trials=values.startup_trials, n_warmup_steps=values.warmup_epochs)
    if isinstance(values, HalvingParams):
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=values.min_epochs,
                                                      reduction_factor=values.reduction_factor)
    return optuna.pruners.NopPruner()


def handed_over(trial_id: int, study: str, location: str, pruner: dict, ensemble: bool) -> dict:
    """The environment that hands a trial to the train stage."""
    spec = {"trial_id": trial_id, "study": study, "storage": location, "pruner": pruner, "ensemble": ensemble}
    return {ENV: json.dumps(spec)}


def reporter(windows: dict):
    """The train stage's `on_checkpoint` when it runs a search's trial, else None."""
    spec = os.environ.get(ENV)
    if not spec:
        return None
    validation = windows["stop"]
    if not validation.any():
        log.warning("%s is set but the windows hold no validation window: nothing to prune on", ENV)
        return None
    import optuna

    spec = json.loads(spec)
    study = optuna.load_study(study_name=spec["study"], storage=storage(spec["storage"]), pruner=build(spec["pruner"]))
    trial = optuna.trial.Trial(study, spec["trial_id"])
    actual = windows["y"][0][validation]

    def on_checkpoint(epoch: int, forecasts: np.ndarray) -> None:
        first_fit = forecasts[0][:, validation]  # [repeats, windows, n_out, n_targets]
        if spec["ensemble"]:
            errors = (np.nanmean(first_fit, axis=0) - actual) ** 2
        else:
            errors = np.nanmean((first_fit - actual) ** 2, axis=(1, 2, 3))
        value = float(np.nanmean(errors)) if np.isfinite(errors).any() else float("inf")
        trial.report(value, int(epoch))
        if trial.should_prune():
            trial.set_user_attr("pruned_epoch", int(epoch))
            raise Pruned(f"trial {trial.number} pruned at epoch {epoch}: validation MSE {value:.5f} (scaled) is "
                         f"worse than the pruner's bar for study {spec['study']}")

    return on_checkpoint
