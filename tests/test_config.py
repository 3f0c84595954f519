"""Real Hydra composition: conf/ composes to the committed params.yaml; stages read it, with overrides, into
the params of the options chosen, and refuse what no option reads or allows, in one line naming the param."""

import dataclasses

import pytest
import yaml
from helpers import PARAMS, ROOT, compose_conf, load_config

from lstm_tuning import config
from lstm_tuning.data.framings import TASKS
from lstm_tuning.errors import UserError


def options(group):
    return sorted(path.stem for path in (ROOT / "conf" / group).glob("*.yaml"))


def test_params_yaml_is_the_composition_of_conf():
    assert yaml.safe_load(PARAMS.read_text()) == compose_conf()


def test_committed_params_are_the_seed_configuration():
    cfg = config.load(params_file=PARAMS)
    assert (cfg.model.units, cfg.train.batch_size, cfg.train.epochs, cfg.train.repeats) == (1, 4, 1000, 30)
    assert (cfg.data.n_lags, cfg.data.test_size, cfg.data.diff_interval) == (1, 12, 1)


# each group with options: the key that names the chosen one
CHOSEN_BY = {"model": "name", "data": "source", "task": "name", "baselines": "name"}
ALL_OPTIONS = [(group, option) for group in CHOSEN_BY for option in options(group)]


@pytest.mark.parametrize("group, option", ALL_OPTIONS)
def test_each_option_lists_exactly_the_params_it_reads(group, option):
    # a key missing from conf/ cannot be set with `dvc exp run -S`; an extra one fails every stage
    composed = compose_conf([f"{group}={option}"])[group]
    params = config.params_class(group, composed)
    assert set(composed) == {f.name for f in dataclasses.fields(params)}


def companions(group, option):
    """What a framing needs besides the defaults: series besides the target, and a model that reads windows."""
    if group != "task":
        return []
    data = [] if TASKS[option].inputs == "target" else ["data=summed_sequences"]
    return data + ([] if option in ("univariate", "multistep_encoder_decoder") else ["model=vanilla"])


@pytest.mark.parametrize("group, option", ALL_OPTIONS)
def test_each_option_is_valid_with_every_other_param_at_its_default(tmp_path, group, option):
    cfg = load_config(tmp_path, [f"{group}={option}", *companions(group, option)])
    assert getattr(cfg, group).name == option


def test_train_keys_are_the_schemas():
    assert set(compose_conf()["train"]) == {f.name for f in dataclasses.fields(config.TrainConfig)}


def test_overrides_apply_over_params_yaml():
    cfg = config.load(["model.units=8", "train.epochs=3"], PARAMS)
    assert cfg.model.units == 8 and cfg.train.epochs == 3


@pytest.mark.parametrize(
    "override, named",
    [
        ("model.units=0", "model.units"),
        ("train.batch_size=-1", "train.batch_size"),
        ("model.units=many", "model.units"),
        ("model.optimizer=adafactor", "model.optimizer"),
        ("model.learning_rate=0", "model.learning_rate"),
        ("train.epoch=5", "train.epoch"),
        ("baselines.season=twelve", "baselines.season"),
        ("baselines.season=0", "baselines.season"),
        ("data.fill=zero", "data.fill"),
        ("model.name=lstm9", "model.name"),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_param(override, named):
    with pytest.raises(UserError) as err:
        config.load([override], PARAMS)
    message = str(err.value)
    assert named in message and "\n" not in message


def test_a_group_option_is_picked_when_conf_is_composed_not_by_a_stage():
    with pytest.raises(UserError, match=r"use `dvc exp run -S model=stacked`"):
        config.load(["model=stacked"], PARAMS)


def test_named_experiments_set_only_known_keys(tmp_path):
    for experiment in options("experiment"):
        cfg = load_config(tmp_path, [f"experiment={experiment}"])
        assert cfg.data.test_size >= 1
    best = load_config(tmp_path, ["experiment=best"])
    assert best.data.val_size > 0  # chosen on a validation window, never on the test year


def test_the_encoder_decoder_framing_picks_its_model_with_one_override(tmp_path):
    cfg = load_config(tmp_path, ["task=multistep_encoder_decoder"])
    assert (cfg.model.name, cfg.task.n_out) == ("encoder_decoder", 2)


@pytest.mark.parametrize(
    "conf_overrides, overrides, named",
    [
        (["model=cnn_lstm", "data.n_lags=3"], ["model.n_steps=2"], ("model.n_steps=2", "data.n_lags=3")),
        (["model=conv_lstm", "data.n_lags=4"], ["model.n_steps=3"], ("model.n_steps=3", "data.n_lags=4")),
        (["model=cnn_lstm", "data.n_lags=4"], ["model.kernel_size=3", "model.n_steps=2"],
         ("model.kernel_size=3", "model.n_steps=2")),
        (["model=cnn_lstm", "data.n_lags=4", "model.n_steps=2", "model.kernel_size=2", "model.pool_size=2"], [],
         ("model.pool_size=2", "model.kernel_size=2")),
        (["task=multistep_encoder_decoder"], ["task.n_out=0"], ("task.n_out=0",)),
        (["task=multistep_vector", "model=stacked"], ["task.n_out=0"], ("task.n_out=0",)),
        (["task=multistep_encoder_decoder", "model=stacked"], [], ("task=multistep_encoder_decoder", "model=stacked")),
        (["task=multistep_vector"], [], ("model=stateful_lstm", "task=multistep_vector")),
        (["task=multiple_input", "model=vanilla"], [], ("task=multiple_input", "data.covariates")),
        (["model=vanilla"], ["model.dropout=1.0"], ("model.dropout=1.0",)),
        (["model=vanilla"], ["model.kernel_l2=-0.1"], ("model.kernel_l2=-0.1",)),
        (["model=vanilla"], ["+model.filters=8"], ("model.filters", "model.name=vanilla")),
        (["model=conv_lstm"], ["+model.units=8"], ("model.units", "model.name=conv_lstm")),
        (["data=summed_sequences", "model=vanilla"], ["data.covariates=[in1,out]"], ("data.covariates", "'out'")),
        (["model=vanilla"], ["data.undifferenced=[Revenue]"], ("data.undifferenced", "'Revenue'")),
        (["model=vanilla"], ["train.early_stopping=3"], ("train.early_stopping=3", "model=vanilla")),
        ([], ["train.early_stopping=3"], ("train.early_stopping=3", "data.val_size >= 1")),
    ],
)
def test_invalid_combinations_fail_at_config_time_naming_the_params(tmp_path, conf_overrides, overrides, named):
    with pytest.raises(UserError) as err:
        load_config(tmp_path, conf_overrides, overrides)
    message = str(err.value)
    assert "\n" not in message
    for param in named:
        assert param in message
