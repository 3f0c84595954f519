"""`lstm-tuning study` on a panel, end to end with real DVC: two configurations of a tiny generated panel, their
repeats compared on mean MASE over series and their ensembles paired across the panel's series."""

import sys

import pytest
from helpers import dvc, experiments, run

pytestmark = pytest.mark.slow  # real DVC experiments in a copy of the repository

# a tiny panel: 6 series, 2 repeats of 2 epochs; 12 validation months before each series' test year
PANEL = ["-S", "data=generated_panel", "-S", "data.n_series=6", "-S", "baselines=panel", "-S", "baselines.season=12",
         "-S", "model=vanilla", "-S", "train.epochs=2", "-S", "train.repeats=2", "-S", "train.checkpoint_every=1"]


def test_a_panel_study_pairs_the_configurations_across_its_series(repo_copy):
    for units in (2, 4):
        dvc("exp", "run", *PANEL, "-S", f"model.units={units}", cwd=repo_copy)
    runs = {e["params"]["model"]["units"]: e["metrics"] for e in experiments(repo_copy)}
    assert sorted(runs) == [2, 4] and all(m["series"] == 6 for m in runs.values())

    study = [sys.executable, "-m", "lstm_tuning", "study", "--baseline", "model.units=2",
             "--match", "data.name=generated_panel", "--out", "studies/panel"]
    run(study, cwd=repo_copy)
    report = (repo_copy / "studies/panel/report.md").read_text()
    assert report.startswith("# Study: `model.units` (validation MASE over repeats)")
    assert "averaged over the 6 series" in report and "RMSE" not in report
    rows = [line.split(" | ") for line in report.split("## Across series")[0].splitlines()
            if line.startswith("| units=")]
    for units, row in zip((2, 4), rows):
        assert row[0] == f"| units={units}"
        assert row[1:3] == ["2", f"{runs[units]['val_mean']['mase']:.2f}"]  # 2 repeats; their mean over series
    paired = [line.split(" | ") for line in report.split("## Across series (paired)")[1].splitlines()
              if line.startswith("| units=")]
    assert [row[:2] for row in paired] == [["| units=4", "6"]]
    assert "across 6 series" in report and "across the 6 series" in report
    assert "One comparison: its Wilcoxon p-value needs no adjustment." in report

    assert (repo_copy / "studies/panel/boxplot.png").stat().st_size > 0
    assert (repo_copy / "studies/panel/train_test.png").stat().st_size > 0

    # --test: the same comparison on the test origins, said so
    run([*study[:-2], "--test", "--out", "studies/panel_test"], cwd=repo_copy)
    tested = (repo_copy / "studies/panel_test/report.md").read_text()
    assert "(test MASE over repeats)" in tested and "across the 6 series" in tested

