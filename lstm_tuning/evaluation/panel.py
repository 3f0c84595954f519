"""Scores of a panel (many series, `data.id_column`): per series and role, the LSTM ensemble's and every
baseline's MASE, sMAPE and RMSE of the target in original units, the same per (series, origin), and their means
over series (the headline), per repeat, per origin and forecast step; their distribution over series and how many
series the LSTM wins.

- MASE as the M4 competition defines it: the mean absolute error over a series' scored (window, step) pairs,
  each divided by the in-sample mean absolute error of the seasonal naive of lag m (the season) on the rows
  of the fit that forecasts it. A series whose shortest fit trains on m rows or fewer has no seasonal naive
  error: it is scaled by the one-step naive (lag 1) instead, and its `mase_scale` says `one-step`.
- sMAPE as the M3 competition defines it: the mean of 200 |y - f| / (|y| + |f|) (0 where both are 0).
- RMSE in original units (its mean over series mixes the series' scales: MASE is the verdict's metric).

Every series is scored as it would be alone: one series scored as a panel of one gives the figures it has in
any panel (a single-series run writes its evaluation/series.csv so). The ensemble is the mean of the kept
repeats' forecasts (a repeat that diverged in any fit is left out, as for one series; with local models, one per
series, a (series, repeat) member that diverged in any fit is left out of its own series only). Nothing is fit
here; per-series work is grouped with numpy (`np.bincount` over pair groups), not a loop over series frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstm_tuning.data import panel as panel_data
from lstm_tuning.data.backtest import ROLES, Plan, Scored
from lstm_tuning.data.framings import series_roles
from lstm_tuning.errors import UserError
from lstm_tuning.evaluation import baselines, scores
from lstm_tuning.evaluation import scale as mase_scale
from lstm_tuning.evaluation.specs import LABELS

METRICS = ("mase", "smape", "rmse")
QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
LSTM = "lstm"  # the ensemble's key among the forecasters; its columns in series.csv have no prefix


# ---- the metrics ---------------------------------------------------------------------------------------------

def mase_lag(plan: Plan, season: int) -> int:
    """The seasonal naive's lag for a series: the season, or 1 where its shortest fit trains on `season` rows or
    fewer (no seasonal naive error exists in-sample)."""
    return mase_scale.lag(min(fit.cut - fit.start for fit in plan.backtest().fits), season)


def smape(actual: np.ndarray, forecasts: np.ndarray) -> np.ndarray:
    """Elementwise sMAPE terms (M3): 200 |y - f| / (|y| + |f|), 0 where y = f = 0."""
    denominator = np.abs(actual) + np.abs(forecasts)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = 200.0 * np.abs(actual - forecasts) / denominator
    return np.where(denominator == 0, 0.0, terms)


def group_scores(actual: np.ndarray, forecasts: np.ndarray, scale: np.ndarray, group: np.ndarray,
                 n_groups: int) -> dict[str, np.ndarray]:
    """MASE, sMAPE and RMSE [..., n_groups] of forecasts [..., pairs, n_out] against actual [pairs, n_out], each
    over the pairs of its group (group[i] of pair i; pair i's absolute errors divided by scale[i]) and all their
    steps. NaN for a group without pairs."""
    n_out = actual.shape[-1]
    counts = np.bincount(group, minlength=n_groups) * n_out
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero scale: inf, reported (details)
        terms = {"mase": np.abs(forecasts - actual) / scale[:, None], "smape": smape(actual, forecasts),
                 "rmse": (forecasts - actual) ** 2}
    result = {}
    for name, values in terms.items():
        per_pair = values.sum(axis=-1)
        flat = per_pair.reshape(-1, per_pair.shape[-1])
        sums = np.stack([np.bincount(group, weights=row, minlength=n_groups) for row in flat])
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (sums / counts).reshape(*per_pair.shape[:-1], n_groups)
        result[name] = np.sqrt(means) if name == "rmse" else means
    return result


# ---- the scored pairs ------------------------------------------------------------------------------------------

@dataclass
class Pairs:
    """The (origin, window) pairs a panel's backtests score, every series' by its own plan: window `window[i]`
    (of the concatenated windows) of series `series[i]` (its position), forecast by its fit `fit[i]` at its
    origin `origin[i]` (numbered within its series' plan) in role `role[i]`."""

    series: np.ndarray
    origin: np.ndarray
    window: np.ndarray
    fit: np.ndarray
    role: np.ndarray
    first_row: np.ndarray  # the window's first forecast row within its own series

    @classmethod
    def of(cls, plans: list[Plan], series_of_window: np.ndarray, first_rows: np.ndarray, n_out: int,
           lengths: list[int]) -> Pairs:
        order = np.argsort(series_of_window, kind="stable")
        bounds = np.searchsorted(series_of_window[order], np.arange(len(plans) + 1))
        parts = []
        for s, plan in enumerate(plans):
            own = order[bounds[s]: bounds[s + 1]]
            scored = Scored.of(plan, first_rows[own], n_out, lengths[s])
            parts.append((np.full(len(scored.window), s), scored.origin, own[scored.window], scored.fit,
                          scored.role, first_rows[own][scored.window]))
        return cls(*(np.concatenate(column) for column in zip(*parts)))

    def role_index(self) -> np.ndarray:
        """0 for validation pairs, 1 for test pairs."""
        return (self.role == "test").astype(int)


# ---- the evaluation ------------------------------------------------------------------------------------------

@dataclass
class PanelEvaluation:
    metrics: dict  # the headline: evaluation/metrics.json
    details: dict  # evaluation/details.json
    series: pd.DataFrame  # evaluation/series.csv: one row per (series, role)
    series_origins: pd.DataFrame  # evaluation/series_origins.csv: one row per (series, origin)
    repeats: pd.DataFrame  # evaluation/rmse.csv: per repeat, the means over series
    origins: pd.DataFrame  # evaluation/origins.csv: per origin, the means over series
    forecasts: pd.DataFrame  # evaluation/forecasts.csv: every series' test t+1 forecasts
    horizon: pd.DataFrame  # evaluation/horizon.csv: mean test MASE over series per forecast step
    diagnostics: pd.DataFrame  # per checkpoint and repeat: mean RMSE over series of training windows and each role
    diagnostics_mean: pd.DataFrame


def evaluate(cfg, frames: dict[str, pd.DataFrame], fits_by_series: dict[str, list[dict]], plans: dict[str, Plan],
             windows, checkpoints, repeats: pd.DataFrame, held_out: pd.DataFrame, fitted_baselines: dict,
             season: int) -> PanelEvaluation:
    """Every series of the panel scored: `frames` as ingested (id -> frame, in series order), each series' fits'
    transforms and backtest plan, the window stage's `windows` (`series`, `first_rows`), train's `checkpoints`
    and `repeats`, the baselines' forecasts from every `held_out` row (a `series` column first) and what they fit,
    and the MASE `season` (`evaluation.scale.season`)."""
    ids = list(frames)
    plan_list = [plans[i].backtest() for i in ids]
    n_fits = len(plan_list[0].fits)
    if any(len(p.fits) != n_fits for p in plan_list):
        raise UserError("data/origins.csv: the series' plans have different numbers of fits; every series of a panel "
                        "has the same backtest: run `dvc repro` (the transform stage)")
    repeats = repeats[repeats["fit"] < n_fits]
    per_repeat = repeats.groupby("repeat")
    kept = per_repeat["diverged"].any().pipe(lambda d: d.index[~d].to_numpy())
    # local models: [series, repeats] the members that diverged in a fit of the backtest, left out of their series
    dropped = checkpoints["series_diverged"][:n_fits].any(axis=0) if "series_diverged" in checkpoints else None
    if not len(kept):
        raise UserError("training/repeats.csv: every repeat diverged in some fit; nothing to score: lower "
                        "model.learning_rate or change the model")
    _, names = series_roles(cfg.task, cfg.data)
    series_of_window = np.asarray(windows["series"]) if "series" in windows else np.zeros(
        len(windows["first_rows"]), int)
    first_rows = np.asarray(windows["first_rows"])
    n_out = windows["y"].shape[2]
    targets = [frames[i][names[-1]].to_numpy(float) for i in ids]
    pairs = Pairs.of(plan_list, series_of_window, first_rows, n_out, [len(t) for t in targets])
    rows = pairs.first_row

    # true values, through one flat array of every series' target
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in targets])])
    flat = np.concatenate(targets)

    def actual_at(series: np.ndarray, first_rows: np.ndarray) -> np.ndarray:  # [windows, n_out]
        return flat[offsets[series][:, None] + first_rows[:, None] + np.arange(n_out)]

    actual = actual_at(pairs.series, rows)

    lags = np.array([mase_lag(p, season) for p in plan_list])
    scale_of = np.array([[mase_scale.naive_mae(t[f.start : f.cut], lag) for f in p.fits]
                         for t, p, lag in zip(targets, plan_list, lags)])  # [series, fits]
    scale = scale_of[pairs.series, pairs.fit]

    # the scored windows' forecasts: the kept weights' and, before them, every checkpoint's, converted together
    def at_pairs(scaled):
        return np.take(scaled, pairs.window, axis=-3)

    scaled = at_pairs(checkpoints["final"][:n_fits])[None, :, kept]
    history = checkpoints["forecasts"][:, :n_fits] if "forecasts" in checkpoints else None  # read from the file once
    if history is not None:
        scaled = np.concatenate([scaled, at_pairs(history)[:, :, kept]])
    levels = _scored_levels(scaled, pairs, fits_by_series, frames, names)  # [1 + checkpoints, repeats, pairs, n_out]
    if dropped is not None:
        lost = np.flatnonzero(dropped[:, kept].all(axis=1))
        if len(lost):
            raise UserError(f"training/checkpoints.npz: every repeat of series {ids[lost[0]]} diverged in some fit; "
                            "nothing to score it with: lower model.learning_rate or change the model")
        levels = np.where(dropped[pairs.series][:, kept].T[:, :, None], np.nan, levels)
    lstm = levels[0]
    forecasters = {LSTM: lstm.mean(axis=0) if dropped is None else np.nanmean(lstm, axis=0)}
    frame = held_out.astype({"series": str})
    picked = baselines.pick(frame, pairs.fit, rows, n_out, series=np.asarray(ids, dtype=object)[pairs.series])
    forecasters |= picked

    table = series_table(ids, pairs, actual, forecasters, scale, lags)
    repeat_means = _repeat_means(pairs, actual, lstm, scale, len(ids), kept, over_kept_series=dropped is not None)
    metrics = headline(table, list(picked), repeat_means)
    details = _details(table, metrics, list(picked), lags, season)
    details["repeats"] = {column: scores.describe(repeat_means[column].to_numpy())
                          for column in repeat_means.columns.drop("repeat")}
    details["per_repeat"] = repeat_means.to_dict(orient="records")
    details["repeats_diverged"] = int(len(per_repeat) - len(kept))
    if dropped is not None:
        details["members_diverged"] = int(dropped.sum())  # (series, repeat) members left out of their series
    details["origins"] = plan_list[0].counts()
    details["fits"] = n_fits
    details["baselines_fit"] = fitted_baselines
    details["verdict"] = verdict(metrics, details)

    def train_levels(k: int, chosen: np.ndarray) -> np.ndarray:  # fit k's checkpoints at windows `chosen`
        converted = panel_data.to_original_units(np.take(history[:, k : k + 1], chosen, axis=-3)[:, :, kept],
                                                 series_of_window[chosen], first_rows[chosen], ids, fits_by_series,
                                                 frames, names, fits=[k])
        return converted[:, 0, ..., -1]  # [checkpoints, repeats, windows, n_out]

    train_rmse = (_train_rmse(np.asarray(windows["train"])[:n_fits], train_levels, series_of_window, first_rows,
                              actual_at, len(ids), (len(history), len(kept))) if len(levels) > 1 else None)
    diagnostics = _diagnostics(checkpoints["epochs"], levels[1:], kept, pairs, actual, scale, len(ids), train_rmse)
    diagnostics_mean, details["diagnostics"] = scores.inflection(diagnostics)
    best = metrics["best_baseline"]
    grid = _origin_grid(pairs, actual, forecasters, scale, len(ids), len(plan_list[0].origins))
    return PanelEvaluation(
        metrics=metrics,
        details=details,
        series=table,
        series_origins=series_origins_table(ids, frames, plan_list, pairs, grid),
        repeats=repeat_means,
        origins=_per_origin(plan_list[0], pairs, grid, best),
        forecasts=_test_forecasts(ids, frames, pairs, actual, lstm, forecasters, best, over_kept=dropped is not None),
        horizon=_horizon(pairs, actual, lstm, forecasters, scale, len(ids), best),
        diagnostics=diagnostics,
        diagnostics_mean=diagnostics_mean,
    )


