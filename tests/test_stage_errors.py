"""User mistakes in data or params: one line naming the problem, exit 2, outputs untouched."""

import sys

import pytest

from conftest import run, set_params


@pytest.mark.parametrize(
    "param, value, expected",
    [
        ("data.path", "data/missing.csv", "data/missing.csv: file not found"),
        ("data.target", "Revenue", "no column 'Revenue' (data.target); columns found: Month, Sales"),
        ("data.date_column", "Date", "no column 'Date' (data.date_column)"),
    ],
)
def test_ingest_rejects_bad_input_in_one_line(repo_copy, param, value, expected):
    run([sys.executable, "-m", "stages.ingest"], cwd=repo_copy)
    before = (repo_copy / "data/series.csv").read_bytes()
    set_params(repo_copy, **{param: value})
    result = run([sys.executable, "-m", "stages.ingest"], cwd=repo_copy, check=False)
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert (repo_copy / "data/series.csv").read_bytes() == before


@pytest.mark.parametrize(
    "cell, expected",
    [("n/a", "column 'Sales' row 6: 'n/a' is not a number"), ("", "column 'Sales' row 6 is empty")],
)
def test_bad_value_names_the_row(repo_copy, cell, expected):
    csv = repo_copy / "data/shampoo-sales.csv"
    lines = csv.read_text().splitlines()
    lines[5] = f'"1901-05",{cell}'
    csv.write_text("\n".join(lines) + "\n")
    result = run([sys.executable, "-m", "stages.ingest"], cwd=repo_copy, check=False)
    assert result.returncode == 2
    assert expected in result.stderr
    assert not (repo_copy / "data/series.csv").exists()


def test_bad_override_on_the_command_line(repo_copy):
    result = run([sys.executable, "-m", "stages.train", "train.repeats=0"], cwd=repo_copy, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: params.yaml: train.repeats=0 must be an integer >= 1"
