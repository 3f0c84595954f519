"""Finished DVC experiments of a commit: their params, and their scores per repeat, per origin and (a panel) per
(series, origin)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import dvc.api
import numpy as np
import pandas as pd
from dvc.exceptions import DvcException

from lstm_tuning import paths, repository
from lstm_tuning.errors import UserError


@dataclass
class Experiment:
    name: str
    rev: str
    params: dict  # nested, as in params.yaml
    metrics: dict  # nested, as in evaluation/metrics.json


def flatten(params: dict, prefix: str = "") -> dict:
    """{"model": {"units": 1}} -> {"model.units": 1}"""
    flat = {}
    for key, value in params.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _exp_show(repo: Path, rev: str) -> list[dict]:
    return json.loads(repository.dvc("exp", "show", "--json", "--rev", rev, cwd=repo))


def _params(rev_entry: dict) -> dict:
    return rev_entry["data"]["params"]["params.yaml"]["data"]


def _finished(experiment: dict) -> bool:
    # a queued, running or failed experiment has an executor; a finished one reports success or none at all
    executor = experiment.get("executor") or {}
    return executor.get("state", "success") == "success"


def _read(repo: Path, experiment: Experiment, path: Path, dtype: dict | None = None) -> pd.DataFrame | dict:
    """An output of the experiment (a CSV as a frame, with `dtype` per column; JSON as a dict), read from DVC's
    cache at its commit."""
    try:
        with dvc.api.open(str(path), repo=str(repo), rev=experiment.rev) as handle:
            return json.load(handle) if path.suffix == ".json" else pd.read_csv(handle, dtype=dtype)
    except DvcException as exc:
        raise UserError(
            f"experiment {experiment.name} ({experiment.rev[:7]}): cannot read {path} ({exc}); "
            "`dvc exp pull` it or run it here"
        ) from exc


def per_repeat_scores(repo: Path, experiment: Experiment, column: str = "test_rmse") -> np.ndarray:
    """One score of every repeat (`evaluation/rmse.csv`: test_rmse, val_mae, ...)."""
    return _read(repo, experiment, paths.RMSE)[column].to_numpy()


def details(repo: Path, experiment: Experiment) -> dict:
    """Every score besides the headline (`evaluation/details.json`: summaries over repeats, every baseline...)."""
    return _read(repo, experiment, paths.DETAILS)


def origin_scores(repo: Path, experiment: Experiment, role: str) -> pd.DataFrame:
    """The ensemble's and the baselines' errors at each origin of `role` ("val" or "test")."""
    scores = _read(repo, experiment, paths.ORIGIN_SCORES)
    return scores[scores["role"] == role].reset_index(drop=True)


def series_origin_scores(repo: Path, experiment: Experiment, role: str) -> pd.DataFrame:
    """A panel's scores per (series, origin) on the `role` origins (`evaluation/series_origins.csv`: the ensemble's
    MASE, sMAPE and RMSE and every baseline's; ids and origin times read as text, as written)."""
    scores = _read(repo, experiment, paths.SERIES_ORIGIN_SCORES, dtype={"series": str, "time": str})  # "007" stays
    return scores[scores["role"] == role].reset_index(drop=True)


def load(repo: Path, rev: str = "HEAD") -> tuple[dict, list[Experiment]]:
    """The params of commit `rev` and its finished experiments, as `dvc exp show --json` lists them."""
    commits = [entry for entry in _exp_show(repo, rev) if entry["rev"] != "workspace"]
    if not commits:
        raise UserError(f"{repo}: `dvc exp show` lists no commit for {rev!r}")
    commit = commits[0]
    experiments = []
    for entry in commit.get("experiments") or []:
        if _finished(entry):
            result = entry["revs"][0]
            metrics = result["data"].get("metrics", {}).get(str(paths.METRICS), {}).get("data", {})
            experiments.append(Experiment(entry["name"], result["rev"], _params(result), metrics))
    return _params(commit), experiments
