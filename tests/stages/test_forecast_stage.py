"""The forecast stage through real DVC: selective reruns, the forecaster artifact fetched by name."""

import json
import re

import pandas as pd
import pytest
from helpers import SHAMPOO, dvc, run, set_params

import lstm_tuning

pytestmark = pytest.mark.slow  # real DVC in a copy of the repository


def stages_run(repo) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", dvc("repro", cwd=repo).stdout))


def test_horizon_and_levels_rerun_the_forecast_alone(reproduced):
    first = pd.read_csv(reproduced / "forecast/forecast.csv")
    assert list(first["time"][:2]) == ["1904-01-01", "1904-02-01"] and len(first) == 12

    set_params(reproduced, **{"forecast.horizon": 6})
    assert stages_run(reproduced) == {"forecast"}  # the baselines' steps past the end are a fixed 120
    six = pd.read_csv(reproduced / "forecast/forecast.csv")
    pd.testing.assert_frame_equal(six, first.iloc[:6])  # the same refit: only the horizon changed

    set_params(reproduced, **{"forecast.levels": [50, 90]})
    assert stages_run(reproduced) == {"forecast"}
    bands = pd.read_csv(reproduced / "forecast/forecast.csv")
    assert {"lower_50", "upper_50", "lower_90", "upper_90"} <= set(bands.columns)
    assert (bands["upper_90"] >= bands["upper_50"]).all()
    shown = json.loads(dvc("metrics", "show", "--json", cwd=reproduced).stdout)
    coverage = next(iter(shown.values()))["data"]["forecast/metrics.json"]["data"]
    assert 0 <= coverage["coverage_50"] <= coverage["coverage_90"] <= 1 and coverage["test_origins"] == 12


def test_the_forecaster_artifact_is_fetched_by_name_and_forecasts(reproduced, tmp_path):
    dvc("remote", "add", "-d", "local", str(tmp_path / "remote"), cwd=reproduced)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    run([*git, "add", "-A"], cwd=reproduced)
    run([*git, "commit", "-qm", "run"], cwd=reproduced)
    run([*git, "tag", "-a", "forecaster@v0.1.0", "-m", "register the forecaster"], cwd=reproduced)  # as `gto register`
    dvc("push", cwd=reproduced)

    fetched = tmp_path / "fetched"
    dvc("artifacts", "get", str(reproduced), "forecaster", "-o", str(fetched), cwd=tmp_path)
    forecast = lstm_tuning.load(fetched).forecast(SHAMPOO, horizon=12)
    expected = pd.read_csv(reproduced / "forecast/forecast.csv", parse_dates=["time"])
    pd.testing.assert_frame_equal(forecast, expected)
