"""A search file read into Optuna distributions, checked, and drawn from: only the params of the options a
trial picks, the same params for the same trial number."""

import optuna
import pytest
import yaml

from lstm_tuning.errors import UserError
from lstm_tuning.search import space, workers

SEARCH = {
    "objective": "val_rmse.mean",
    "trials": 3,
    "seed": 5,
    "pruner": {"name": "successive_halving", "min_epochs": 20},
    "fixed": {"data.val_size": 6, "backtest": "expanding"},
    "params": {
        "model": ["vanilla", "stacked"],
        "model.layers": {"int": [2, 4]},
        "model.units": {"int": [1, 64], "log": True},
        "model.dropout": {"float": [0.0, 0.4], "step": 0.1},
        "train.batch_size": [1, 2, 4],
    },
}


@pytest.fixture
def searches(tmp_path):
    return tmp_path


def write(searches, entries, name="s"):
    (searches / f"{name}.yaml").write_text(yaml.safe_dump(entries, sort_keys=False))
    return name


def test_a_search_file_reads_into_distributions(searches):
    search = space.load(write(searches, SEARCH), searches)
    assert (search.objective, search.trials, search.timeout, search.seed) == ("val_rmse.mean", 3, None, 5)
    assert search.fixed_overrides == ["data.val_size=6", "backtest=expanding"]
    by_key = {d.key: d for d in search.params}
    assert by_key["model"].choices == ("vanilla", "stacked") and by_key["model"].picks_option
    assert (by_key["model.units"].kind, by_key["model.units"].low, by_key["model.units"].log) == ("int", 1, True)
    assert by_key["model.dropout"].step == 0.1


@pytest.mark.parametrize("change, message", [
    ({"objective": "test_rmse.mean"}, r"objective: 'test_rmse.mean' is not measured on validation origins"),
    ({"trials": 0}, r"trials: 0 must be a whole number >= 1"),
    ({"timeout": -5}, r"timeout: -5 must be a number of seconds"),
    ({"sampler": "random"}, r"unknown key 'sampler'; a search has"),
    ({"pruner": {"name": "hyperband"}}, r"pruner.name='hyperband' is unknown; valid: median, successive_halving, none"),
    ({"pruner": {"name": "median", "patience": 3}}, r"unknown key 'patience' of pruner median"),
    ({"pruner": {"name": "median", "startup_trials": -1}}, r"pruner.startup_trials=-1 must be an integer >= 0"),
    ({"references": {"published": "80.47"}}, r"references: must map labels to test RMSEs"),
    ({"params": {"model.units": {"int": [8, 2]}}}, r"params.model.units: int: \[8, 2\] must be \[low, high\]"),
    ({"params": {"model.units": {"range": [1, 2]}}}, r"params.model.units: write a list of choices, or \{int"),
    ({"params": {"model.units": {"int": [1, 8], "spread": 2}}}, r"params.model.units: unknown key 'spread'"),
    ({"params": {"model.kernel_l2": {"float": [0.0, 0.1], "log": True}}}, r"log: true needs low > 0"),
    ({"params": {"optimiser.lr": [1, 2]}}, r"params.optimiser.lr: unknown group 'optimiser'"),
    ({"params": {"model": ["vanilla", "transformer"]}}, r"s.yaml: model=transformer: .*transformer"),
    ({"params": {"model": ["vanilla"], "model.layers": {"int": [2, 3]}}},
     r"params.model.layers is not a param of any model option the search can pick"),
    ({"params": {}}, r"params: no distributions"),
    ({"fixed": {"data.val_sise": 6}}, r"s.yaml: fixed: .*val_sise"),
])
def test_a_bad_search_file_is_one_line_naming_the_entry(searches, change, message):
    with pytest.raises(UserError, match=message) as raised:
        space.load(write(searches, SEARCH | change), searches)
    assert "\n" not in str(raised.value)


def test_a_missing_search_names_the_ones_there(searches):
    write(searches, SEARCH, "shampoo")
    with pytest.raises(UserError, match=r"nope.yaml: not found; searches in .*: shampoo"):
        space.load("nope", searches)


def test_a_trial_draws_only_the_params_of_the_options_it_picks(searches):
    search = space.load(write(searches, SEARCH), searches)
    drawn = optuna.create_study()
    drawn.enqueue_trial({"model": "vanilla"})
    drawn.enqueue_trial({"model": "stacked"})
    vanilla, stacked = drawn.ask(), drawn.ask()
    assert workers.suggest(search, vanilla)[0] == "model=vanilla"
    assert "model.layers" not in vanilla.params and {"model.units", "train.batch_size"} <= set(vanilla.params)
    overrides = workers.suggest(search, stacked)
    assert overrides[0] == "model=stacked" and 2 <= stacked.params["model.layers"] <= 4
    assert f"model.layers={stacked.params['model.layers']}" in overrides


def test_the_same_trial_number_draws_the_same_params(searches):
    search = space.load(write(searches, SEARCH), searches)
    drawn = []
    for _ in range(2):
        one = optuna.create_study()
        trial = one.ask()
        one.sampler = workers.sampler(search.seed, trial.number)
        drawn.append(workers.suggest(search, trial))
    assert drawn[0] == drawn[1]


def test_overrides_read_back_as_the_values_drawn():
    assert space.override("model.learning_rate", 0.00123) == "model.learning_rate=0.00123"
    assert space.override("data.undifferenced", ["a"]) == "data.undifferenced=[a]"
    assert space.override("model.dropout", True) == "model.dropout=true"
