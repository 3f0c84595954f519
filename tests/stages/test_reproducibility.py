"""Shareable and leak-free: a DVC remote restores every stage, the test period never reaches training."""

import json
import re

import pytest
from helpers import dvc, run, set_params

pytestmark = pytest.mark.slow  # real DVC in a copy of the repository


def test_push_clone_pull_restores_every_stage_without_retraining(reproduced, tmp_path):
    remote = tmp_path / "remote"
    dvc("remote", "add", "-d", "local", str(remote), cwd=reproduced)
    run(["git", "add", "-A"], cwd=reproduced)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "run"], cwd=reproduced)
    dvc("push", "--run-cache", cwd=reproduced)

    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(reproduced), str(clone)], cwd=tmp_path)
    dvc("pull", "--run-cache", cwd=clone)
    result = dvc("repro", cwd=clone)
    assert "Running stage" not in result.stdout, result.stdout
    assert (clone / "evaluation/metrics.json").read_bytes() == (reproduced / "evaluation/metrics.json").read_bytes()

    # with outputs gone, the run cache still brings every stage back without running it
    for out in ("models", "data/windows.npz", "report"):
        path = clone / out
        run(["rm", "-rf", str(path)], cwd=clone)
    result = dvc("repro", cwd=clone)
    assert "Running stage 'train'" not in result.stdout, result.stdout
    # (train's outputs are all there: only the stages whose outputs went are restored)
    assert set(re.findall(r"Stage '(\w+)' is cached - skipping run", result.stdout)) == {"window", "report", "forecast"}
    assert (clone / "models/repeat_000.keras").exists()
    assert (clone / "evaluation/metrics.json").read_bytes() == (reproduced / "evaluation/metrics.json").read_bytes()


def test_changing_only_test_values_changes_no_scaler_weight_or_validation_metric(reproduced):
    # early stopping too: it decides on the validation window and must never see the test period
    set_params(reproduced, **{"data.val_size": 4, "train.early_stopping": 2, "train.checkpoint_every": 2})
    dvc("repro", cwd=reproduced)
    # the backtest fits' scalers (the last is the final fit's, on every row, test year included)
    scaling = json.loads((reproduced / "data/scaling.json").read_text())[:-1]
    # the loss of every epoch: the same weights all the way (loss.csv is the last backtest fit's; the models kept
    # for the forecast are the final fit's)
    loss = (reproduced / "training/loss.csv").read_bytes()
    metrics = json.loads((reproduced / "evaluation/details.json").read_text())

    csv = reproduced / "data/shampoo-sales.csv"
    lines = csv.read_text().splitlines()
    for i in range(len(lines) - 12, len(lines)):  # the test year: scale it tenfold
        date, value = lines[i].split(",")
        lines[i] = f"{date},{float(value) * 10}"
    csv.write_text("\n".join(lines) + "\n")
    dvc("repro", cwd=reproduced)

    changed = json.loads((reproduced / "evaluation/details.json").read_text())
    assert changed["test_rmse"] != metrics["test_rmse"]  # the change did reach the test scores
    assert json.loads((reproduced / "data/scaling.json").read_text())[:-1] == scaling
    assert (reproduced / "training/loss.csv").read_bytes() == loss
    assert changed["val_rmse"] == metrics["val_rmse"]
    assert changed["diagnostics"]["best_val_epoch"] == metrics["diagnostics"]["best_val_epoch"]
