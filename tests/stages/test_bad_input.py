"""Every bad input in the README's table: one line naming the problem, exit 2, previous outputs untouched.

Each case runs the real stage script in a temporary copy of the project after a good run of the data
stages, breaks one thing, and checks the message and that no output changed.
"""

import shutil
import sys
from pathlib import Path

import pytest
from helpers import copy_repo, run, set_params, stage

DATA_OUTPUTS = ("data/series.csv", "data/transformed.csv", "data/scaling.json", "data/windows.npz")
CSV = "data/shampoo-sales.csv"


def rewrite_csv(repo, edit):
    path = repo / CSV
    lines = path.read_text().splitlines()
    path.write_text("\n".join(edit(lines)) + ("\n" if lines else ""))


def swap(lines, i, j):
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def replace_line(i, text):
    def edit(lines):
        lines[i] = text
        return lines
    return edit


def two_series(lines):
    """Shampoo as two series in long form: country A for the first 18 months, B for the rest."""
    return ['"Country",' + lines[0]] + [f'{"A" if i <= 18 else "B"},{line}' for i, line in enumerate(lines) if i]


def quarters_with(bad_row, bad):
    """Shampoo's months written as quarters (1901 Q1, 1901 Q2...), row `bad_row` of the file as `bad`."""
    def edit(lines):
        rows = [f'"{1901 + i // 4} Q{i % 4 + 1}",{line.split(",")[1]}' for i, line in enumerate(lines[1:])]
        rows[bad_row - 2] = bad
        return [lines[0], *rows]
    return edit


