"""A panel: many series in one long file (`data.id_column` set), each prepared exactly as one series is, on its own.

Each series has its own backtest plan (`backtest.plan` over its own rows, then the final fit: its held-out rows are
its own last ones), its own transforms fit on each fit's training rows of that series only (`transforms`), and its
own windows (`framings`), concatenated in series order. The single-series functions are the definition; the
panel computes the same numbers for thousands of series at once on one long array (series after series), since a
Python loop over 10,000 series of the single-series functions takes about a minute. tests/data/test_panel.py
checks every array against the single-series functions, series by series.

The files between the stages (panel mode) are those of PANEL.md: `data/origins.csv` and `data/transformed.csv`
with a first column `series`, `data/scaling.json` as {id: fits}, and `data/windows.npz` with the keys `series`
(each window's series, by position) and `ids` besides the single-series ones.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_tuning import outputs, paths
from lstm_tuning.data import backtest, calendar, framings, long_format, timeline, transforms
from lstm_tuning.data.backtest import Plan
from lstm_tuning.data.specs import TASKS, SeriesParams
from lstm_tuning.data.transforms import PowerTransform, Scaling, SeriesTransform
from lstm_tuning.errors import UserError

SHOWN = 5  # ids a message or the log lists before "..."
CHUNK_ROWS = 100_000  # rows of series cut into windows at a time


@dataclass
class Long:
    """The panel as one array: the rows of every series one after another (series order)."""

    ids: list[str]
    columns: list[str]
    lengths: np.ndarray  # [S] rows of each series
    values: np.ndarray  # [rows, columns] float
    times: pd.Index  # [rows] each row's time label

    @classmethod
    def of(cls, panel: dict[str, pd.DataFrame]) -> Long:
        frames = list(panel.values())
        columns = list(frames[0].columns)
        for name, f in panel.items():
            if list(f.columns) != columns:
                raise UserError(f"series {name!r} has the variables {list(f.columns)}, not {columns}; every series "
                                "of a panel has the same columns")
        lengths = np.array([len(f) for f in frames])
        values = np.concatenate([f.to_numpy(float) for f in frames])
        times = pd.Index(np.concatenate([f.index.to_numpy() for f in frames]), name=frames[0].index.name)
        return cls(list(panel), columns, lengths, values, times)

    @functools.cached_property
    def offsets(self) -> np.ndarray:
        """[S] the first row of each series."""
        return np.r_[0, np.cumsum(self.lengths)[:-1]].astype(int)

    @functools.cached_property
    def codes(self) -> np.ndarray:
        """[rows] each row's series, by position."""
        return np.repeat(np.arange(len(self.ids)), self.lengths)

    @functools.cached_property
    def positions(self) -> np.ndarray:
        """[rows] each row's row number within its own series."""
        return np.arange(len(self.codes)) - self.offsets[self.codes]


# -- series too short -------------------------------------------------------------------------------------------


def minimum_rows(columns: list[str], data: SeriesParams, task, backtest_params) -> int | None:
    """The fewest rows a series needs for the windows, the held-out rows and a training window in every fit: the
    shortest series the single-series transform and window functions accept (None: no length is enough, e.g.
    task.n_out longer than the test rows)."""
    # the power transform needs no rows of its own, the calendar inputs none (a window's rows carry them)
    data = dataclasses.replace(data, transform=None, calendar=[])
    rng = np.random.default_rng(0)

    def enough(n_rows: int) -> bool:
        series = pd.DataFrame(rng.uniform(1, 2, (n_rows, len(columns))), columns=columns)
        try:
            plan = backtest.plan(backtest_params, n_rows, data.val_size, data.test_size, "series")
            plan = plan.with_final_fit(n_rows)
            scaled, _ = transforms.transform(series, data, plan, "series")
            framings.split_windows(scaled, task, data, plan, "series")
        except UserError:
            return False
        return True

    high = 2 * (data.val_size + data.test_size + data.n_lags + task.n_out + sum(data.diff_lags) + 2)
    high += 2 * max(getattr(backtest_params, "window", 0), getattr(backtest_params, "horizon", 0))
    if not enough(high):
        return None
    low = 1  # too short, or the answer
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle + 1, high)
    return high