def evaluate_one(cfg, series: pd.DataFrame, fits: list[dict], plan: Plan, windows, checkpoints,
                 repeats: pd.DataFrame, held_out: pd.DataFrame, fitted_baselines: dict, season: int
                 ) -> PanelEvaluation:
    """A single-series run scored as a panel of one (its id the target's name), by the panel's metrics: its
    evaluation/series.csv and series_origins.csv; its headline stays `walk_forward`'s."""
    name = cfg.data.target
    one = {"series": np.zeros(len(windows["first_rows"]), int), "first_rows": windows["first_rows"], "y": windows["y"],
           "train": windows["train"]}
    return evaluate(cfg, {name: series}, {name: fits}, {name: plan}, one, checkpoints, repeats,
                    held_out.assign(series=name), fitted_baselines, season)


def _scored_levels(scaled: np.ndarray, pairs: Pairs, fits_by_series: dict, frames: dict,
                   names: list[str]) -> np.ndarray:
    """The target's forecasts [..., repeats, pairs, n_out] in original units, each pair's by its own fit, from
    scaled [..., fits, repeats, pairs, n_out, n_targets] (the scored windows only, in pair order: the cost grows
    with the pairs, not windows x fits)."""
    levels = np.full((*scaled.shape[:-5], scaled.shape[-4], scaled.shape[-3], scaled.shape[-2]), np.nan)
    ids = list(frames)
    for k in np.unique(pairs.fit):
        chosen = np.flatnonzero(pairs.fit == k)
        converted = panel_data.to_original_units(np.take(scaled[..., k: k + 1, :, :, :, :], chosen, axis=-3),
                                             pairs.series[chosen], pairs.first_row[chosen], ids, fits_by_series,
                                             frames, names, fits=[k])
        levels[..., chosen, :] = converted[..., 0, :, :, :, -1]
    return levels


