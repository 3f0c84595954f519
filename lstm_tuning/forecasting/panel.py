"""Forecasts past the end of every series of a panel (`data.id_column` set) by the global model (one set of
weights per fit and repeat, shared by every series), with conformal intervals per series and step, and
`PanelForecaster`, the saved models that forecast a long frame, series never trained on included. Local models
(`model.scope: local`, one set of weights per series, fit and repeat) forecast the same way, each series by its
own repeats (the backtest's errors too), all series in one compiled call; they forecast their training series
only.

Point forecasts: the final fit's repeats (trained on every row of every series) forecast each series
recursively from its own last window, in its own scaling, back in its own original units; the steps continue
its own time index.

Intervals are pooled across series on a scale-free basis. A series of a panel has few backtest origins (a
holdout of 18 test months gives it 18 errors at step 1 and one at step 18), too few for conformal quantiles
of its own (a 95% interval needs 19 errors at a step, and n errors give only a 1 - 1/(n + 1) guarantee). Pooled
as they are, the errors of the series with the largest values would set every series' interval. So each
backtest error is divided by its series' scale, the in-sample MAE of the seasonal naive on the training rows
of the fit that made it (the one-step naive where those rows are no longer than a season): the scale of the
panel's MASE, which removes level and spread. The conformal quantile of the pooled |scaled errors| is taken
per step and level (`intervals.half_widths`), and a series' half-width is that quantile times its own scale
on every row (the final fit's training rows). The guarantee then rests on the scaled errors being exchangeable
across series, rather than on a few errors of one series.

Coverage is checked as it would have been lived (`intervals.coverage`): series are aligned at their own ends
(each series' held-out rows are its own last rows), and the interval at a test origin `d` rows before its
series' end uses the pooled scaled errors of every series resolved more than `d` rows before that series' end.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lstm_tuning import config, paths
from lstm_tuning.data import framings, timeline, transforms
from lstm_tuning.data.backtest import Plan, Scored
from lstm_tuning.data.specs import TOO_SHORT_FIX
from lstm_tuning.errors import UserError
from lstm_tuning.evaluation import scale
from lstm_tuning.forecasting import intervals, past_end
from lstm_tuning.forecasting.forecaster import PARAMS_FILE, SPEC_FILE
from lstm_tuning.models.specs import MODELS

log = logging.getLogger("forecast")

SCOPE = "panel"  # forecaster.json's "scope" of a panel's forecaster: `forecaster.load` hands it to `from_spec`
SERIES = "series"  # the id column of the panel's forecast files
LOCAL_WEIGHTS = "local_weights.npz"  # local models' final-fit weights, per variable [series, repeats, ...]


def naive_scale(values: np.ndarray, season: int) -> tuple[float, bool]:
    """A series' MASE scale over `values` (a fit's training rows: `scale.naive_mae` at `scale.lag`), and whether
    it is seasonal."""
    lag = scale.lag(len(values), season)
    return scale.naive_mae(values, lag), lag > 1


@dataclass
class PanelForecaster:
    """The final fit, forecasting series with the training series' variables: the global model any series, the
    local models (model.scope=local) each its own trained series."""

    cfg: config.Config
    model: object  # a Keras model of the architecture: the layout of `weights`
    # per trainable variable, [repeats, ...]: every repeat kept, stacked (local: [series, repeats, ...])
    weights: list[np.ndarray]
    repeats: list[int]  # which repeat each is
    id_column: str  # the series column of a long frame
    time_column: str  # its time column
    season: int  # of the scale (`naive_scale`) that turns the pooled quantiles into half-widths
    quantiles: dict[float, np.ndarray]  # level (percent) -> [steps, targets] of the pooled |scaled errors|
    transforms: dict[str, dict[str, transforms.SeriesTransform]]  # per trained series, the final fit's (a record)
    local_series: list[str] | None = None  # local scope: the series whose weights `weights` hold, in order

    def forecast(self, frame: pd.DataFrame | str | Path, horizon: int | None = None) -> pd.DataFrame:
        """The next `horizon` steps (default forecast.horizon) after the end of every series of the long `frame`
        (or CSV): columns `id_column`, `time_column` (or the index) and the variables trained on. Each series is
        scaled as the final fit scaled it, with transforms fit on its own rows, so a series the model never saw
        is forecast as a trained one; its half-widths are the pooled quantiles times its own scale. One row per
        series, step and target: series, time, step, target, forecast, lower_<level> / upper_<level>."""
        frames, source = self._read(frame)
        return self.forecast_frames(frames, horizon, source=source)

    def forecast_frames(self, frames: dict[str, pd.DataFrame], horizon: int | None = None,
                        fitted: dict[str, dict[str, transforms.SeriesTransform]] | None = None,
                        source: str = "series") -> pd.DataFrame:
        """`forecast` of series given as frames indexed by time, by id; with `fitted` (per id) their transforms
        are those, else fit on every row of each."""
        cfg = self.cfg
        horizon = horizon or cfg.forecast.horizon
        inputs, targets = framings.series_roles(cfg.task, cfg.data)
        if not framings.TASKS[cfg.task.name].recursive:
            raise UserError(f"{source}: task={cfg.task.name} forecasts {cfg.data.target} from the covariates of the "
                            "same steps, whose values past the end are unknown; forecast with a framing whose inputs "
                            "include the target (univariate, multiple_parallel...)")
        names = [*cfg.data.covariates, cfg.data.target]
        weights = self.weights
        if self.local_series is not None:  # each series forecast by its own models
            index = {name: s for s, name in enumerate(self.local_series)}
            unknown = [name for name in frames if name not in index]
            if unknown:
                raise UserError(f"{source}: series {unknown[0]!r} was not trained: local models (model.scope=local) "
                                f"have weights for their {len(index)} training series only; forecast it with a model "
                                "trained with model.scope=global")
            weights = [w[[index[name] for name in frames]] for w in weights]
        carries_state = MODELS[self.model.name].carries_state
        n_lags, lost = cfg.data.n_lags, sum(cfg.data.diff_lags)
        walks, used, known = [], {}, []
        for name, frame in frames.items():
            where = f"{source}, series {name!r}"
            values = frame[names].astype(float)
            if len(values) < n_lags + lost + 1:
                raise UserError(f"{where}: {len(values)} rows are too few to forecast from: data.n_lags={n_lags} "
                                f"values after differencing are needed; {TOO_SHORT_FIX}")
            if fitted is None:
                scaled, used[name] = transforms.fit_transform(values, cfg.data.diff_lags, cfg.data.undifferenced,
                                                              slice(0, len(values)), cfg.data.transform, where)
            else:
                used[name] = fitted[name]
                scaled = transforms.apply(values, used[name], where)
            latest = scaled[inputs].to_numpy(float)[-n_lags:]
            if not np.isfinite(latest).all():
                raise UserError(f"{where}: its last {n_lags} rows are not all finite after differencing; "
                                f"{TOO_SHORT_FIX}")
            latest, fed_back = framings.latest_with_calendar(latest, values.index, cfg.task, cfg.data, horizon, where)
            if fed_back is not None:  # the calendar inputs of the rows fed back past its end
                known.append(fed_back)
            history = np.zeros((0, *latest.shape), "float32")
            if carries_state:  # a stateful model builds its state over the whole series
                try:
                    history = framings.frame(scaled, cfg.task, cfg.data, where).X
                except ValueError:  # too short for a whole window with its targets: the latest lags alone
                    pass
            walks.append(np.concatenate([history, latest[None].astype("float32")]))
        position = np.repeat(np.arange(len(walks)), [len(w) for w in walks])
        X = np.concatenate(walks)
        ends = np.cumsum([len(w) for w in walks]) - 1  # each series' latest window
        train = np.ones(len(X), bool)
        train[ends] = False
        ahead = forecast_ahead(self.model, X, train, position, ends, horizon, weights, self.local_series is not None,
                               np.stack(known) if known else None)
        frames_out = []
        for s, (name, frame) in enumerate(frames.items()):
            observed = frame[targets].to_numpy(float)
            levels = transforms.to_original_units(ahead[:, s : s + 1], np.array([len(frame)]),
                                                  [used[name][n] for n in targets], observed)[:, 0]
            scales = np.array([naive_scale(observed[:, j], self.season)[0] for j in range(len(targets))])
            times = after(frame.index, cfg.data.frequency, horizon, f"{source}, series {name!r}")
            point = levels.mean(axis=0) if self.local_series is None else np.nanmean(levels, axis=0)  # (diverged: NaN)
            frames_out.append(series_forecast(name, times, targets, point, self.quantiles, scales))
        return pd.concat(frames_out, ignore_index=True)

    def _read(self, frame) -> tuple[dict[str, pd.DataFrame], str]:
        source = "frame" if isinstance(frame, pd.DataFrame) else str(frame)
        if not isinstance(frame, pd.DataFrame):
            frame = pd.read_csv(frame)
        data = self.cfg.data
        # the time column as ingest wrote it, or as the data option names it in the user's own file
        named = [name for name in (self.time_column, getattr(data, "date_column", None)) if name in frame.columns]
        if named:
            frame = frame.set_index(named[0])
        elif isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:  # row numbers, not times
            raise UserError(f"{source}: no column {self.time_column!r}; the models forecast a long frame of columns "
                            f"{self.id_column} (the series), {self.time_column} (or the index) and the variables")
        names = [self.id_column, *self.cfg.data.covariates, self.cfg.data.target]
        missing = [name for name in names if name not in frame.columns]
        if missing:
            raise UserError(f"{source}: no column {missing[0]!r}; the models forecast a long frame of columns "
                            f"{self.id_column} (the series), {self.time_column} (or the index) and "
                            f"{', '.join(names[1:])}")
        times = frame.index
        if not pd.api.types.is_numeric_dtype(times) and not isinstance(times, pd.DatetimeIndex):
            try:
                times = pd.DatetimeIndex(pd.to_datetime(times, format=getattr(data, "date_format", None)))
            except (ValueError, TypeError) as exc:
                raise UserError(f"{source}: the time column {self.time_column!r} holds neither numbers nor dates "
                                f"({str(exc).splitlines()[0]}); give dates, e.g. 2001-01-31, or set "
                                "data.date_format") from None
        frame = frame.set_axis(times.rename(self.time_column))
        frames = {}
        for name, rows in frame.groupby(frame[self.id_column].astype(str), sort=True):
            rows = rows.sort_index()
            repeated = rows.index.duplicated()
            if repeated.any():
                label = timeline.label(rows.index, int(np.argmax(repeated)))
                raise UserError(f"{source}: series {name!r} has time {label} twice; keep one row per series and time")
            frames[name] = rows.drop(columns=self.id_column)
        return frames, source

    def save(self, directory: Path, models: Path) -> None:
        """Into `directory`: the repeats' Keras files, copied as they are from `models` (the train stage's),
        and what forecasting needs besides."""
        for repeat in self.repeats:  # (local: the architecture; each series' weights in LOCAL_WEIGHTS)
            shutil.copyfile(models / paths.model_file(repeat), directory / paths.model_file(repeat))
        if self.local_series is not None:
            np.savez(directory / LOCAL_WEIGHTS, **{f"weight_{i:03d}": w for i, w in enumerate(self.weights)})
        (directory / PARAMS_FILE).write_text(yaml.safe_dump(config.as_dict(self.cfg), sort_keys=False))
        (directory / SPEC_FILE).write_text(json.dumps({
            "scope": SCOPE,
            "local_series": self.local_series,
            "repeats": self.repeats,
            "id_column": self.id_column,
            "time_column": self.time_column,
            "season": self.season,
            "scaled_quantiles": {f"{level:g}": np.where(np.isfinite(q), q, None).tolist()
                                 for level, q in self.quantiles.items()},
            "transforms": {name: transforms.write_fits([fit])[0] for name, fit in self.transforms.items()},
        }, indent=1) + "\n")

    @classmethod
    def from_spec(cls, cfg, models: list, weights: list[np.ndarray], spec: dict, directory: Path) -> PanelForecaster:
        """The forecaster `save` wrote in `directory`, from its forecaster.json `spec`, the loaded Keras `models`
        and their stacked `weights` (local: each series' from LOCAL_WEIGHTS instead)."""
        local_series = spec.get("local_series")
        if local_series is not None:
            with np.load(directory / LOCAL_WEIGHTS) as stored:
                weights = [stored[name] for name in sorted(stored.files)]
        return cls(
            cfg=cfg, model=models[0], weights=weights, repeats=spec["repeats"], id_column=spec["id_column"],
            time_column=spec["time_column"], season=spec["season"],
            quantiles={float(level): np.array(q, float) for level, q in spec["scaled_quantiles"].items()},
            transforms={name: transforms.read_fits([fit])[0] for name, fit in spec["transforms"].items()},
            local_series=local_series,
        )


def after(index: pd.Index, frequency, steps: int, source: str) -> pd.Index:
    """`timeline.after`, whole-numbered labels (M3's month numbers, with data.frequency 1) kept whole."""
    times = timeline.after(index, frequency, steps, source)
    if pd.api.types.is_integer_dtype(index) and (times == np.round(times)).all():
        return times.astype(index.dtype)
    return times


def series_forecast(name: str, times: pd.Index, targets: list[str], point: np.ndarray,
                    quantiles: dict[float, np.ndarray], scales: np.ndarray) -> pd.DataFrame:
    """Rows per step and target of one series: the point forecast [steps, targets] and its bounds at every
    level, each half-width the pooled quantile of its step times the series' scale [targets]."""
    steps = len(times)
    frames = []
    for j, target in enumerate(targets):
        frame = pd.DataFrame({SERIES: name, "time": times, "step": np.arange(1, steps + 1), "target": target,
                              "forecast": point[:, j]})
        for level, quantile in quantiles.items():
            width = np.full(steps, np.nan)
            known = min(steps, len(quantile))
            width[:known] = quantile[:known, j] * scales[j]
            frame[f"lower_{level:g}"] = point[:, j] - width
            frame[f"upper_{level:g}"] = point[:, j] + width
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def forecast_ahead(model, X: np.ndarray, train: np.ndarray, position: np.ndarray, origins: np.ndarray, steps: int,
                   weights: list[np.ndarray], local: bool = False, known: np.ndarray | None = None) -> np.ndarray:
    """`training.forecast_ahead` over the windows of every series `X` [n, ...] (`position` [n]: each window's
    series; `origins` grouped by series in series order): [repeats, len(origins), steps, targets], each fed-back
    row followed by its origin's row of `known` [len(origins), steps, n_known] (the calendar inputs). A model
    that reads each window on its own forecasts every origin at once; a model that carries state walks each
    series' own windows from its first training window (`train` [n]), never another series'.

    `local` (model.scope=local): `weights` are per variable [series, repeats, ...] (series s: the series at
    position s) and each origin is forecast by its own series' repeats (repeat r of the result: each series'
    repeat r). Every series' origins are lanes of one call over its (series x repeats) members."""
    from lstm_tuning import training

    carries_state = MODELS[model.name].carries_state
    if local and not carries_state:
        return _forecast_own_members(model, X, position, origins, steps, weights, known)
    if not carries_state:
        return training.forecast_ahead([model], X, train, origins, steps, weights, known)
    ahead = []
    for s in dict.fromkeys(position[origins]):
        mine = np.flatnonzero(position == s)
        own = [w[s] for w in weights] if local else weights
        theirs = position[origins] == s
        ahead.append(training.forecast_ahead([model], X[mine], train[mine], origins[theirs] - mine[0], steps, own,
                                             None if known is None else known[theirs]))
    return np.concatenate(ahead, axis=1)


def _forecast_own_members(model, X, position, origins, steps, weights, known) -> np.ndarray:
    """A local panel's `forecast_ahead` by a model that reads each window on its own: members (series with an
    origin x repeats), each with its series' origins as lanes (padded to the most any series has with its
    last origin's window: forecast and dropped), in one compiled program."""
    from lstm_tuning import training

    series, group = np.unique(position[origins], return_inverse=True)  # group: each origin's row of `series`
    lane = np.zeros(len(origins), int)
    counts = np.bincount(group, minlength=len(series))
    rows = np.zeros((len(series), int(counts.max()), *X.shape[1:]), "float32")
    lanes_known = None if known is None else np.zeros((*rows.shape[:2], *known.shape[1:]))
    for g in range(len(series)):
        mine = np.flatnonzero(group == g)
        lane[mine] = np.arange(len(mine))
        padded = mine[np.minimum(np.arange(rows.shape[1]), len(mine) - 1)]
        rows[g] = X[origins[padded]]
        if known is not None:
            lanes_known[g] = known[padded]
    repeats = weights[0].shape[1]
    members = [np.asarray(w[series]).reshape(len(series) * repeats, *w.shape[2:]) for w in weights]
    ahead = training.forecast_lanes(model, members, np.repeat(rows, repeats, axis=0), steps,
                                    None if known is None else np.repeat(lanes_known, repeats, axis=0))
    ahead = ahead.reshape(len(series), repeats, *ahead.shape[1:])  # [series, repeats, lanes, steps, targets]
    return ahead[group, :, lane].swapaxes(0, 1)


def trained_locally(cfg, windows: dict) -> bool:
    """Whether train kept weights per series ([fits, series, repeats, ...]): model.scope=local on more than one
    series (a local model of one series is its global model, as training lays it out)."""
    return cfg.model.scope == "local" and len(np.unique(windows["series"])) > 1


@dataclass
class Backtest:
    """The pooled backtest errors of every series: one row per (series, origin)."""

    scaled: np.ndarray  # [origins, steps, targets] errors of the ensemble / the series' scale on that fit
    series: np.ndarray  # [origins] position of the origin's series
    from_end: np.ndarray  # [origins] the origin's row minus its series' rows (< 0): series aligned at their ends
    tested: np.ndarray  # [origins] a test origin
    one_step: np.ndarray  # [series] whether a fit's scale is the one-step naive's (rows no longer than a season)


def backtest_errors(cfg, frames: list[pd.DataFrame], plans: list[Plan], windows: dict, fitted: list[list[dict]],
                    model, stacked: list[np.ndarray], diverged: np.ndarray, horizon: int, season: int) -> Backtest:
    """The ensemble's recursive forecasts from every origin of every series' backtest (each window from a
    held-out row on, as for one series), each by the fit that forecasts that origin with its repeats that did
    not diverge; their errors once observed (NaN past the series' end), divided by the series' scale on that
    fit's training rows."""
    _, targets = framings.series_roles(cfg.task, cfg.data)
    position, first_rows = windows["series"], windows["first_rows"]
    parts, known = [], []
    for s, (frame, plan) in enumerate(zip(frames, plans)):
        mine = np.flatnonzero(position == s)
        scored = Scored.of(plan, first_rows[mine], 1, len(frame))
        parts.append((np.full(len(scored.window), s), mine[scored.window], scored.fit, scored.role == "test"))
        # the calendar inputs of the rows each origin feeds back, past the series' end too
        carried = framings.calendar_ahead(frame.index, cfg.task, cfg.data, horizon, f"{SERIES} {windows['ids'][s]!r}")
        if carried is not None:
            known.append(carried[first_rows[mine[scored.window]][:, None] + np.arange(horizon)])
    series, window, fit, tested = (np.concatenate(column) for column in zip(*parts))
    known = np.concatenate(known) if known else None
    rows = first_rows[window]
    lengths = np.array([len(frame) for frame in frames])
    scaled = np.full((len(window), horizon, len(targets)), np.nan)
    one_step = np.zeros(len(frames), bool)
    for k in np.unique(fit):
        pairs = np.flatnonzero(fit == k)
        kept = np.flatnonzero(~diverged[k])
        if not len(kept):
            log.warning("every repeat of fit %d of the backtest diverged: its %d origins give the intervals no error",
                        k, len(pairs))
            continue
        local = trained_locally(cfg, windows)  # stacked [fits, series, repeats, ...]: each series' own repeats
        ahead = forecast_ahead(model, windows["X"][k], windows["train"][k], position, window[pairs], horizon,
                               [w[k][:, kept] if local else w[k][kept] for w in stacked], local,
                               None if known is None else known[pairs])
        starts = np.flatnonzero(np.r_[True, np.diff(series[pairs]) != 0])  # pairs are grouped by series
        for block in np.split(np.arange(len(pairs)), starts[1:]):
            s = int(series[pairs[block[0]]])
            observed = frames[s][targets].to_numpy(float)
            first = rows[pairs[block]]
            levels = transforms.to_original_units(ahead[:, block], first, [fitted[s][k][n] for n in targets],
                                                  observed)
            steps = first[:, None] + np.arange(horizon)
            actual = observed[np.minimum(steps, len(observed) - 1)]
            ensemble = np.nanmean(levels, axis=0) if local else levels.mean(axis=0)  # (local: diverged members NaN)
            errors = np.where((steps < len(observed))[..., None], actual - ensemble, np.nan)
            training_rows = observed[plans[s].fits[k].start : plans[s].fits[k].cut]
            scales = [naive_scale(training_rows[:, j], season) for j in range(len(targets))]
            one_step[s] |= season > 1 and not scales[-1][1]
            scale = np.array([value for value, _ in scales])
            scale = np.where(scale > 0, scale, np.nan)  # a constant series has no scale: its errors are left out
            scaled[pairs[block]] = errors / scale
    return Backtest(scaled, series, rows - lengths[series], tested, one_step)


def pooled_coverage(scaled: np.ndarray, from_end: np.ndarray, tested: np.ndarray, levels: list[float]) -> np.ndarray:
    """`intervals.coverage` of pooled errors [origins, steps, targets] whose origins are `from_end` rows before
    their series' ends: every test origin as far from its end shares its earlier errors at each step, so one
    quantile serves them all. [levels, origins, steps, targets] of 1 (inside), 0 (outside), NaN (unchecked)."""
    _, steps, n_targets = scaled.shape
    inside = np.full((len(levels),) + scaled.shape, np.nan)
    absolute = np.abs(scaled)
    for distance in np.unique(from_end[tested]):
        at = np.flatnonzero(tested & (from_end == distance))
        for h in range(steps):
            earlier = from_end + h < distance  # resolved before the origin, each series counted from its end
            for j in range(n_targets):
                pool = absolute[earlier, h, j]
                mine = absolute[at, h, j]
                checked = at[np.isfinite(mine)]
                if not np.isfinite(pool).any() or not len(checked):
                    continue
                for i, level in enumerate(levels):
                    width, _ = intervals.conformal_quantile(pool, level)
                    inside[i, checked, h, j] = absolute[checked, h, j] <= width
    return inside


@dataclass
class PanelPastEnd:
    forecaster: PanelForecaster
    forecast: pd.DataFrame  # every series' steps past its own end, bounds per level
    intervals: pd.DataFrame  # per step and target: the pooled quantiles, the errors behind them, test coverage
    metrics: dict  # coverage on the test origins per level, and what it rests on


def forecast_past_end(cfg, frames: dict[str, pd.DataFrame], plans: dict[str, Plan], windows: dict,
                      fitted: dict[str, list[dict]], weights: dict, models: Path, season: int,
                      source: str = "data/series.csv") -> PanelPastEnd:
    """The panel's `past_end.forecast_past_end`: `frames` (every series as ingested, by id), each series' plan
    (its final fit last) and transforms per fit, the window stage's `windows` (every series' windows, `series`
    and `ids` saying whose), what train kept (`weights`, the final fit's Keras files in `models`) and the
    MASE scale's `season`. The forecaster, every trained series' forecast past its own end and the pooled
    intervals' calibration."""

    ids = [str(name) for name in windows["ids"]]
    unknown = [name for name in ids if name not in frames or name not in plans or name not in fitted]
    if unknown:
        raise UserError(f"{paths.WINDOWS}: series {unknown[0]!r} is not in {source}, {paths.ORIGINS} and "
                        f"{paths.SCALING}; rerun the pipeline from the transform stage (`dvc repro`)")
    recursive = framings.TASKS[cfg.task.name].recursive
    if recursive:  # the dates past each end need a frequency
        for name in ids:
            after(frames[name].index, cfg.data.frequency, cfg.forecast.horizon, f"{source}, series {name!r}")
    final = plans[ids[0]].final_fit
    if final is None or any(plans[name].final_fit != final for name in ids):
        raise UserError(f"{paths.ORIGINS}: no final fit (the fit on every row) for every series; rerun the pipeline "
                        "from the transform stage (`dvc repro`)")
    diverged, stacked, kept, model = past_end.trained_members(weights, final, models)
    local = trained_locally(cfg, windows)  # stacked [fits, series, repeats, ...]: each series' own repeats
    if local and "series_diverged" in weights:  # a member that diverged forecasts NaN, left out of its series' mean
        gone = weights["series_diverged"]
        stacked = [np.where(gone.reshape(*gone.shape, *(1,) * (w.ndim - 3)), np.nan, w) for w in stacked]
    levels = list(cfg.forecast.levels)
    horizon = cfg.forecast.horizon
    _, targets = framings.series_roles(cfg.task, cfg.data)
    ordered = [frames[name] for name in ids]
    if recursive:
        errors = backtest_errors(cfg, ordered, [plans[name] for name in ids], windows,
                                 [fitted[name] for name in ids], model, stacked, diverged, horizon, season)
    else:
        log.warning("task=%s forecasts %s from the covariates of the same steps, whose values past the end are "
                    "unknown: no forecast past the end (forecast.csv lists none)", cfg.task.name, cfg.data.target)
        empty = np.zeros(0, int)
        errors = Backtest(np.full((0, horizon, len(targets)), np.nan), empty, empty, empty.astype(bool),
                          np.zeros(len(ids), bool))
    quantiles, counts, exact = intervals.half_widths(errors.scaled, levels)
    if recursive:
        past_end.warn_if_intervals_cannot_hold(levels, quantiles, counts, exact)
    inside = pooled_coverage(errors.scaled, errors.from_end, errors.tested, levels)
    forecaster = PanelForecaster(
        cfg, model, [w[final][:, kept] if local else w[final][kept] for w in stacked], [int(r) for r in kept],
        cfg.data.id_column, ordered[0].index.name or "time", season, dict(zip(levels, quantiles)),
        {name: fitted[name][final] for name in ids}, ids if local else None,
    )
    if recursive:
        forecast = forecaster.forecast_frames(dict(zip(ids, ordered)), horizon, forecaster.transforms, source)
    else:
        forecast = pd.DataFrame(columns=[SERIES, "time", "step", "target", "forecast",
                                         *(f"{side}_{level:g}" for level in levels for side in ("lower", "upper"))])
    table = past_end.intervals_table(targets, levels, quantiles, counts, exact, inside, "target", "scaled_quantile")
    metrics = past_end.coverage_metrics(levels, inside, counts, errors.tested) | {
        "series": len(errors.one_step), "scale_season": season, "one_step_scale_series": int(errors.one_step.sum())}
    return PanelPastEnd(forecaster, forecast, table, metrics)


def figure_inputs(frames: dict[str, pd.DataFrame], forecast: pd.DataFrame, target: str,
                  shown: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The history of the first `shown` series side by side (one column per id, ragged ends as NaN) and their
    forecast, as `reports.forecast_figure` draws one panel per column."""
    names = list(dict.fromkeys(forecast[SERIES]))[:shown] or list(frames)[:shown]
    history = pd.concat({name: frames[name][target] for name in names}, axis=1)
    ahead = forecast[forecast[SERIES].isin(names) & (forecast["target"] == target)]
    return history, ahead.drop(columns="target")