def long_enough(panel: dict[str, pd.DataFrame], data: SeriesParams, task, backtest_params, source: str,
                log=None) -> dict[str, pd.DataFrame]:
    """The series long enough for the windows and held-out rows; the others are an error (data.drop_short false)
    or dropped and logged (true)."""
    columns = list(next(iter(panel.values())).columns)
    needed = minimum_rows(columns, data, task, backtest_params)
    needs = (f"data.n_lags={data.n_lags}, task.n_out={task.n_out}, the data.val_size={data.val_size} + "
             f"data.test_size={data.test_size} held-out rows and a training window in every fit of "
             f"backtest={backtest_params.name}")
    if needed is None:
        raise UserError(f"{source}: no series is long enough for {needs} (check task.n_out <= data.test_size)")
    short = [name for name, frame in panel.items() if len(frame) < needed]
    if not short:
        return panel
    listed = ", ".join(short[:SHOWN]) + (", .." if len(short) > SHOWN else "")
    if not data.drop_short:
        first, others = short[0], short[1 : SHOWN + 1]
        more = (f" ({len(short) - 1} more series too short: {', '.join(others)}"
                f"{', ..' if len(short) > SHOWN + 1 else ''})") if others else ""
        raise UserError(f"{source}: series {first!r} has {len(panel[first])} rows, fewer than the {needed} needed for "
                        f"{needs}{more}; set -S data.drop_short=true to drop such series, or shorten data.n_lags or "
                        "the held-out rows (data.val_size, data.test_size)")
    if len(short) == len(panel):
        raise UserError(f"{source}: every series is shorter than the {needed} rows needed for {needs}; shorten "
                        "data.n_lags or the held-out rows (data.val_size, data.test_size)")
    if log is not None:
        log.warning("dropped %d series too short (fewer than %d rows): %s", len(short), needed, listed)
    dropped = set(short)
    return {name: frame for name, frame in panel.items() if name not in dropped}


# -- transform --------------------------------------------------------------------------------------------------


def transform(panel: dict[str, pd.DataFrame], params: SeriesParams, all_plans: dict[str, Plan], source: str
              ) -> tuple[pd.DataFrame, dict[str, list[dict[str, SeriesTransform]]]]:
    """The transform stage over a panel: every series as `transforms.transform` transforms it alone with its own
    plan (power transform, differencing, scaling, each fit on that fit's training rows of that series only).
    The frame of data/transformed.csv (`series`, `fit`, time, variables: one block per series and fit) and each
    series' transforms per fit. The series must be long enough (`long_enough`)."""
    long = Long.of(panel)
    starts, cuts = long_format.fit_bounds(all_plans)
    n_fits = len(starts)
    scaled = np.empty((n_fits, *long.values.shape))
    fitted = {name: [{} for _ in range(n_fits)] for name in long.ids}
    for j, column in enumerate(long.columns):
        as_it_is = column in params.undifferenced
        power_name = None if as_it_is else params.transform
        lags = () if as_it_is else tuple(params.diff_lags)
        values = long.values[:, j]
        if power_name is not None and (values <= 0).any():
            _single(panel, params, all_plans, long.ids[long.codes[np.argmax(values <= 0)]], source)
        for k in range(n_fits):
            training = (long.positions >= starts[k][long.codes]) & (long.positions < cuts[k][long.codes])
            powers = _powers(power_name, values, training, long, panel, params, all_plans, source)
            changes = _changes(values, powers, lags, long)
            usable = training & np.isfinite(changes)
            lows = np.minimum.reduceat(np.where(usable, changes, np.inf), long.offsets)
            highs = np.maximum.reduceat(np.where(usable, changes, -np.inf), long.offsets)
            # each series' `Scaling` from its extremes, all series at once; its transform's arithmetic (MinMaxScaler's:
            # X *= scale_; X += min_), with each row's series' scale
            scale, shift = transforms.min_max(lows, highs)
            rescaled = np.nan_to_num(changes) * scale[long.codes] + shift[long.codes]
            scaled[k, :, j] = np.where(np.isfinite(changes), rescaled, np.nan)
            for s, name in enumerate(long.ids):
                fitted[name][k][column] = SeriesTransform(lags, Scaling(float(lows[s]), float(highs[s])), powers[s])
    return _transformed_frame(long, scaled), fitted