def series_table(ids: list[str], pairs: Pairs, actual: np.ndarray, forecasters: dict[str, np.ndarray],
                 scale: np.ndarray, lags: np.ndarray) -> pd.DataFrame:
    """evaluation/series.csv: one row per (series, role) with pairs: its origins, MASE scale, and every
    forecaster's MASE, sMAPE and RMSE (the LSTM ensemble's unprefixed, each baseline's as `<name>_<metric>`)."""
    group = pairs.series * 2 + pairs.role_index()
    n_groups = 2 * len(ids)
    present = np.bincount(group, minlength=n_groups) > 0
    origins = np.bincount(np.unique(group * (pairs.origin.max() + 1) + pairs.origin) // (pairs.origin.max() + 1),
                          minlength=n_groups)
    columns = {"series": np.repeat(np.asarray(ids, dtype=object), 2), "role": np.tile(np.array(ROLES), len(ids)),
               "origins": origins,
               "mase_scale": np.repeat(np.where(lags > 1, "seasonal", "one-step"), 2)}
    for name, forecasts in forecasters.items():
        prefix = "" if name == LSTM else f"{name}_"
        for metric, values in group_scores(actual, forecasts, scale, group, n_groups).items():
            columns[prefix + metric] = values
    return pd.DataFrame(columns)[present].reset_index(drop=True)


