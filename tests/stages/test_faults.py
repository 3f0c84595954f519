"""Faults: diverging repeats, interrupted stages (SIGINT, SIGTERM, SIGKILL), and the runs after them."""

import json
import os
import re
import signal
import subprocess
import sys

import numpy as np
import pytest
from helpers import dvc, project_env, run, set_params

pytestmark = pytest.mark.slow  # real DVC in a copy of the repository

# Plain SGD at learning rate 1 on a linear-activation LSTM sits at the edge of stability on Shampoo:
# with these seeds some repeats diverge and some do not (deterministic on CPU).
EDGE_OF_STABILITY = {"model.units": 16, "model.activation": "linear", "model.optimizer": "sgd",
                     "model.learning_rate": 1.0, "train.epochs": 100, "train.repeats": 8, "train.seed": 1}


def test_diverged_repeats_are_counted_as_failed_not_averaged(repo_copy):
    set_params(repo_copy, **EDGE_OF_STABILITY)
    result = dvc("repro", cwd=repo_copy)
    assert "diverged (training loss became NaN or inf)" in result.stdout + result.stderr
    metrics = json.loads((repo_copy / "evaluation/details.json").read_text())
    assert 0 < metrics["repeats_diverged"] < 8
    assert metrics["test_rmse"]["count"] == 8 - metrics["repeats_diverged"]
    assert np.isfinite(metrics["test_rmse"]["mean"])
    assert f"{metrics['repeats_diverged']} repeats diverged" in (repo_copy / "report/report.md").read_text()
    # the forecaster keeps the repeats that did not diverge in the final fit, on every row
    kept = json.loads((repo_copy / "models/forecaster.json").read_text())["repeats"]
    assert 0 < len(kept) < 8 and len(list((repo_copy / "models").glob("*.keras"))) == len(kept)


def test_every_repeat_diverging_fails_the_stage(repo_copy):
    set_params(repo_copy, **{"model.optimizer": "sgd", "model.learning_rate": 1e6})
    run([sys.executable, "-m", "stages.ingest"], cwd=repo_copy)
    run([sys.executable, "-m", "stages.transform"], cwd=repo_copy)
    run([sys.executable, "-m", "stages.window"], cwd=repo_copy)
    result = run([sys.executable, "-m", "stages.train"], cwd=repo_copy, check=False)
    assert result.returncode == 2
    assert "error: all 3 repeats diverged" in result.stderr and "model.learning_rate" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (repo_copy / "models").exists()


def snapshot(directory):
    return {p.relative_to(directory): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def training_started(process) -> None:
    """Return once the progress bar shows a rate: compiling is over, the compiled training loop runs."""
    seen = ""
    while not re.search(r"\d epoch/s|\depoch/s", seen):
        char = process.stdout.read(1)
        if not char:
            raise AssertionError(f"train stage ended before training: {process.wait()}")
        seen = (seen + char)[-200:]


def start_training(repo):
    """Start a long train stage and return once it is training."""
    process = subprocess.Popen([sys.executable, "-m", "stages.train", "train.epochs=2000000"], cwd=repo,
                               env=project_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    training_started(process)
    return process


def test_an_interrupted_stage_replaces_no_output(reproduced):
    lock = (reproduced / "dvc.lock").read_bytes()
    models, loss = snapshot(reproduced / "models"), (reproduced / "training/loss.csv").read_bytes()

    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 130), (signal.SIGKILL, -9)):
        process = start_training(reproduced)
        process.send_signal(sig)
        assert process.wait(timeout=60) == code, sig

        assert snapshot(reproduced / "models") == models
        assert (reproduced / "training/loss.csv").read_bytes() == loss
        assert (reproduced / "dvc.lock").read_bytes() == lock
        if sig != signal.SIGKILL:  # SIGKILL cannot be caught: only then may temporary files stay behind
            assert list(reproduced.rglob(".*.tmp*")) == []
    status = dvc("status", cwd=reproduced).stdout
    assert "up to date" in status, status


def test_repro_completes_after_a_killed_repro(reproduced):
    lock = (reproduced / "dvc.lock").read_bytes()
    set_params(reproduced, **{"train.epochs": 2000000})
    process = subprocess.Popen([sys.executable, "-m", "dvc", "repro"], cwd=reproduced, env=project_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    training_started(process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert (reproduced / "dvc.lock").read_bytes() == lock

    set_params(reproduced, **{"train.epochs": 20})
    result = dvc("repro", cwd=reproduced)
    assert (reproduced / "dvc.lock").read_bytes() == lock  # back to the first run's params: same run
    assert json.loads((reproduced / "evaluation/details.json").read_text())["test_rmse"]["count"] == 3
    assert result.returncode == 0
