"""The train stage's side of pruning: each checkpoint's validation error reported to the trial in the study's
storage, and a trial the pruner calls hopeless stopped with the epoch recorded."""

import numpy as np
import optuna
import pytest

from lstm_tuning.search import pruning

EPOCHS = (10, 20, 30)


@pytest.fixture
def windows():
    """One fit, 8 one-step windows; the last 3 are validation windows with actual values 1, 2, 3."""
    y = np.zeros((1, 8, 1, 1))
    y[0, 5:, 0, 0] = [1.0, 2.0, 3.0]
    return {"y": y, "stop": np.arange(8) >= 5}


def forecasts(error: float, repeats: int = 2) -> np.ndarray:
    """[fits, repeats, windows, n_out, n_targets] off every window by `error` (repeats +-, so the ensemble is exact
    when the repeats' errors cancel)."""
    signs = np.where(np.arange(repeats) % 2, -1.0, 1.0)[None, :, None, None, None]
    actual = np.zeros((1, 1, 8, 1, 1))
    actual[0, 0, 5:, 0, 0] = [1.0, 2.0, 3.0]
    return actual + error * signs


def in_search(monkeypatch, tmp_path, ensemble=False, pruner=None):
    """A study in a journal file with one finished trial that reported an MSE of 1 at every epoch, and a running
    trial handed to the stage as a search hands it."""
    location = str(tmp_path / "journal.log")
    study = optuna.create_study(study_name="s", storage=pruning.storage(location))
    done = study.ask()
    for epoch in EPOCHS:
        done.report(1.0, epoch)
    study.tell(done, 1.0)
    trial = study.ask()
    pruner = pruner or {"name": "median", "startup_trials": 1, "warmup_epochs": 0}
    for key, value in pruning.handed_over(trial._trial_id, "s", location, pruner, ensemble).items():
        monkeypatch.setenv(key, value)
    return study, trial


def test_outside_a_search_nothing_is_reported(monkeypatch, windows):
    monkeypatch.delenv(pruning.ENV, raising=False)
    assert pruning.reporter(windows) is None


def test_a_trial_better_than_the_median_trains_on_with_every_checkpoint_reported(monkeypatch, tmp_path, windows):
    study, trial = in_search(monkeypatch, tmp_path)
    report = pruning.reporter(windows)
    for epoch in EPOCHS:
        report(epoch, forecasts(0.5))
    reported = study.trials[trial.number].intermediate_values
    assert reported == {epoch: pytest.approx(0.25) for epoch in EPOCHS}


def test_a_hopeless_trial_is_pruned_and_says_at_which_epoch(monkeypatch, tmp_path, windows):
    study, trial = in_search(monkeypatch, tmp_path)
    report = pruning.reporter(windows)
    with pytest.raises(pruning.Pruned, match=r"trial 1 pruned at epoch 10: validation MSE 4.00000"):
        report(10, forecasts(2.0))  # the median pruner compares a trial's best error so far with the others'
    assert study.trials[trial.number].user_attrs["pruned_epoch"] == 10


def test_the_ensemble_objective_prunes_on_the_mean_forecast_of_the_repeats(monkeypatch, tmp_path, windows):
    study, trial = in_search(monkeypatch, tmp_path, ensemble=True)
    pruning.reporter(windows)(10, forecasts(2.0))  # each repeat off by 2, their mean exact
    assert study.trials[trial.number].intermediate_values == {10: 0.0}


def test_without_a_pruner_nothing_is_pruned(monkeypatch, tmp_path, windows):
    study, trial = in_search(monkeypatch, tmp_path, pruner={"name": "none"})
    report = pruning.reporter(windows)
    for epoch in EPOCHS:
        report(epoch, forecasts(10.0))
    assert len(study.trials[trial.number].intermediate_values) == 3


def test_without_validation_windows_there_is_nothing_to_prune_on(monkeypatch, tmp_path, windows, caplog):
    in_search(monkeypatch, tmp_path)
    assert pruning.reporter(windows | {"stop": np.zeros(8, bool)}) is None
    assert "no validation window" in caplog.text