def _single(panel, params, all_plans, name, source) -> None:
    """The single-series transform of series `name`, for its own error message."""
    transforms.transform(panel[name], params, all_plans[name], f"{source}: series {name!r}")
    raise AssertionError(f"series {name!r}: the panel found an error the single-series transform does not")


def _powers(name, values, training, long, panel, params, all_plans, source) -> list[PowerTransform]:
    """Each series' power transform for one fit: Box-Cox's lambda estimated on that fit's training rows."""
    if name != "boxcox":
        return [PowerTransform(name)] * len(long.ids)
    powers = []
    for s, series_name in enumerate(long.ids):
        rows = slice(long.offsets[s], long.offsets[s] + long.lengths[s])
        train = values[rows][training[rows]]
        try:
            powers.append(PowerTransform.fit(name, train[np.isfinite(train)]))
        except ValueError:
            _single(panel, params, all_plans, series_name, source)
    return powers


def _steps(values: np.ndarray, powers: list[PowerTransform], lags: tuple[int, ...], long: Long) -> list[np.ndarray]:
    """`transforms.steps` of every series over the long array: each series power transformed (its own power),
    then differenced at each lag in turn; a difference reaching back past its own series' first row is NaN, as in
    the series alone."""
    if powers[0].name == "boxcox":
        from scipy import special  # a second to import: only for Box-Cox

        lambdas = np.array([p.boxcox_lambda for p in powers])
        powered = special.boxcox(values, lambdas[long.codes])
    else:
        powered = powers[0].forward(values)
    done = transforms.steps(powered, PowerTransform(None), lags)
    return [np.where(long.positions < sum(lags[:i]), np.nan, step) for i, step in enumerate(done)]


def _changes(values: np.ndarray, powers: list[PowerTransform], lags: tuple[int, ...], long: Long) -> np.ndarray:
    """What is scaled: the last of `_steps`."""
    return _steps(values, powers, lags, long)[-1]


def _transformed_frame(long: Long, scaled: np.ndarray) -> pd.DataFrame:
    """data/transformed.csv's frame: one block per (series, fit), rows in time order."""
    n_fits, n_rows = scaled.shape[:2]
    fit = np.repeat(np.arange(n_fits), n_rows)
    order = np.argsort(np.tile(long.codes, n_fits) * n_fits + fit, kind="stable")
    row = np.tile(np.arange(n_rows), n_fits)[order]
    frame = pd.DataFrame(scaled.reshape(n_fits * n_rows, -1)[order], columns=long.columns)
    frame.insert(0, long.times.name, long.times[row])
    frame.insert(0, "fit", fit[order])
    frame.insert(0, long_format.SERIES, np.array(long.ids, dtype=object)[long.codes[row]])
    return frame


def write_csv(path: str | Path, frame: pd.DataFrame) -> None:
    """A large frame (data/transformed.csv) as `outputs.write_csv` writes it, in a seventh of its time: pyarrow's
    writer (pandas' takes 8 s for the 2.4 million values of 10,000 series x 120 months x 2 fits). Floats in
    their shortest round-trip form, without exponents; dates at midnight as dates; ids quoted only where needed."""
    import pyarrow as pa
    from pyarrow import csv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, name in enumerate(frame.columns):
        values = frame[name].to_numpy()
        if np.issubdtype(values.dtype, np.datetime64) and (values == values.astype("datetime64[D]")).all():
            table = table.set_column(i, name, pa.array(values.astype("datetime64[D]")))
    text = frame.select_dtypes(exclude=["number", "datetime"]).columns
    plain = not any(pd.Series(pd.unique(frame[name])).astype(str).str.contains('[",\n\r]').any() for name in text)
    with outputs.atomic_path(path) as tmp, open(tmp, "wb") as out:
        out.write(pd.DataFrame(columns=frame.columns).to_csv(index=False).encode())  # the header, as pandas writes it
        csv.write_csv(table, out, csv.WriteOptions(include_header=False, quoting_style="none" if plain else "needed"))


def write_fits(fitted: dict[str, list[dict[str, SeriesTransform]]]) -> dict[str, list[dict]]:
    """data/scaling.json: {id: that series' `transforms.write_fits`}, in series order."""
    return {name: transforms.write_fits(fits) for name, fits in fitted.items()}