def headline(table: pd.DataFrame, baseline_names: list[str], repeat_means: pd.DataFrame) -> dict:
    """evaluation/metrics.json from series.csv, in the single-series headline's shape (so a search's objective,
    `val_ensemble.mase`, and the study read both alike): per role, the means over series of the ensemble's scores
    (`<role>_ensemble`) and the mean over the kept repeats of each repeat's mean over series (`<role>_mean`); the
    best baseline (lowest mean MASE on the validation origins, else the test origins: `best_baseline_chosen_on`),
    its test means, the skill against it (1 - LSTM / baseline) and the number of series."""
    roles = [role for role in ROLES if (table["role"] == role).any()]
    means = {role: table[table["role"] == role].drop(columns=["series", "role", "mase_scale"]).mean(skipna=False)
             for role in roles}
    metrics = {}
    for role in roles:
        metrics[f"{role}_ensemble"] = {m: float(means[role][m]) for m in METRICS}
        metrics[f"{role}_mean"] = {m: float(repeat_means[f"{role}_{m}"].mean()) for m in METRICS}
    per_baseline = {b: {f"{role}_{m}": float(means[role][f"{b}_{m}"]) for role in roles for m in METRICS}
                    for b in baseline_names}
    best, chosen_on = scores.best_baseline(per_baseline, roles)
    best_test = {m: per_baseline[best][f"test_{m}"] for m in METRICS}
    return metrics | {
        "best_baseline": best,
        "best_baseline_chosen_on": chosen_on,
        "best_baseline_test": best_test,
        "skill": {m: scores.skill(metrics["test_ensemble"][m], best_test[m]) for m in METRICS},
        "series": int(table["series"].nunique()),
    }


