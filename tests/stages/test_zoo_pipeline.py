"""The model zoo and the framings through the real pipeline: `dvc exp run -S model=... -S task=...`."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from helpers import SHAMPOO, SHARED_STAGE_RUNS, dvc, experiments, queue_logs, wait_for_queue

pytestmark = pytest.mark.slow  # real DVC in a copy of the repository


def flat_keys(tree: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in tree.items():
        keys |= flat_keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return keys


def exp_run(repo, *overrides: str) -> dict:
    """The experiment's evaluation/details.json (every score), after it ran."""
    dvc("exp", "run", *(arg for override in overrides for arg in ("-S", override)), cwd=repo)
    return json.loads((repo / "evaluation/details.json").read_text())


def test_multistep_models_report_per_step_rmse_under_the_same_names(repo_copy):
    vector = exp_run(repo_copy, "model=vanilla", "model.units=8", "task=multistep_vector", "task.n_out=3")
    vector_headline = json.loads((repo_copy / "evaluation/metrics.json").read_text())
    horizon = pd.read_csv(repo_copy / "evaluation/horizon.csv")
    encoder_decoder = exp_run(repo_copy, "task=multistep_encoder_decoder", "task.n_out=3", "model.units=8")

    # dvc metrics diff / exp show line the models up key by key
    assert flat_keys(vector) == flat_keys(encoder_decoder)
    assert flat_keys(vector_headline) == flat_keys(json.loads((repo_copy / "evaluation/metrics.json").read_text()))
    assert {"t+1", "t+2", "t+3"} <= set(vector["per_series"]["Sales"])
    assert list(horizon["horizon"]) == [1, 2, 3]

    # persistence per step, in original units, recomputed from the CSV: origin t forecasts t, t+1, t+2
    # with the value at t - 1; origins are the 12 test months that have 3 months ahead of them (10)
    sales = pd.read_csv(SHAMPOO)["Sales"].to_numpy()
    origins = np.arange(24, 34)
    for h in range(3):
        expected = np.sqrt(np.mean((sales[origins + h] - sales[origins - 1]) ** 2))
        assert vector["per_series"]["Sales"][f"t+{h + 1}"]["persistence_rmse"] == pytest.approx(expected)
        assert horizon.loc[h, "persistence"] == pytest.approx(expected)
    assert vector["baselines"]["persistence"]["test_rmse"] == pytest.approx(
        np.sqrt(np.mean((sales[origins[:, None] + np.arange(3)] - sales[origins - 1, None]) ** 2)))

    # the repeats' forecasts are in original units too: the same order of error as persistence
    for metrics in (vector, encoder_decoder):
        steps = [metrics["per_series"]["Sales"][f"t+{h}"]["test_rmse_mean"] for h in (1, 2, 3)]
        assert all(10 < rmse < 5 * vector["baselines"]["persistence"]["test_rmse"] for rmse in steps)

    # diagnostics come from the zoo trainer's checkpoints and end at the evaluated weights
    diagnostics = pd.read_csv(repo_copy / "evaluation/diagnostics.csv")
    last = diagnostics[diagnostics["epoch"] == diagnostics["epoch"].max()].set_index("repeat")["test_rmse"]
    evaluated = pd.read_csv(repo_copy / "evaluation/rmse.csv").set_index("repeat")["test_rmse"]
    np.testing.assert_allclose(last.sort_index(), evaluated.sort_index(), rtol=1e-4)
    time_json = json.loads((repo_copy / "training/time.json").read_text())
    assert time_json["train_seconds"] > 0


def test_parallel_series_of_the_packaged_dataset_are_each_scored(repo_copy):
    metrics = exp_run(repo_copy, "model=stacked", "model.units=4", "data=macrodata",
                      "task=multiple_parallel_multistep", "train.checkpoint_every=5")
    # covariates first, the target (data.target) last; unemp is a rate and is not differenced
    assert list(metrics["per_series"]) == ["realcons", "realinv", "unemp", "realgdp"]
    assert metrics["test_rmse"]["mean"] == pytest.approx(metrics["per_series"]["realgdp"]["test_rmse_mean"])
    assert set(metrics["baselines"]) == {"persistence", "seasonal_naive", "drift", "auto_ets", "auto_arima",
                                        "auto_theta"}
    scaling = json.loads((repo_copy / "data/scaling.json").read_text())[0]  # the only fit's
    assert scaling["unemp"]["diff_interval"] == 0 and scaling["realgdp"]["diff_interval"] == 1
    assert "| unemp | t+2 |" in (repo_copy / "report/report.md").read_text()


def test_a_seed004_toy_runs_through_the_stages_with_persistence_as_its_baseline(repo_copy):
    metrics = exp_run(repo_copy, "model=vanilla", "data=summed_sequences", "task=multiple_input")
    assert set(metrics["baselines"]) == {"persistence"}
    # one test window, [in1, in2] at steps 7-9 -> out at step 9 = 90 + 95; persistence says out at step 8
    assert metrics["baselines"]["persistence"]["test_rmse"] == pytest.approx(185 - 165)
    forecasts = pd.read_csv(repo_copy / "evaluation/forecasts.csv")
    assert list(forecasts["time"]) == [8] and list(forecasts["actual"]) == [185]
    # the target depends on the same steps' covariates, unknown past the end: the models, but no forecast
    assert pd.read_csv(repo_copy / "forecast/forecast.csv").empty
    assert (repo_copy / "models/forecaster.json").exists()


def test_every_model_option_runs_the_whole_pipeline_with_every_other_param_at_its_default(repo_copy):
    """`dvc exp run -S model=<option>` and nothing else, for every option, as queued experiments."""
    from lstm_tuning.models.specs import MODELS

    options = sorted(MODELS)
    dvc("repro", cwd=repo_copy)  # the stages every option shares, once: queue workers then only read their runs
    for option in options:
        dvc("exp", "run", "--queue", "-S", f"model={option}", cwd=repo_copy)
    dvc("queue", "start", "-j", "2", cwd=repo_copy)
    wait_for_queue(repo_copy, timeout=900)
    assert not any(re.search(SHARED_STAGE_RUNS, log) for log in queue_logs(repo_copy).values())
    ran = {e["params"]["model"]["name"]: e["metrics"] for e in experiments(repo_copy)}
    assert sorted(ran) == options
    for option, metrics in ran.items():
        assert np.isfinite(metrics["test_mean"]["rmse"]) and np.isfinite(metrics["skill"]["mase"]), option
