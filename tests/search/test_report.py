"""The search's report in words: the test period on the objective's metric (a panel's MASE, the mean over its
series), the verdict against the best baseline; and the search files that ship with the project."""

from pathlib import Path

import optuna
import pytest
from helpers import ROOT

from lstm_tuning.evaluation import scores
from lstm_tuning.search import report, space
from lstm_tuning.search.trials import objective_metric

PANEL_METRICS = {  # a panel's headline (evaluation/metrics.json): means over series
    "val_ensemble": {"mase": 0.91, "smape": 14.2, "rmse": 310.0},
    "test_ensemble": {"mase": 0.874, "smape": 13.61, "rmse": 402.5},
    "test_mean": {"mase": 0.902, "smape": 14.05, "rmse": 415.0},
    "best_baseline": "auto_theta",
    "best_baseline_chosen_on": "val",
    "best_baseline_test": {"mase": 0.893, "smape": 13.85, "rmse": 398.0},
    "skill": {"mase": 0.0213, "smape": 0.0173, "rmse": -0.0113},
    "series": 1428,
}
SINGLE_METRICS = {
    "val_ensemble": {"rmse": 80.0, "mae": 60.0, "mase": 0.9},
    "test_ensemble": {"rmse": 96.46, "mae": 77.69, "mase": 1.049},
    "test_mean": {"rmse": 97.319, "mae": 77.92, "mase": 1.052},
    "best_baseline": "auto_arima",
    "best_baseline_chosen_on": "val",
    "best_baseline_test": {"rmse": 90.55, "mae": 74.79, "mase": 1.0096},
    "skill": {"mase": -0.0387, "mae": -0.0387, "rmse": -0.0652},
}


def one_trial_study(value: float):
    study = optuna.create_study()
    study.add_trial(optuna.trial.create_trial(
        params={"model.units": 8}, distributions={"model.units": optuna.distributions.IntDistribution(4, 64)},
        value=value, user_attrs={"experiment": "s-000", "rev": "0123456789abcdef", "overrides": ["model.units=8"],
                                 "seconds": 12}))
    return study


def search(objective: str, references=None) -> space.Search:
    return space.Search("s", Path("conf/search/s.yaml"), objective, 1, None, 1, {"name": "none"}, {}, [],
                        references or {})


def test_a_panel_search_reports_the_test_period_on_mean_mase_over_its_series(tmp_path):
    study = one_trial_study(0.91)
    text = report.write(tmp_path, search("val_ensemble.mase", {"Theta (M3, published)": 0.9}), study,
                        study.best_trial, PANEL_METRICS, "journal").read_text()
    assert "A panel of 1,428 series: each score is the mean of the series' scores." in text
    assert "| test origins, mean over 1,428 series | test MASE mean over repeats | test MASE of the ensemble |" in text
    assert "| the choice (trial 0) | 0.902 | 0.874 |" in text
    assert "| best baseline: AutoTheta | | 0.893 |" in text
    assert ("The LSTM ensemble beats the best classical baseline (AutoTheta, chosen on the validation origins) on "
            "mean test MASE over 1,428 series: 0.874 vs 0.893 (skill +0.021; sMAPE 13.61 vs 13.85).") in text
    assert "Its mean test MASE over repeats (0.90) does not beat the Theta (M3, published) (0.90)." in text
    assert "RMSE" not in text.split("## Trials")[0]


def test_a_panel_that_loses_to_its_baseline_says_so():
    losing = PANEL_METRICS | {"skill": {"mase": -0.05, "smape": -0.01, "rmse": 0.0}}
    assert report.headline_verdict(losing).startswith("The LSTM ensemble does not beat the best classical baseline")


def test_a_single_series_search_reports_rmse_in_original_units_and_evaluates_verdict(tmp_path):
    study = one_trial_study(80.0)
    text = report.write(tmp_path, search("val_ensemble.rmse", {"published best LSTM": 80.47}), study,
                        study.best_trial, SINGLE_METRICS, "journal").read_text()
    assert "| test origins, original units | test RMSE mean over repeats | test RMSE of the ensemble |" in text
    assert "| the choice (trial 0) | 97.319 | 96.460 |" in text
    assert "| best baseline: AutoARIMA | | 90.550 |" in text
    assert scores.verdict(SINGLE_METRICS) in text and "A panel of" not in text
    assert "Its mean test RMSE over repeats (97.32) does not beat the published best LSTM (80.47)." in text


@pytest.mark.parametrize("objective, metric", [("val_ensemble.mase", "mase"), ("val_ensemble.rmse", "rmse"),
                                               ("val_rmse.mean", "rmse"), ("val_mean.smape", "smape")])
def test_the_objective_names_the_metric_the_test_period_is_shown_on(objective, metric):
    assert objective_metric(objective) == metric


SEARCH_FILES = sorted(path.stem for path in (ROOT / "conf/search").glob("*.yaml"))


@pytest.mark.parametrize("name", SEARCH_FILES)
def test_every_search_file_of_the_project_loads(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # conf/ is read relative to the project, as the command runs
    raw = (ROOT / "conf/search" / f"{name}.yaml").read_text()
    experiment = next((line.split(":", 1)[1].split("#")[0].strip() for line in raw.splitlines()
                       if line.strip().startswith("experiment:")), None)
    if experiment and not (ROOT / "conf/experiment" / f"{experiment}.yaml").is_file():
        pytest.skip(f"conf/experiment/{experiment}.yaml is not in this checkout (written by the lead at merge)")
    search = space.load(name, ROOT / "conf/search")
    assert search.objective.startswith("val_") and search.params
    if "generated_panel" in name or "m3" in name:
        assert search.objective == "val_ensemble.mase"  # a panel is chosen on scale-free MASE over series


def test_a_search_named_as_the_experiment_its_trials_start_from_is_refused(tmp_path):
    (tmp_path / "m3_monthly.yaml").write_text("objective: val_ensemble.mase\nfixed: {experiment: m3_monthly}\n"
                                              "params: {model.units: {int: [4, 8]}}\n")
    with pytest.raises(space.UserError, match=r"m3_monthly.yaml: fixed: experiment: m3_monthly is this search's "
                                              r"own name: .* rename the search file$"):
        space.load("m3_monthly", tmp_path)


def test_a_null_choice_reads_back_as_null():
    assert space.override("train.steps_per_epoch", None) == "train.steps_per_epoch=null"