def wins(table: pd.DataFrame, baseline: str, role: str = "test") -> dict[str, int]:
    """On how many series the LSTM ensemble's MASE is below `baseline`'s, above it, or equal."""
    rows = table[table["role"] == role]
    lstm, other = rows["mase"].to_numpy(), rows[f"{baseline}_mase"].to_numpy()
    return {"lstm": int((lstm < other).sum()), baseline: int((other < lstm).sum()),
            "ties": int((lstm == other).sum()), "series": len(rows)}


def _distribution(values: pd.Series) -> dict[str, float]:
    with np.errstate(invalid="ignore"):  # quantiles among inf values
        return {"mean": float(values.mean()),
                **{f"q{round(q * 100):02d}": float(values.quantile(q)) for q in QUANTILES}}


def _details(table: pd.DataFrame, metrics: dict, baseline_names: list[str], lags: np.ndarray, season: int) -> dict:
    roles = [role for role in ROLES if (table["role"] == role).any()]
    best = metrics["best_baseline"]
    by_role = {role: table[table["role"] == role] for role in roles}
    return {
        "series": metrics["series"],
        "mase_scale": {"season": season, "seasonal": int((lags > 1).sum()), "one-step": int((lags == 1).sum())},
        "baselines": {b: {f"{role}_{m}": float(by_role[role][f"{b}_{m}"].mean(skipna=False))
                          for role in roles for m in METRICS} for b in baseline_names},
        "mase_over_series": {role: {"lstm": _distribution(by_role[role]["mase"]),
                                    best: _distribution(by_role[role][f"{best}_mase"])} for role in roles},
        "wins": {b: wins(table, b) for b in baseline_names},
        "wins_vs_best": wins(table, best),
        # a series whose training rows repeat exactly every season has no scale: its MASE is inf and so the mean
        "series_without_finite_mase": int((~np.isfinite(table.groupby("series")["mase"].max())).sum()),
    }


