"""Score a trained configuration on its backtest: at every origin, the forecasts train made with the fit
that forecasts it (by the weights each member keeps) and the baselines stage's, fit on the same rows, in
original units. RMSE, MAE and MASE per repeat, for the ensemble (the mean of the repeats' forecasts) and for
every baseline, over each role's origins (validation, test), per origin and per forecast step; and the
errors over training. The headline (`metrics`) holds a dozen of them; `details` the rest. Nothing is loaded
or fit here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstm_tuning.data.backtest import Plan, Scored
from lstm_tuning.data.framings import series_roles
from lstm_tuning.data.transforms import to_original_units
from lstm_tuning.evaluation import baselines, scores


@dataclass
class Evaluation:
    metrics: dict  # the headline: evaluation/metrics.json
    details: dict  # every other score: evaluation/details.json
    rmse: pd.DataFrame  # per repeat: RMSE, MAE and MASE over each role's origins
    origins: pd.DataFrame  # per origin: the ensemble's and every baseline's RMSE, MAE and MASE
    forecasts: pd.DataFrame  # every test window's t+1 forecast of the target: repeats' mean and range, baselines
    horizon: pd.DataFrame  # test RMSE of the target per forecast step
    diagnostics: pd.DataFrame  # RMSE per checkpoint and repeat on the training windows and each role's origins
    diagnostics_mean: pd.DataFrame  # the same, averaged over repeats


def evaluate(cfg, series: pd.DataFrame, transforms: list[dict], plan: Plan, windows, checkpoints,
             repeats: pd.DataFrame, held_out: pd.DataFrame, fitted_baselines: dict) -> Evaluation:
    """`series` as ingested, each fit's `transforms`, the backtest `plan`, the window stage's `windows`, the
    train stage's `checkpoints` (epochs, forecasts at every checkpoint, final forecasts) and `repeats`
    (which member diverged, the epoch whose weights each one keeps), the baselines stage's forecasts from
    every `held_out` row and what it fit (`fitted_baselines`). A repeat that diverged in any fit is left out
    of every score. The plan's final fit (on every row: the forecast stage's) scores nothing here."""
    plan = plan.backtest()
    repeats = repeats[repeats["fit"] < len(plan.fits)]
    per_repeat = repeats.groupby("repeat")
    kept = per_repeat["diverged"].any().pipe(lambda d: d.index[~d].to_numpy())
    _, names = series_roles(cfg.task, cfg.data)
    observed = series[names].to_numpy(float)
    target = observed[:, -1]
    n_out = windows["y"].shape[2]
    first_rows = windows["first_rows"]
    scored = Scored.of(plan, first_rows, n_out, len(series))

    def original_units(scaled):  # [..., fits, repeats, windows, n_out, n_targets] -> original units
        return np.stack([to_original_units(scaled[..., k, :, :, :, :], first_rows, [transforms[k][n] for n in names],
                                           observed) for k in range(len(plan.fits))], axis=-5)

    levels = original_units(checkpoints["final"][:, kept])  # [fits, repeats, windows, n_out, n_targets]
    forecasts = levels[scored.fit, :, scored.window].transpose(1, 0, 2, 3)  # [repeats, pairs, n_out, n_targets]
    actual = scores.actual_windows(observed, first_rows[scored.window], n_out)  # [pairs, n_out, n_targets]
    # MASE: each pair's errors over the mean absolute one-step change of the rows its fit trains on
    scale = np.array([np.mean(np.abs(np.diff(target[f.start : f.cut]))) for f in plan.fits])[scored.fit]

    baseline_forecasts = baselines.pick(held_out, scored.fit, first_rows[scored.window], n_out)

    metrics, by_repeat = {}, {"repeat": kept}
    target_forecasts = forecasts[..., -1]  # [repeats, pairs, n_out]
    for role in plan.roles():
        pairs = scored.role == role
        lstm = scores.errors(actual[pairs, :, -1], target_forecasts[:, pairs], scale[pairs])
        ensemble = scores.errors(actual[pairs, :, -1], target_forecasts[:, pairs].mean(axis=0)[None], scale[pairs])
        for name, values in lstm.items():
            metrics[f"{role}_{name}"] = scores.describe(values)
            by_repeat[f"{role}_{name}"] = values
        metrics[f"{role}_ensemble"] = {name: float(values[0]) for name, values in ensemble.items()}
        for baseline, f in baseline_forecasts.items():
            errors = scores.errors(actual[pairs, :, -1], f[None, pairs], scale[pairs])
            metrics.setdefault("baselines", {}).setdefault(baseline, {}).update(
                {f"{role}_{name}": float(values[0]) for name, values in errors.items()})
    headline = scores.headline(metrics, plan.roles())
    metrics["skill_vs_persistence"] = {name: scores.skill(metrics["test_ensemble"][name],
                                                          metrics["baselines"]["persistence"][f"test_{name}"])
                                       for name in scores.METRICS}
    metrics["baselines_fit"] = fitted_baselines
    metrics["origins"] = plan.counts()
    metrics["fits"] = len(plan.fits)

    tested = scored.role == "test"
    test_rows = first_rows[scored.window[tested]]
    overall, per_step = scores.step_scores(actual[tested], forecasts[:, tested])
    persistence = np.repeat(observed[test_rows - 1][:, None], n_out, axis=1)  # every series' last value
    metrics["per_series"] = scores.per_series(names, (overall, per_step),
                                              scores.step_scores(actual[tested], persistence[None]))
    metrics["repeats_diverged"] = int(len(per_repeat) - len(kept))

    diagnostics = _diagnostics(checkpoints["epochs"], original_units(checkpoints["forecasts"][:, :, kept]),
                               scores.actual_windows(observed, first_rows, n_out)[..., -1],
                               windows["train"][: len(plan.fits)], scored,
                               kept)
    mean_diagnostics, metrics["diagnostics"] = scores.inflection(diagnostics)
    # the training error of the weights evaluated: the last epoch's, or each repeat's best with early stopping
    final_epoch = per_repeat["final_epoch"].max()
    at_final = diagnostics["epoch"].to_numpy() == final_epoch[diagnostics["repeat"]].to_numpy()
    metrics["train_rmse"] = scores.describe(diagnostics[at_final]["train_rmse"].to_numpy())

    ensemble = forecasts.mean(axis=0)
    best = headline["best_baseline"]  # its own column too, under one name for `dvc plots`
    origins = _per_origin(plan, series.index, scored, actual[..., -1], ensemble[..., -1], baseline_forecasts, scale)
    return Evaluation(
        metrics=headline,
        details=metrics,
        rmse=pd.DataFrame(by_repeat),
        origins=origins.assign(best_baseline_rmse=origins[f"{best}_rmse"]),
        forecasts=pd.DataFrame({
            "step": np.arange(1, tested.sum() + 1),
            "time": series.index.to_numpy()[test_rows],
            "origin": scored.origin[tested],
            "actual": actual[tested, 0, -1],
            "forecast_mean": forecasts[:, tested, 0, -1].mean(axis=0),
            "forecast_min": forecasts[:, tested, 0, -1].min(axis=0),
            "forecast_max": forecasts[:, tested, 0, -1].max(axis=0),
            **{name: f[tested, 0] for name, f in baseline_forecasts.items()},
            "best_baseline": baseline_forecasts[best][tested, 0],
        }),
        horizon=pd.DataFrame({
            "horizon": np.arange(1, n_out + 1),
            "lstm_mean": per_step[:, :, -1].mean(axis=0),
            "lstm_min": per_step[:, :, -1].min(axis=0),
            "lstm_max": per_step[:, :, -1].max(axis=0),
            "lstm_ensemble": scores.step_scores(actual[tested], ensemble[None, tested])[1][0, :, -1],
            **{name: scores.step_scores(actual[tested, :, -1:], f[None, tested, :, None])[1][0, :, 0]
               for name, f in {**baseline_forecasts, "best_baseline": baseline_forecasts[best]}.items()},
        }),
        diagnostics=diagnostics,
        diagnostics_mean=mean_diagnostics,
    )


def _per_origin(plan: Plan, index: pd.Index, scored: Scored, actual: np.ndarray, ensemble: np.ndarray,
                baseline_forecasts: dict, scale: np.ndarray) -> pd.DataFrame:
    """One row per origin: its role, time and fit, and the RMSE, MAE and MASE of the ensemble (`lstm_*`) and
    of every baseline over its windows."""
    rows = []
    for i, origin in enumerate(plan.origins):
        pairs = scored.origin == i
        if not pairs.any():
            continue
        row = {"origin": i, "role": origin.role, "time": index[origin.first], "fit": origin.fit}
        for name, f in {"lstm": ensemble, **baseline_forecasts}.items():
            errors = scores.errors(actual[pairs], f[None, pairs], scale[pairs])
            row |= {f"{name}_{metric}": float(values[0]) for metric, values in errors.items()}
        rows.append(row)
    return pd.DataFrame(rows)


def _diagnostics(epochs: np.ndarray, levels: np.ndarray, actual: np.ndarray, train: np.ndarray, scored: Scored,
                 kept: np.ndarray) -> pd.DataFrame:
    """RMSE of the target per checkpoint and repeat: over every fit's training windows, and over each role's
    scored windows. levels [checkpoints, fits, repeats, windows, n_out, n_targets]; actual [windows, n_out]."""
    squared = (levels[..., -1] - actual) ** 2  # [checkpoints, fits, repeats, windows, n_out]
    checkpoints, _, repeats = squared.shape[:3]
    # a stateful fit's walk starts at its first (trimmed) training window: the dropped ones are NaN
    trained = np.where(train[None, :, None, :, None] & np.isfinite(squared), squared, np.nan)
    rmse = {"train_rmse": np.sqrt(np.nanmean(trained.transpose(0, 2, 1, 3, 4).reshape(checkpoints, repeats, -1),
                                             axis=2))}
    for role in ("val", "test"):
        pairs = scored.role == role
        if pairs.any():
            chosen = squared[:, scored.fit[pairs], :, scored.window[pairs]]  # [pairs, checkpoints, repeats, n_out]
            rmse[f"{role}_rmse"] = np.sqrt(chosen.mean(axis=(0, 3)))
        else:
            rmse[f"{role}_rmse"] = np.full((checkpoints, repeats), np.nan)
    return pd.DataFrame({"epoch": np.repeat(epochs, repeats), "repeat": np.tile(kept, checkpoints),
                         **{name: values.ravel() for name, values in rmse.items()}})