def read_fits(payload: dict[str, list[dict]]) -> dict[str, list[dict[str, SeriesTransform]]]:
    """Each series' transforms per fit, from data/scaling.json."""
    return {name: transforms.read_fits(fits) for name, fits in payload.items()}


# -- windows ----------------------------------------------------------------------------------------------------


def windows(scaled: pd.DataFrame, task, data: SeriesParams, all_plans: dict[str, Plan], source: str
            ) -> dict[str, np.ndarray]:
    """The window stage over a panel: each series' windows as `framings.split_windows` cuts them from that series
    alone, concatenated in series order (fit k: every series' k-th fit scaling; `train` [fits, n]: the windows
    inside that series' own k-th fit), with `series` [n] (each window's series, by position) and `ids` [S]."""
    framing = TASKS[task.name]
    inputs, targets = framing.roles(data)
    dependent = framing.inputs == "covariates"
    first_target = data.n_lags - 1 if dependent else data.n_lags
    ids = list(all_plans)
    codes, found = pd.factorize(scaled[long_format.SERIES], sort=False)
    if [str(name) for name in found] != ids:
        raise UserError(f"{source} and data/origins.csv name different series, or in another order; rerun transform")
    fit = scaled["fit"].to_numpy()
    input_values, target_values = scaled[inputs].to_numpy(float), scaled[targets].to_numpy(float)
    starts, cuts = long_format.fit_bounds(all_plans)
    n_fits = len(starts)
    first = fit == 0
    lengths = np.bincount(codes[first], minlength=len(ids))
    offsets = np.r_[0, np.cumsum(lengths)[:-1]]
    # as framings.frame: each series' windows start at its first row where every input and target has a value
    positions = np.arange(first.sum()) - np.repeat(offsets, lengths)
    complete = ~(np.isnan(input_values[first]).any(axis=1) | np.isnan(target_values[first]).any(axis=1))
    begins = np.minimum.reduceat(np.where(complete, positions, np.iinfo(int).max), offsets)
    if data.calendar:  # each row's calendar after its values, as framings.frame: the same in every fit
        input_values = np.concatenate([input_values, _calendar(scaled, first, fit, lengths, framing, data, source)],
                                      axis=1)
    counts = np.maximum(lengths - first_target - task.n_out + 1 - begins, 0)
    series = np.repeat(np.arange(len(ids)), counts)
    input_rows = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + begins[series]
    chosen = offsets[series] + input_rows  # each window's first input row in a fit's long array
    first_rows = input_rows + first_target
    last_rows = first_rows + task.n_out - 1
    n = len(chosen)
    X = np.empty((n_fits, n, data.n_lags, input_values.shape[1]), "float32")
    y = np.empty((n_fits, n, task.n_out, len(targets)), "float32")
    # make_windows cuts every window of the rows it is given, across series boundaries too: a chunk of whole
    # series at a time keeps that copy small beside the windows kept
    ends = np.cumsum(lengths)
    chunks = np.unique(np.r_[np.searchsorted(ends, np.arange(CHUNK_ROWS, ends[-1], CHUNK_ROWS)), len(ids) - 1])
    for k in range(n_fits):
        mine = fit == k
        if mine.sum() != first.sum():
            raise UserError(f"{source}: fit {k} has {mine.sum()} rows, fit 0 {first.sum()}; rerun transform")
        inputs_k, targets_k = input_values[mine], target_values[mine]
        begin = 0  # the chunk's first series
        for last in chunks:
            rows = slice(offsets[begin], ends[last])
            windows_of = slice(*np.searchsorted(series, [begin, last + 1]))
            if windows_of.stop > windows_of.start:
                cut = framings.make_windows(inputs_k[rows], targets_k[rows], data.n_lags, task.n_out, dependent)
                np.take(cut.X, chosen[windows_of] - rows.start, axis=0, out=X[k, windows_of])
                np.take(cut.y, chosen[windows_of] - rows.start, axis=0, out=y[k, windows_of])
            begin = last + 1
    train = (input_rows >= starts[:, series]) & (last_rows < cuts[:, series])
    first_tests = np.array([plan.first_test_row for plan in all_plans.values()])[series]
    _check_windows(ids, series, train, first_rows >= first_tests, data, task, source)
    return {
        "X": X,
        "y": y,
        "first_rows": first_rows,
        "series": series,
        "ids": np.array(ids, dtype=str),
        "train": train,
        "stop": (first_rows >= first_tests - data.val_size) & (last_rows < first_tests),
        "final": np.array([fit.final for fit in next(iter(all_plans.values())).fits]),
    }