# (case, stage, params to set, CSV edit, expected message)
CASES = [
    ("missing file", "ingest", {"data.path": "data/missing.csv"}, None,
     "error: data/missing.csv: file not found; set data.path to an existing CSV"),
    ("empty file", "ingest", {}, lambda lines: [],
     f"error: {CSV}: file is empty; it needs a header row and one row per date"),
    ("no header", "ingest", {}, lambda lines: lines[1:],
     f"error: {CSV}: no header row (the first line is data: 1901-01, 266.0); add a header naming the columns"),
    ("missing date column", "ingest", {"data.date_column": "Date"}, None,
     f"error: {CSV}: no column 'Date' (data.date_column); columns found: Month, Sales"),
    ("missing target column", "ingest", {"data.target": "Revenue"}, None,
     f"error: {CSV}: no column 'Revenue' (data.target); columns found: Month, Sales"),
    ("non-numeric value", "ingest", {}, replace_line(6, '"1901-06",n/a'),
     f"error: {CSV}: column 'Sales' row 7: 'n/a' is not a number; fix or remove that row"),
    ("missing value", "ingest", {}, replace_line(6, '"1901-06",'),
     f"error: {CSV}: column 'Sales' row 7 is empty; fill or remove missing values, or set data.fill"),
    ("missing first value with ffill", "ingest", {"data.fill": "ffill"}, replace_line(1, '"1901-01",'),
     f"error: {CSV}: column 'Sales' row 2 is empty and data.fill=ffill cannot fill it"),
    ("date that does not parse", "ingest", {}, replace_line(6, '"1901-13",168.5'),
     f"error: {CSV}: column 'Month' has a date that does not parse"),
    ("first date whose format cannot be guessed", "ingest", {}, replace_line(1, '"x1901",266.0'),
     f"error: {CSV}: column 'Month' has a date that does not parse (Unknown datetime string format"),
    ("infinite value", "ingest", {}, replace_line(6, '"1901-06",inf'),
     f"error: {CSV}: column 'Sales' row 7: 'inf' is not a finite number (or too large for a float); fix or remove"),
    ("value too large for a float", "ingest", {}, replace_line(6, '"1901-06",-1e999'),
     f"error: {CSV}: column 'Sales' row 7: '-1e999' is not a finite number"),
    ("header naming a column twice", "ingest", {}, lambda lines: ['"Month","Sales","Sales"']
     + [f"{line},1" for line in lines[1:]],
     f"error: {CSV}: the header names column 'Sales' 2 times (columns 2, 3); give each column its own name"),
    ("duplicate date", "ingest", {}, replace_line(7, '"1901-06",231.8'),
     f"error: {CSV}: column 'Month' row 8: date 1901-06 appears twice"),
    ("unsorted dates", "ingest", {}, lambda lines: swap(lines, 7, 8),
     f"error: {CSV}: column 'Month' row 9: dates are not in increasing order; sort the file by date"),
    ("quarter unlike the others", "ingest", {}, quarters_with(8, '"1902 Q5",133.0'),
     f"error: {CSV}: column 'Month' row 8: '1902 Q5' is not a quarter written like row 2's '1901 Q1'; fix that row"),
    ("several series read as one", "ingest", {"data.date_column": None}, two_series,
     f"error: {CSV}: column 'Country' is 'A' on row 2 and 'B' on row 20 (2 values, each on several rows): the file "
     "holds several series, and data.date_column=null would read them as one; keep one with data.where: "
     "{Country: A} (and set data.date_column: Month)"),
    ("data.where matching no row", "ingest", {"data.where": {"Country": "C"}}, two_series,
     f"error: {CSV}: no row has Country='C' (data.where); column 'Country' holds A, B"),
    ("series too short for the test set", "transform", {"data.test_size": 35}, None,
     "error: data/series.csv: 36 rows leave 0 training values to fit the scalers on"),
    ("series too short for the seasonal differencing", "transform", {"data.diff_interval": [1, 12], "data.n_lags": 12},
     None, "error: data/series.csv: 36 rows leave 11 training values to fit the scalers on (fit 0 of the backtest: "
     "rows 0..23) after differencing at data.diff_interval=[1, 12], fewer than the 12 a training window of "
     "data.n_lags=12 needs"),
    ("differencing lag below 1", "transform", {"data.diff_interval": [1, 0]}, None,
     "error: params.yaml: data.diff_interval=[1, 0] must be a lag >= 1 or a list of them, differenced in turn"),
    ("series too short for the lags", "window", {"data.n_lags": 23}, None,
     "error: data/transformed.csv: 36 rows are too few for data.n_lags=23, task.n_out=1"),
    ("series too short for a batch", "train", {"train.batch_size": 32}, None,
     "error: data/windows.npz: 22 training samples are fewer than train.batch_size=32"),
    ("early stopping without a validation window", "train", {"train.early_stopping": 3}, None,
     "error: params.yaml: train.early_stopping=3 needs a validation window: set data.val_size >= 1"),
    ("early stopping on a zoo model", "train", {"model.name": "vanilla", "train.early_stopping": 3}, None,
     "error: params.yaml: train.early_stopping=3 is implemented for model=stateful_lstm only, not model=vanilla"),
    ("param out of range", "train", {"train.repeats": 0}, None,
     "error: params.yaml: train.repeats=0 must be an integer >= 1"),
    ("param of the wrong type", "train", {"model.units": "many"}, None,
     "error: params.yaml: bad value for model.units: Value 'many' of type 'str' could not be converted to Integer"),
    ("unknown param", "train", {"train.epoch": 5}, None,
     "error: params.yaml: unknown param 'train.epoch'; valid train keys: epochs, batch_size, repeats, seed"),
    ("unknown option", "train", {"model.optimizer": "adafactor"}, None,
     "error: params.yaml: model.optimizer='adafactor' is not supported; valid: adam, adamw"),
    ("interval level out of range", "forecast", {"forecast.levels": [80, 120]}, None,
     "error: params.yaml: forecast.levels has 120; each level is a percentage strictly between 0 and 100"),
    ("number as the frequency of dates", "ingest", {"data.frequency": "4"}, None,
     f"error: {CSV}: data.frequency='4' is not a pandas date frequency (MS, QS, W, D...), and the time column holds"),
]


@pytest.fixture(scope="module")
def prepared_once(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("prepared") / "repo")
    for name in ("ingest", "transform", "window"):
        stage(name, repo)
    return repo


@pytest.fixture
def prepared(prepared_once, tmp_path):
    """A copy after a good run of the data stages (the outputs a bad run must leave alone)."""
    return Path(shutil.copytree(prepared_once, tmp_path / "repo", symlinks=True))


