"""Real DVC in a temporary copy of the repository: selective reruns, determinism, experiments."""

import json
import re
import shutil
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import SHARED_STAGE_RUNS, dvc, experiments, queue_logs, run, set_params, wait_for_queue

pytestmark = pytest.mark.slow  # real DVC in a copy of the repository

ALL_STAGES = {"ingest", "transform", "window", "train", "baselines", "evaluate", "report", "forecast"}


def stages_run(repo) -> set[str]:
    out = dvc("repro", cwd=repo).stdout
    return set(re.findall(r"Running stage '([^']+)'", out))


def test_reruns_only_the_stages_that_read_what_changed(reproduced):
    assert stages_run(reproduced) == set()

    set_params(reproduced, **{"model.units": 2})
    assert stages_run(reproduced) == {"train", "evaluate", "report", "forecast"}

    set_params(reproduced, **{"train.epochs": 25})
    assert stages_run(reproduced) == {"train", "evaluate", "report", "forecast"}

    # the forecast figure draws the best baseline's forecast
    set_params(reproduced, **{"baselines.season": 6})
    assert stages_run(reproduced) == {"baselines", "evaluate", "report", "forecast"}

    # ingest reads the whole data group (each data option has its own keys); its output is unchanged
    set_params(reproduced, **{"data.test_size": 8})
    assert stages_run(reproduced) == ALL_STAGES
    forecasts = (reproduced / "evaluation/forecasts.csv").read_text().splitlines()
    assert len(forecasts) == 1 + 8

    set_params(reproduced, _allow_new=True,
               **{"task.n_out": 2, "task.name": "multistep_vector", "model.name": "vanilla"})
    # transform reads task too (a panel's series too short for n_out are dropped there); its outputs are unchanged
    assert stages_run(reproduced) == {"transform", "window", "train", "evaluate", "report", "forecast"}


def test_same_params_and_seed_give_identical_metrics(reproduced):
    first = (reproduced / "evaluation/metrics.json").read_bytes()
    details = (reproduced / "evaluation/details.json").read_bytes()
    dvc("repro", "--force", cwd=reproduced)
    assert (reproduced / "evaluation/metrics.json").read_bytes() == first
    assert (reproduced / "evaluation/details.json").read_bytes() == details
    assert round(json.loads(details)["baselines"]["persistence"]["test_rmse"], 3) == 136.761


def test_metrics_and_plots_need_no_flags(reproduced):
    shown = json.loads(dvc("metrics", "show", "--json", cwd=reproduced).stdout)
    files = next(iter(shown.values()))["data"]
    assert set(files) == {"evaluation/metrics.json", "forecast/metrics.json"}  # details and timings are not metrics
    metrics = files["evaluation/metrics.json"]["data"]
    assert set(metrics) == {"test_ensemble", "test_mean", "best_baseline", "best_baseline_chosen_on",
                            "best_baseline_test", "skill"}
    assert set(metrics["test_mean"]) == set(metrics["skill"]) == {"rmse", "mae", "mase"}
    diff = dvc("metrics", "diff", "--md", cwd=reproduced).stdout
    assert "test_mean.rmse" in diff
    html = dvc("plots", "show", "-o", "plots_html", cwd=reproduced)
    assert html.returncode == 0
    page = (reproduced / "plots_html" / "index.html").read_text()
    for title in ("Test period forecast", "Training loss", "Test RMSE per repeat", "rmse_boxplot.png",
                  "Walk-forward RMSE during training"):
        assert title in page
    report = (reproduced / "report/report.md").read_text()
    assert "![Test RMSE per repeat](rmse_boxplot.png)" in report
    assert report.startswith("# LSTM forecast report\n\nThe LSTM ensemble ")  # the verdict first
    # the holdout has one origin and univariate one step: single points are said, not drawn
    assert "Not drawn, a single point each (the tables above have it): Test RMSE per forecast step, RMSE per " \
           "origin of the backtest." in report
    assert not (reproduced / "report/origins.png").exists() and not (reproduced / "report/horizon.png").exists()


