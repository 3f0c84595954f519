"""A chosen configuration written as a named experiment by the tool: it composes to exactly the params it was
written from, and `dvc exp run -S experiment=<name>` reproduces the experiment it came from."""

import json
import shutil
import sys

import pytest
import yaml
from helpers import ROOT, dvc, run

from lstm_tuning.errors import UserError
from lstm_tuning.search import choice


@pytest.fixture
def conf(tmp_path):
    return shutil.copytree(ROOT / "conf", tmp_path / "conf")


@pytest.mark.parametrize("overrides, picks, values", [
    (["model=vanilla", "model.units=3", "backtest=expanding", "data.val_size=6", "forecast.levels=[90]"],
     [{"override /model": "vanilla"}, {"override /backtest": "expanding"}],
     {"data": {"val_size": 6}, "model": {"units": 3}, "forecast": {"levels": [90]}}),
    # a data option that picks its own baselines: the pick is the data option's, nothing else differs
    (["data=arithmetic_sequence", "model=vanilla"],
     [{"override /data": "arithmetic_sequence"}, {"override /model": "vanilla"}], {}),
    (["model.kernel_l2=0.001", "train.epochs=500"], None, {"model": {"kernel_l2": 0.001}, "train": {"epochs": 500}}),
])
def test_the_file_holds_the_options_picked_and_every_value_that_differs(conf, overrides, picks, values):
    params = choice.composed(conf, overrides)
    path = choice.write("chosen", params, conf, origin="test")
    written = yaml.safe_load(path.read_text())
    assert written.pop("defaults", None) == picks
    assert written == values
    assert choice.composed(conf, ["experiment=chosen"]) == params


def test_params_the_conf_files_do_not_have_are_refused(conf):
    params = choice.composed(conf, [])
    params["model"]["units_per_layer"] = 4
    with pytest.raises(UserError, match=r"model.units_per_layer is not a param of its option in"):
        choice.write("chosen", params, conf)
    assert not (conf / "experiment/chosen.yaml").exists()


@pytest.mark.slow  # real DVC in a copy of the repository
def test_the_experiment_written_from_a_run_reproduces_its_validation_metrics(repo_copy):
    trial = ["-S", "model=vanilla", "-S", "model.units=3", "-S", "backtest=expanding", "-S", "data.val_size=6",
             "-S", "train.batch_size=2"]
    dvc("exp", "run", "-n", "trial", *trial, cwd=repo_copy)
    metrics = json.loads((repo_copy / "evaluation/details.json").read_text())
    run([sys.executable, "-m", "lstm_tuning", "experiment", "trial", "--as", "chosen"], cwd=repo_copy)
    assert "from DVC experiment trial" in (repo_copy / "conf/experiment/chosen.yaml").read_text()

    dvc("exp", "run", "-n", "again", "-S", "experiment=chosen", cwd=repo_copy)
    again = json.loads((repo_copy / "evaluation/details.json").read_text())
    assert again["origins"] == {"val": 6, "test": 12}
    assert again["val_rmse"] == metrics["val_rmse"] and again["val_ensemble"] == metrics["val_ensemble"]