def outputs(repo):
    return {name: (repo / name).read_bytes() for name in DATA_OUTPUTS}


@pytest.mark.parametrize("case, stage_name, params, edit, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line(prepared, case, stage_name, params, edit, expected):
    before = outputs(prepared)
    set_params(prepared, **params, _allow_new=True)
    if edit:
        rewrite_csv(prepared, edit)
    result = stage(stage_name, prepared, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(expected), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert outputs(prepared) == before
    assert not (prepared / "models").exists()


def test_a_value_log_cannot_take_is_named_with_the_fix(prepared):
    rewrite_csv(prepared, replace_line(6, '"1901-06",0'))
    set_params(prepared, **{"data.transform": "log"})
    stage("ingest", prepared)
    before = outputs(prepared)
    result = stage("transform", prepared, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == ("error: data/series.csv: column 'Sales' row 7 (1901-06-01) is 0: data.transform=log needs "
                             "positive values; set data.transform=null, or list 'Sales' in data.undifferenced to scale "
                             "it as it is\n")
    assert outputs(prepared) == before


def test_missing_values_filled_when_data_fill_says_how(prepared):
    rewrite_csv(prepared, replace_line(6, '"1901-06",'))
    for fill, expected in (("ffill", "180.3"), ("interpolate", "206.05")):
        set_params(prepared, **{"data.fill": fill})
        result = run([sys.executable, "-m", "stages.ingest"], cwd=prepared)
        assert f"filled 1 missing 'Sales' values (data.fill={fill})" in result.stdout + result.stderr
        row = (prepared / "data/series.csv").read_text().splitlines()[6]
        assert row.endswith("," + expected), row


@pytest.mark.slow  # a warning, not an error; the default run trims the same way
def test_batch_size_that_does_not_divide_the_training_rows_trims_with_a_warning(prepared):
    set_params(prepared, **{"train.batch_size": 5, "train.epochs": 2, "train.repeats": 1})
    result = run([sys.executable, "-m", "stages.train"], cwd=prepared)
    assert "22 training rows are not a multiple of train.batch_size=5: dropping the 2 oldest" in result.stdout


def test_dates_that_skip_a_period_are_named_in_a_warning(prepared):
    rewrite_csv(prepared, lambda lines: lines[:5] + lines[6:])  # no 1901-05
    result = stage("ingest", prepared)
    assert ("the dates skip from 1901-04-01 to 1901-06-01 (frequency MS, inferred from the first dates); add the "
            "missing rows, or set data.frequency") in result.stdout
    set_params(prepared, **{"data.frequency": "MS"})
    declared = stage("ingest", prepared).stdout
    assert "the dates skip from 1901-04-01 to 1901-06-01 (frequency data.frequency=MS)" in declared


def test_a_text_column_nothing_reads_is_named_in_a_warning(prepared):
    rewrite_csv(prepared, lambda lines: ['"Country",' + lines[0]] + [f'{"AB"[i % 2]},{line}' for i, line in
                                                                        enumerate(lines[1:])])
    result = stage("ingest", prepared)
    assert (f"{CSV}: text column 'Country' is not read (neither data.date_column, data.target nor data.covariates); "
            "several series in one file? keep one with data.where: {Country: A}") in result.stdout
    assert len((prepared / "data/series.csv").read_text().splitlines()) == 37


@pytest.mark.parametrize("stage_name, missing, writer", [("evaluate", "training/checkpoints.npz", "train"),
                                                         ("transform", "data/series.csv", "ingest"),
                                                         ("forecast", "data/origins.csv", "transform")])
def test_a_stage_run_before_the_one_it_needs_names_that_stage(prepared, stage_name, missing, writer):
    (prepared / missing).unlink(missing_ok=True)
    result = stage(stage_name, prepared, check=False)
    assert result.returncode == 2
    assert result.stderr == (f"error: {missing}: not found; run the {writer} stage first: `dvc repro {writer}`, "
                             "or `dvc repro` for the whole pipeline\n")