def test_an_lstm_experiment_never_refits_the_baselines_and_the_run_cache_restores_them(reproduced):
    def lock():
        return yaml.safe_load((reproduced / "dvc.lock").read_text())["stages"]["baselines"]

    before = lock()
    run_ = dvc("exp", "run", "-S", "model.units=2", cwd=reproduced).stdout
    assert "Running stage 'train'" in run_ and "Running stage 'baselines'" not in run_
    assert lock() == before
    assert stages_run_with(reproduced, "baselines.season=6") >= {"baselines"}
    restored = dvc("exp", "run", "-S", "baselines.season=null", cwd=reproduced).stdout
    assert "Running stage 'baselines'" not in restored
    assert re.search(r"Stage 'baselines' (is cached|didn't change)", restored), restored
    assert lock()["outs"] == before["outs"]


def stages_run_with(repo, override: str) -> set[str]:
    out = dvc("exp", "run", "-S", override, cwd=repo).stdout
    return set(re.findall(r"Running stage '([^']+)'", out))


def test_metrics_diff_on_a_fresh_clone_loads_every_metric(reproduced):
    run(["git", "add", "-A"], cwd=reproduced)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "run"], cwd=reproduced)
    shutil.rmtree(reproduced / ".dvc" / "cache")  # a fresh clone: nothing but what git holds
    dvc("repro", cwd=reproduced)
    diff = dvc("metrics", "diff", cwd=reproduced)
    assert "failed to load" not in diff.stdout + diff.stderr


def test_diagnostics_end_at_the_evaluated_test_rmse(reproduced):
    set_params(reproduced, **{"train.checkpoint_every": 7})
    dvc("repro", cwd=reproduced)
    diagnostics = pd.read_csv(reproduced / "evaluation/diagnostics.csv")
    assert sorted(diagnostics["epoch"].unique()) == [7, 14, 20]
    last = diagnostics[diagnostics["epoch"] == 20].set_index("repeat")["test_rmse"]
    evaluated = pd.read_csv(reproduced / "evaluation/rmse.csv").set_index("repeat")["test_rmse"]
    np.testing.assert_allclose(last.sort_index(), evaluated.sort_index(), rtol=1e-4)
    metrics = json.loads((reproduced / "evaluation/details.json").read_text())
    means = diagnostics.groupby("epoch")["test_rmse"].mean()
    assert metrics["diagnostics"]["best_test_epoch"] == means.idxmin()


