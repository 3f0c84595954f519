"""A search's trials as the study records them: their experiments, their objective, and why one failed
(refused by the checks, interrupted, or lost with its worker)."""

from __future__ import annotations

import math
from pathlib import Path

from lstm_tuning.reports import experiments

TARGET = "evaluate"  # a trial runs the stages its objective needs; `dvc repro` after `dvc exp apply` does the rest
METRICS = ("rmse", "mae", "mase", "smape")  # the headline's metrics (a panel's: mase, smape, rmse)


def experiment_name(search_name: str, number: int) -> str:
    return f"{search_name}-{number:03d}"


def metric(metrics: dict, key: str) -> float | None:
    """metrics["val_ensemble"]["rmse"] for "val_ensemble.rmse"; None if it is not there or not finite."""
    value = experiments.flatten(metrics).get(key)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def objective_metric(objective: str) -> str:
    """The metric an objective measures, which the report shows on the test origins too: "mase" for
    val_ensemble.mase (a panel's), "rmse" for val_ensemble.rmse or val_rmse.mean."""
    group, _, name = objective.partition(".")
    for part in (name, group.removeprefix("val_")):
        if part in METRICS:
            return part
    return "rmse"


def was_refused(trial) -> bool:
    """A trial the config checks refused: it failed with a reason before running an experiment (no `seconds`)."""
    import optuna

    return (trial.state == optuna.trial.TrialState.FAIL and "seconds" not in trial.user_attrs
            and "error" in trial.user_attrs)


def retried(trials) -> dict[int, int]:
    """{number of a trial lost with its worker: number of the trial that ran its params again}."""
    import optuna

    retry_of = optuna.storages.RetryHeartbeatStaleTrialCallback.retried_trial_number
    return {retry_of(t): t.number for t in trials if retry_of(t) is not None}


def interrupted(study, trial) -> None:
    """Record a trial as interrupted (failed, not counted) and queue its params to run again."""
    import optuna

    trial.set_user_attr("interrupted", True)
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    study.enqueue_trial(trial.params, user_attrs={"retry_of": trial.number})


def last_error(path: Path) -> str:
    """The line of a trial's log that says why it failed."""
    lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("error:", "ERROR:"))]
    return (errors or lines or ["no output"])[0][:300]