def verdict(metrics: dict, details: dict) -> str:
    """The headline in one sentence, saying plainly when a classical model wins, e.g. "AutoETS beats the LSTM on
    mean test MASE over 1,428 series: 0.950 vs 1.020 ..."."""
    best = metrics["best_baseline"]
    label = LABELS.get(best, best)
    lstm, baseline, skill = (metrics["test_ensemble"]["mase"], metrics["best_baseline_test"]["mase"],
                             metrics["skill"]["mase"])
    count = details["wins_vs_best"]
    n = f"{metrics['series']:,}"
    chosen = ("the best baseline, chosen on the validation origins" if metrics["best_baseline_chosen_on"] == "val" else
              "the best baseline, chosen on the test origins: there are no validation origins, so the choice saw "
              "the test period")
    lstm_smape, baseline_smape = metrics["test_ensemble"]["smape"], metrics["best_baseline_test"]["smape"]
    if skill == 0:
        return (f"The LSTM and {label} ({chosen}) tie on mean test MASE over {n} series: {lstm:.3f} (sMAPE "
                f"{lstm_smape:.2f} vs {baseline_smape:.2f}); the LSTM is better on {count['lstm']:,} of {n} series, "
                f"{label} on {count[best]:,}.")
    if skill is not None and skill > 0:
        return (f"The LSTM beats {label} ({chosen}) on mean test MASE over {n} series: {lstm:.3f} vs {baseline:.3f} "
                f"(skill {scores.skill_text(skill)}; sMAPE {lstm_smape:.2f} vs {baseline_smape:.2f}); the LSTM is "
                f"better on {count['lstm']:,} of {n} series, {label} on {count[best]:,}.")
    return (f"{label} ({chosen}) beats the LSTM on mean test MASE over {n} series: {baseline:.3f} vs the LSTM's "
            f"{lstm:.3f} (skill {scores.skill_text(skill)}; sMAPE {baseline_smape:.2f} vs the LSTM's "
            f"{lstm_smape:.2f}); "
            f"{label} is better on {count[best]:,} of {n} series, the LSTM on {count['lstm']:,}.")


def _repeat_means(pairs: Pairs, actual: np.ndarray, lstm: np.ndarray, scale: np.ndarray, n_series: int,
                  kept: np.ndarray, over_kept_series: bool = False) -> pd.DataFrame:
    """Per kept repeat: its own forecasts' MASE, sMAPE and RMSE per series, averaged over series, per role
    (`over_kept_series`: over the series where its member did not diverge, local models')."""
    group = pairs.series * 2 + pairs.role_index()
    per_group = group_scores(actual, lstm, scale, group, 2 * n_series)  # [repeats, groups]
    columns = {"repeat": kept}
    for r, role in enumerate(ROLES):
        if (pairs.role == role).any():
            for metric, values in per_group.items():
                columns[f"{role}_{metric}"] = (_mean_over_series(values[:, r::2].T) if over_kept_series else
                                               values[:, r::2].mean(axis=1))
    return pd.DataFrame(columns)


def _mean_over_series(values: np.ndarray) -> np.ndarray:
    """The mean over axis 0 (series) of the series that have a score there (a series may have no pair at some
    origin or step of a rolling backtest); NaN where none has."""
    finite = ~np.isnan(values)
    counts = finite.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(finite, values, 0.0).sum(axis=0) / counts


