"""`lstm-tuning search` on a panel, end to end with real DVC: chosen on the mean validation MASE over series,
the test period scored once and reported on MASE, with the panel's verdict."""

import json
import sys

import pytest
import yaml
from helpers import dvc, run

pytestmark = pytest.mark.slow  # real DVC experiments in a copy of the repository

TINY_PANEL = {
    "objective": "val_ensemble.mase",
    "trials": 2,
    "seed": 3,
    "pruner": {"name": "none"},
    "fixed": {"data": "generated_panel", "data.n_series": 6, "baselines": "panel", "baselines.season": 12,
              "model": "vanilla", "train.epochs": 2, "train.repeats": 2},
    "params": {"model.units": {"int": [2, 4]}},
}


def test_a_panel_search_chooses_on_validation_mase_and_reports_the_test_mase_once(repo_copy):
    (repo_copy / "conf/search/tinypanel.yaml").write_text(yaml.safe_dump(TINY_PANEL))
    run(["git", "add", "-A"], cwd=repo_copy)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "search"], cwd=repo_copy)
    finished = run([sys.executable, "-m", "lstm_tuning", "search", "tinypanel"], cwd=repo_copy)
    assert "test MASE mean" in finished.stderr + finished.stdout

    dvc("exp", "run", "-S", "experiment=tinypanel", cwd=repo_copy)  # the choice, as the user reruns it
    metrics = json.loads((repo_copy / "evaluation/metrics.json").read_text())
    assert metrics["series"] == 6
    report = (repo_copy / "studies/tinypanel/report.md").read_text()
    assert "A panel of 6 series: each score is the mean of the series' scores." in report
    assert (f"reproduced its val_ensemble.mase exactly ({metrics['val_ensemble']['mase']:.4f})" in report)
    assert (f"| {metrics['test_mean']['mase']:.3f} | {metrics['test_ensemble']['mase']:.3f} |" in report)
    assert "on mean test MASE over 6 series" in report and "test RMSE" not in report