def test_queued_sweep_in_parallel_matches_runs_one_by_one_and_feeds_the_study_report(repo_copy):
    backtest = ["-S", "backtest=expanding", "-S", "data.val_size=6"]  # 6 validation + 12 test origins
    # the sweep's first member runs on its own, as docs/bad-input.md advises: it brings the stages every member
    # shares up to date, so the two queue workers only read their runs from DVC's run cache (two workers writing
    # one stage's run at once trip over DVC 3.67's run cache)
    dvc("exp", "run", *backtest, "-S", "model.units=1", cwd=repo_copy)
    dvc("exp", "run", "--queue", *backtest, "-S", "model.units=2,3", cwd=repo_copy)
    dvc("queue", "start", "-j", "2", cwd=repo_copy)
    wait_for_queue(repo_copy)
    for log in queue_logs(repo_copy).values():  # no worker wrote a run the other may have been reading
        assert "Running stage 'train'" in log and not re.search(SHARED_STAGE_RUNS, log)
    swept = {e["params"]["model"]["units"]: e["metrics"] for e in experiments(repo_copy)}
    assert sorted(swept) == [1, 2, 3]
    assert all({"val_mean", "val_ensemble"} <= set(metrics) and metrics["best_baseline_chosen_on"] == "val"
               for metrics in swept.values())

    study = [sys.executable, "-m", "lstm_tuning", "study", "--baseline", "model.units=1", "--match",
             "backtest.name=expanding", "--match", "data.val_size=6"]
    for flags, role, out in (([], "val", "studies/units"), (["--test"], "test", "studies/units_test")):
        run([*study, *flags, "--out", out], cwd=repo_copy)
        report = (repo_copy / out / "report.md").read_text()
        rows = [line.split(" | ") for line in report.splitlines() if line.startswith("| units=")]
        assert [row[0] for row in rows[:3]] == ["| units=1", "| units=2", "| units=3"]
        for units, row in zip((1, 2, 3), rows):
            assert row[1:3] == ["3", f"{swept[units][f'{role}_mean']['rmse']:.2f}"]  # each one's own RMSEs
        paired = [line.split(" | ") for line in report.split("## Across origins")[1].splitlines()
                  if line.startswith("| units=")]
        assert [row[1] for row in paired] == [str({"val": 6, "test": 12}[role])] * 2
        assert ("**validation origins**" in report) == (role == "val")
    assert (repo_copy / "studies/units/boxplot.png").stat().st_size > 0

    # --force: really train again instead of restoring the queued run from the run cache
    one_by_one = dvc("exp", "run", "--force", *backtest, "-S", "model.units=2", cwd=repo_copy)
    assert "Running stage 'train'" in one_by_one.stdout
    assert json.loads((repo_copy / "evaluation/metrics.json").read_text()) == swept[2]

    dvc("exp", "run", "-S", "model.units=4", "-S", "train.epochs=10", cwd=repo_copy)
    params = yaml.safe_load((repo_copy / "params.yaml").read_text())
    assert params["model"]["units"] == 4 and params["train"]["epochs"] == 10
    assert sorted(e["params"]["model"]["units"] for e in experiments(repo_copy)) == [1, 2, 2, 3, 4]


def test_default_configuration_agrees_with_the_seed_study(reproduced):
    """The committed defaults (1 unit, batch 4, 1000 epochs, 30 repeats) land in the seed's published range."""
    set_params(reproduced, **{"train.epochs": 1000, "train.repeats": 30})
    dvc("repro", cwd=reproduced)
    metrics = json.loads((reproduced / "evaluation/details.json").read_text())
    rmse = metrics["test_rmse"]
    assert rmse["count"] == 30
    assert 88 <= rmse["mean"] <= 112, rmse  # published means 98.3-104.6 for this configuration
    assert metrics["baselines"]["persistence"]["test_rmse"] == pytest.approx(136.761, abs=5e-4)
    assert rmse["max"] < metrics["baselines"]["persistence"]["test_rmse"]
    assert 0.2 < metrics["skill_vs_persistence"]["rmse"] < 0.4


@pytest.mark.parametrize("date_column, first_test_time", [("Year", 2005), (None, 24)])
def test_a_series_timed_by_numbers_or_by_row_runs_through_every_stage(repo_copy, date_column, first_test_time):
    shampoo = pd.read_csv(repo_copy / "data/shampoo-sales.csv")
    years = pd.DataFrame({"Year": range(1981, 1981 + len(shampoo)), "Sales": shampoo["Sales"]})
    (years if date_column else years[["Sales"]]).to_csv(repo_copy / "data/yearly.csv", index=False)
    set_params(repo_copy, **{"data.path": "data/yearly.csv", "data.date_column": date_column})
    dvc("repro", cwd=repo_copy)
    forecasts = pd.read_csv(repo_copy / "evaluation/forecasts.csv")
    assert forecasts["time"].tolist() == list(range(first_test_time, first_test_time + 12))  # labels kept
    metrics = json.loads((repo_copy / "evaluation/details.json").read_text())
    assert round(metrics["baselines"]["persistence"]["test_rmse"], 3) == 136.761  # the same values, read the same
    assert metrics["baselines_fit"]["season_source"] == "unknown"  # numbers are no dates: said, and non-seasonal
    assert "seasonal_naive" not in metrics["baselines"]
    assert (repo_copy / "report/forecast.png").stat().st_size > 0