def _origin_grid(pairs: Pairs, actual: np.ndarray, forecasters: dict, scale: np.ndarray, n_series: int,
                 n_origins: int) -> dict[str, dict[str, np.ndarray]]:
    """Every forecaster's MASE, sMAPE and RMSE [series, origins] over the pairs of each series at each origin
    (numbered within each series' plan; every series has the same number); NaN where a series has none."""
    group = pairs.series * n_origins + pairs.origin
    return {name: {metric: values.reshape(n_series, n_origins)
                   for metric, values in group_scores(actual, forecasts, scale, group, n_series * n_origins).items()}
            for name, forecasts in forecasters.items()}


def series_origins_table(ids: list[str], frames: dict, plans: list[Plan], pairs: Pairs, grid: dict) -> pd.DataFrame:
    """evaluation/series_origins.csv: one row per (series, origin) with pairs: the origin's number, role and time
    (the label of its first forecast row in its series), and every forecaster's scores from it (the LSTM
    ensemble's unprefixed, each baseline's as `<name>_<metric>`), MASE on the series' own scale. What a study
    pairs configurations over."""
    n_origins = len(plans[0].origins)
    present = np.zeros((len(ids), n_origins), bool)
    present[pairs.series, pairs.origin] = True
    series, origin = np.nonzero(present)
    firsts = np.array([[o.first for o in plan.origins] for plan in plans])
    offsets = np.r_[0, np.cumsum([len(frames[i]) for i in ids])[:-1]]
    times = np.concatenate([frames[i].index.to_numpy() for i in ids])[offsets[series] + firsts[series, origin]]
    columns = {"series": np.asarray(ids, dtype=object)[series], "origin": origin,
               "role": np.array([o.role for o in plans[0].origins])[origin], "time": times}
    for name, metrics in grid.items():
        prefix = "" if name == LSTM else f"{name}_"
        columns |= {prefix + metric: values[series, origin] for metric, values in metrics.items()}
    return pd.DataFrame(columns)


def _per_origin(plan: Plan, pairs: Pairs, grid: dict, best: str) -> pd.DataFrame:
    """Per origin (numbered within each series' plan; every series has the same): its role and fit, and the
    means over series of every forecaster's scores at it (`lstm_*`: the ensemble)."""
    n_origins = len(plan.origins)
    present = np.bincount(pairs.origin, minlength=n_origins) > 0
    columns = {"origin": np.arange(n_origins), "role": [o.role for o in plan.origins],
               "fit": [o.fit for o in plan.origins]}
    for name, metrics in grid.items():
        columns |= {f"{name}_{metric}": _mean_over_series(values) for metric, values in metrics.items()}
    frame = pd.DataFrame(columns)[present].reset_index(drop=True)
    return frame.assign(**{f"best_baseline_{m}": frame[f"{best}_{m}"] for m in METRICS})


def _test_forecasts(ids: list[str], frames: dict, pairs: Pairs, actual: np.ndarray, lstm: np.ndarray,
                    forecasters: dict, best: str, over_kept: bool = False) -> pd.DataFrame:
    """Every series' test windows' t+1 forecasts: the repeats' mean and range (`over_kept`: of the members kept,
    NaN for the others: local models'), every baseline's."""
    mean, low, high = (np.nanmean, np.nanmin, np.nanmax) if over_kept else (np.mean, np.min, np.max)
    tested = np.flatnonzero(pairs.role == "test")
    series = pairs.series[tested]
    return pd.DataFrame({
        "step": np.arange(1, len(tested) + 1),
        "series": np.asarray(ids, dtype=object)[series],
        "time": [frames[ids[s]].index[row] for s, row in zip(series, pairs.first_row[tested])],
        "origin": pairs.origin[tested],
        "actual": actual[tested, 0],
        "forecast_mean": mean(lstm[:, tested, 0], axis=0),
        "forecast_min": low(lstm[:, tested, 0], axis=0),
        "forecast_max": high(lstm[:, tested, 0], axis=0),
        **{name: f[tested, 0] for name, f in forecasters.items() if name != LSTM},
        "best_baseline": forecasters[best][tested, 0],
    })