def _calendar(scaled: pd.DataFrame, first: np.ndarray, fit: np.ndarray, lengths: np.ndarray, framing,
              data: SeriesParams, source: str) -> np.ndarray:
    """[rows, 2 len(data.calendar)] the calendar each row of `scaled` (every fit's block of every series) carries,
    `calendar.carried` of the series' own times (fit 0's, `first`: every fit has the same)."""
    times = pd.Index(scaled[scaled.columns[2]][first])
    if times.name == timeline.DATES:
        times = pd.DatetimeIndex(times)
    start = int(np.cumsum(lengths)[np.argmax(lengths)] - lengths.max())  # the longest series' frequency: the panel's
    step = calendar.offset(times[start : start + lengths.max()], data.frequency, data.calendar, source)
    known = calendar.carried(times, lengths, data.calendar, step, framing.lead)
    every_fit = np.empty((len(fit), known.shape[1]))
    for k in np.unique(fit):
        every_fit[fit == k] = known
    return every_fit


def _check_windows(ids, series, train, tests, data, task, source) -> None:
    """As `framings.split_windows` checks one series: every series has a window that forecasts a test row and a
    training window in every fit (the transform stage dropped or refused the series too short for them)."""
    too_short = (f"data.n_lags={data.n_lags}, task.n_out={task.n_out}, data.val_size={data.val_size} and "
                 f"data.test_size={data.test_size}")
    for what, counts in (("no window forecasts a test row", np.bincount(series[tests], minlength=len(ids))),
                         *((f"fit {k} has no whole training window", np.bincount(series[t], minlength=len(ids)))
                           for k, t in enumerate(train))):
        if (counts == 0).any():
            name = ids[int(np.argmax(counts == 0))]
            raise UserError(f"{source}: series {name!r} is too short for {too_short}: {what}; rerun the transform "
                            "stage with these params (it drops or refuses such series: data.drop_short)")


# -- back to original units -------------------------------------------------------------------------------------


def to_original_units(
    scaled: np.ndarray, series: np.ndarray, first_rows: np.ndarray, ids: Sequence[str],
    fitted: dict[str, list[dict[str, SeriesTransform]]], panel: dict[str, pd.DataFrame], targets: list[str],
    fits: Sequence[int] | None = None,
) -> np.ndarray:
    """Forecasts [..., F, R, n, n_out, n_targets] in scaled units -> original units, each window with its own
    series' transforms of the fit that made it: `transforms.to_original_units` of every series at once.

    Window i (axis -3) belongs to series ids[series[i]] and forecasts its rows first_rows[i] ..; entry f of axis
    -5 was made by fit fits[f] (default f) of every series; `panel` holds the observed values (original units)
    that differencing walks forward from. The windows may be any subset, in any order.
    """
    scaled = np.asarray(scaled, float)
    scaled = np.where(np.isinf(scaled), np.nan, scaled)  # a diverged repeat's forecast: scored as missing
    fits = list(range(scaled.shape[-5])) if fits is None else list(fits)
    series, first_rows = np.asarray(series), np.asarray(first_rows)
    observed = Long.of({name: panel[name][targets] for name in ids})
    levels = np.empty_like(scaled)
    for f, fit in enumerate(fits):
        for j, target in enumerate(targets):
            chosen = [fitted[name][fit][target] for name in ids]
            levels[..., f, :, :, :, j] = _to_original_units(scaled[..., f, :, :, :, j], series, first_rows, chosen,
                                                            observed, j)
    return levels


