"""Scores in original units: RMSE, MAE and MASE per repeat, output series and forecast step, their summary,
the best baseline, the skill against it and the verdict in words, and the epochs of the lowest errors over
training."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstm_tuning.evaluation.specs import LABELS


# scikit-learn's root_mean_squared_error and mean_absolute_error with multioutput="raw_values", operation for
# operation (tests/evaluation/test_scores.py compares them bit for bit): importing sklearn.metrics would cost the
# evaluate and report stages a second each, for two means.
def root_mean_squared_error(actual: np.ndarray, forecasts: np.ndarray) -> np.ndarray:
    """RMSE per column of [n, columns] arrays."""
    return np.sqrt(np.average((np.asarray(actual, float) - np.asarray(forecasts, float)) ** 2, axis=0))


def mean_absolute_error(actual: np.ndarray, forecasts: np.ndarray) -> np.ndarray:
    """MAE per column of [n, columns] arrays."""
    return np.average(np.abs(np.asarray(forecasts, float) - np.asarray(actual, float)), axis=0)


def describe(scores: np.ndarray) -> dict[str, float]:
    """The seed's `DataFrame.describe()`: count, mean, std, min, 25%, 50%, 75%, max."""
    return {k: float(v) for k, v in pd.Series(scores).describe().items()}


METRICS = ("rmse", "mae", "mase")


def skill(score: float, baseline_score: float) -> float | None:
    """> 0 means better than the baseline; 1 would be a perfect forecast. None (null in the metrics) where
    the baseline forecasts exactly and the LSTM does not: no ratio to its zero error exists."""
    if baseline_score == 0:
        return 0.0 if score == 0 else None
    return 1.0 - score / baseline_score


def skill_text(value: float | None) -> str:
    return "undefined, the baseline is exact" if value is None else f"{value:+.3f}"


def best_baseline(baselines: dict, roles: list[str]) -> tuple[str, str]:
    """The baseline of lowest MASE, and the role it is chosen on: the validation origins when there are any,
    else the test origins (the report says so)."""
    chosen_on = "val" if "val" in roles else "test"
    mase = {name: scores[f"{chosen_on}_mase"] for name, scores in baselines.items()}
    finite = {name: value for name, value in mase.items() if np.isfinite(value)} or mase
    return min(finite, key=finite.get), chosen_on


def headline(details: dict, roles: list[str]) -> dict:
    """The dozen values `dvc exp show` and `dvc metrics diff` print: the LSTM ensemble's and the mean over
    repeats' RMSE, MAE and MASE per role, the best baseline (chosen on validation MASE when there are
    validation origins), its test figures, and the ensemble's skill against it (1 - LSTM / baseline)."""
    best, chosen_on = best_baseline(details["baselines"], roles)
    metrics = {}
    for role in roles:
        metrics[f"{role}_ensemble"] = dict(details[f"{role}_ensemble"])
        metrics[f"{role}_mean"] = {name: details[f"{role}_{name}"]["mean"] for name in METRICS}
    baseline = {name: details["baselines"][best][f"test_{name}"] for name in METRICS}
    return metrics | {
        "best_baseline": best,
        "best_baseline_chosen_on": chosen_on,
        "best_baseline_test": baseline,
        "skill": {name: skill(metrics["test_ensemble"][name], baseline[name]) for name in ("mase", "mae", "rmse")},
    }


def verdict(metrics: dict) -> str:
    """The headline in one sentence, e.g. "The LSTM ensemble does not beat the best classical baseline
    (AutoETS, chosen on the validation origins) on test MASE: 1.120 vs 0.950 ..."."""
    lstm, baseline, skills = metrics["test_ensemble"], metrics["best_baseline_test"], metrics["skill"]
    label = LABELS.get(metrics["best_baseline"], metrics["best_baseline"])
    beats = "beats" if skills["mase"] is not None and skills["mase"] > 0 else "does not beat"
    chosen = ("chosen on the validation origins" if metrics["best_baseline_chosen_on"] == "val" else
              "chosen on the test origins: there are no validation origins, so the choice saw the test period")
    return (f"The LSTM ensemble {beats} the best classical baseline ({label}, {chosen}) "
            f"on test MASE: {lstm['mase']:.3f} vs {baseline['mase']:.3f} (skill {skill_text(skills['mase'])}; "
            f"MAE {lstm['mae']:.3f} vs {baseline['mae']:.3f}, skill {skill_text(skills['mae'])}; "
            f"RMSE {lstm['rmse']:.3f} vs {baseline['rmse']:.3f}, skill {skill_text(skills['rmse'])}).")


def errors(actual: np.ndarray, forecasts: np.ndarray, scale: np.ndarray) -> dict[str, np.ndarray]:
    """RMSE, MAE and MASE [repeats] of forecasts [repeats, n, n_out] of one series against actual [n, n_out];
    window i's absolute errors are divided by scale[i] for MASE (its fit's in-sample naive error)."""
    flat = actual.reshape(-1, 1)
    absolute = np.abs(forecasts - actual)
    return {
        "rmse": np.array([root_mean_squared_error(flat, f.reshape(-1, 1))[0] for f in forecasts]),
        "mae": np.array([mean_absolute_error(flat, f.reshape(-1, 1))[0] for f in forecasts]),
        "mase": (absolute / scale[:, None]).mean(axis=(1, 2)),
    }


def actual_windows(observed: np.ndarray, first_rows: np.ndarray, n_out: int) -> np.ndarray:
    """The true values [n, n_out, n_targets] that windows starting at `first_rows` forecast."""
    return observed[first_rows[:, None] + np.arange(n_out)]


def step_scores(actual: np.ndarray, forecasts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMSE of forecasts [repeats, n, n_out, n_targets] against actual [n, n_out, n_targets]:
    overall [repeats, n_targets] (all steps together) and per forecast step [repeats, n_out, n_targets]."""
    n, n_out, n_targets = actual.shape
    overall = [root_mean_squared_error(actual.reshape(-1, n_targets), f.reshape(-1, n_targets)) for f in forecasts]
    per_step = [root_mean_squared_error(actual.reshape(n, -1), f.reshape(n, -1)) for f in forecasts]
    return np.array(overall), np.array(per_step).reshape(len(forecasts), n_out, n_targets)


def per_series(names: list[str], scores: tuple[np.ndarray, np.ndarray],
               persistence_scores: tuple[np.ndarray, np.ndarray]) -> dict:
    """Per output series: the repeats' mean test RMSE and persistence's, overall and at each step t+h,
    from their `step_scores`."""
    (overall, per_step), (persistence_overall, persistence_step) = scores, persistence_scores
    return {
        name: {
            "test_rmse_mean": float(overall[:, j].mean()),
            "persistence_rmse": float(persistence_overall[0, j]),
            **{f"t+{h + 1}": {"test_rmse_mean": float(per_step[:, h, j].mean()),
                              "persistence_rmse": float(persistence_step[0, h, j])}
               for h in range(per_step.shape[1])},
        }
        for j, name in enumerate(names)
    }


def inflection(per_repeat: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Mean RMSE over repeats per checkpoint, and the epochs where the mean test and validation RMSE are lowest."""
    mean = per_repeat.drop(columns="repeat").groupby("epoch", as_index=False).mean()
    best = {}
    for segment in ("test", "val"):
        column = mean[f"{segment}_rmse"]
        if column.notna().any():
            row = mean.loc[column.idxmin()]
            best[f"best_{segment}_epoch"] = int(row["epoch"])
            best[f"best_{segment}_rmse_mean"] = float(row[f"{segment}_rmse"])
    return mean, best