def _horizon(pairs: Pairs, actual: np.ndarray, lstm: np.ndarray, forecasters: dict, scale: np.ndarray,
             n_series: int, best: str) -> pd.DataFrame:
    """Mean test MASE over series at each forecast step t+h: the repeats' mean and range, the ensemble's and
    every baseline's."""
    tested = pairs.role == "test"
    group, n_out = pairs.series[tested], actual.shape[1]

    def per_step(forecasts):  # [..., pairs, n_out] -> mean MASE over series [..., n_out]
        return np.stack([_mean_over_series(np.moveaxis(group_scores(
            actual[tested, h: h + 1], forecasts[..., tested, h: h + 1], scale[tested], group, n_series)["mase"], -1, 0))
            for h in range(n_out)], axis=-1)

    repeats = per_step(lstm)
    return pd.DataFrame({
        "horizon": np.arange(1, n_out + 1),
        "lstm_mean": repeats.mean(axis=0), "lstm_min": repeats.min(axis=0), "lstm_max": repeats.max(axis=0),
        **{("lstm_ensemble" if name == LSTM else name): per_step(f) for name, f in forecasters.items()},
        "best_baseline": per_step(forecasters[best]),
    })


def _train_rmse(train: np.ndarray, train_levels, series_of_window: np.ndarray, first_rows: np.ndarray, actual_at,
                n_series: int, shape: tuple[int, int]) -> np.ndarray:
    """Per checkpoint and kept repeat [checkpoints, repeats]: the mean over series of each series' RMSE over every
    fit's training windows (`train` [fits, windows]) in original units, as the single-series diagnostics pool them
    (a window without a forecast, such as a stateful fit's trimmed first ones, is left out). One fit's windows are
    converted at a time (`train_levels(k, windows)`), so the memory is one fit's, not every fit's."""
    sums, counts = np.zeros((2, shape[0] * shape[1], n_series))
    for k in range(len(train)):
        chosen = np.flatnonzero(train[k])
        squared = (train_levels(k, chosen) - actual_at(series_of_window[chosen], first_rows[chosen])) ** 2
        finite = np.isfinite(squared)
        group = series_of_window[chosen]
        for total, values in ((sums, np.where(finite, squared, 0.0)), (counts, finite)):
            total += np.stack([np.bincount(group, weights=row, minlength=n_series)
                               for row in values.sum(axis=-1).reshape(len(total), -1)])
    with np.errstate(invalid="ignore", divide="ignore"):  # a series without a training forecast: NaN, left out
        per_series = np.sqrt(sums / counts)  # [checkpoints x repeats, series]
    return _mean_over_series(per_series.T).reshape(shape)


def _diagnostics(epochs: np.ndarray, levels: np.ndarray, kept: np.ndarray, pairs: Pairs, actual: np.ndarray,
                 scale: np.ndarray, n_series: int, train_rmse: np.ndarray | None) -> pd.DataFrame:
    """Per checkpoint and kept repeat: the mean RMSE over series of every fit's training windows (`train_rmse`,
    `_train_rmse`'s) and of each role's scored pairs, in original units; levels [checkpoints, repeats, pairs,
    n_out]."""
    if not len(levels):
        return pd.DataFrame(columns=["epoch", "repeat", "train_rmse", "val_rmse", "test_rmse"])
    columns = {"train_rmse": train_rmse}
    for role in ("val", "test"):
        chosen = pairs.role == role
        if chosen.any():
            rmse = group_scores(actual[chosen], levels[..., chosen, :], scale[chosen], pairs.series[chosen],
                                n_series)["rmse"]
            columns[f"{role}_rmse"] = _mean_over_series(np.moveaxis(rmse, -1, 0))
        else:
            columns[f"{role}_rmse"] = np.full((len(epochs), len(kept)), np.nan)
    return pd.DataFrame({"epoch": np.repeat(epochs, len(kept)), "repeat": np.tile(kept, len(epochs)),
                         **{name: values.ravel() for name, values in columns.items()}})