def _to_original_units(scaled: np.ndarray, series: np.ndarray, first_rows: np.ndarray,
                       chosen: list[SeriesTransform], observed: Long, j: int) -> np.ndarray:
    """One fit's forecasts [..., n, n_out] of target j back to original units: `transforms.to_original_units`'
    steps (inverse scaling, then each difference walked forward, then the power transform) with each window's
    own series' transforms, in the same arithmetic."""
    lags, power = chosen[0].diff_lags, chosen[0].power.name
    if any(t.diff_lags != lags or t.power.name != power for t in chosen):
        raise ValueError("every series of a panel is differenced and power transformed alike")
    # each series' `Scaling.inverse`, all series at once (MinMaxScaler.inverse_transform's arithmetic)
    scale, shift = transforms.min_max([t.scaling.data_min for t in chosen], [t.scaling.data_max for t in chosen])
    rebuilt = (scaled - shift[series][:, None]) / scale[series][:, None]
    known = _steps(observed.values[:, j], [t.power for t in chosen], lags, observed)
    starts = observed.offsets[series] + first_rows  # each window's first forecast row in the long array
    for lag, below in zip(reversed(lags), reversed(known[:-1])):
        level = np.empty_like(rebuilt)
        for h in range(scaled.shape[-1]):
            previous = level[..., h - lag] if h >= lag else below[starts + h - lag]
            level[..., h] = rebuilt[..., h] + previous
        rebuilt = level
    if power != "boxcox":
        return PowerTransform(power).inverse(rebuilt)
    levels = np.empty_like(rebuilt)  # each series' own lambda
    order = np.argsort(series, kind="stable")
    bounds = np.searchsorted(series[order], np.arange(len(chosen) + 1))
    for s, t in enumerate(chosen):
        mine = order[bounds[s] : bounds[s + 1]]
        if len(mine):
            np.moveaxis(levels, -2, 0)[mine] = np.moveaxis(t.power.inverse(np.take(rebuilt, mine, axis=-2)), -2, 0)
    return levels


# -- the stages -------------------------------------------------------------------------------------------------


def transform_stage(cfg, log) -> None:
    """The transform stage on a panel: data/series.csv (long) -> data/origins.csv, data/transformed.csv and
    data/scaling.json, dropping (data.drop_short) or refusing the series too short for the windows."""
    source = str(paths.SERIES)
    panel = long_enough(long_format.read(paths.SERIES, cfg.data.id_column), cfg.data, cfg.task, cfg.backtest, source,
                        log)
    all_plans = long_format.plans(cfg.backtest, panel, cfg.data.val_size, cfg.data.test_size, source)
    scaled, fitted = transform(panel, cfg.data, all_plans, source)
    outputs.write_csv(paths.ORIGINS, long_format.origins_frame(all_plans, panel))
    write_csv(paths.TRANSFORMED, scaled)
    outputs.write_json(paths.SCALING, write_fits(fitted))
    plan = next(iter(all_plans.values()))
    roles = plan.counts()
    log.info("backtest=%s over %d series, each on its own rows: %d validation and %d test origins, %d fit(s), each "
             "series' scalers (and Box-Cox lambdas) fit on its own fit's training rows; %s; read %s; wrote %s, %s "
             "and %s", cfg.backtest.name, len(panel), roles["val"], roles["test"], len(plan.fits),
             next(iter(fitted.values()))[-1][cfg.data.target].describe(), paths.SERIES, paths.ORIGINS,
             paths.TRANSFORMED, paths.SCALING)


def window_stage(cfg, log) -> None:
    """The window stage on a panel: data/transformed.csv and data/origins.csv -> data/windows.npz."""
    all_plans = long_format.read_plans(pd.read_csv(paths.ORIGINS, dtype={long_format.SERIES: str},
                                                   keep_default_na=False, na_values=[""]))
    # ids as categories: one string per series, not per row
    scaled = pd.read_csv(paths.TRANSFORMED, dtype={long_format.SERIES: "category"}, keep_default_na=False,
                         na_values=[""])
    cut = windows(scaled, cfg.task, cfg.data, all_plans, str(paths.TRANSFORMED))
    with outputs.atomic_path(paths.WINDOWS) as tmp:
        np.savez(tmp, **cut)
    _, targets = framings.series_roles(cfg.task, cfg.data)
    trains = cut["train"].sum(axis=1)
    log.info("read %s and %s; wrote %s: %d windows of %d series, %d lags of %s -> %d step(s) of %s; %d fit(s) train "
             "on %d to %d of them (%.0f MB)", paths.TRANSFORMED, paths.ORIGINS, paths.WINDOWS, len(cut["first_rows"]),
             len(cut["ids"]), cfg.data.n_lags, ", ".join(framings.input_columns(cfg.task, cfg.data)), cfg.task.n_out,
             ", ".join(targets), len(trains), trains.min(), trains.max(), (cut["X"].nbytes + cut["y"].nbytes) / 1e6)
