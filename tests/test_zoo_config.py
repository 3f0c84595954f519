"""The zoo's Hydra options (conf/model, conf/task, conf/data) and the combinations refused at config time."""

import pytest
import yaml

from lstm_tuning import config
from lstm_tuning.errors import UserError

from test_config import compose_conf, options

# what each option needs besides itself to form a valid run
COMPANIONS = {
    ("model", "cnn_lstm"): ["data.n_lags=4"],
    ("model", "conv_lstm"): ["data.n_lags=4"],
    ("task", "multiple_input"): ["data=seed004_multiple_input", "model=vanilla"],
    ("task", "multiple_parallel"): ["data=seed004_multiple_input", "model=stacked"],
    ("task", "multistep_vector"): ["model=stacked"],
    ("task", "multiple_input_multistep"): ["data=seed004_multiple_input", "model=stacked"],
    ("task", "multiple_parallel_multistep"): ["data=seed004_multiple_input", "model=encoder_decoder"],
}
PARAMS_USED = {"model": config.MODEL_PARAMS, "data": config.DATA_PARAMS, "task": config.TASK_PARAMS}
ALL_OPTIONS = [(group, option) for group in PARAMS_USED for option in options(group)]


def load_composed(tmp_path, overrides, stage_overrides=()):
    """What a stage sees after `dvc exp run -S <overrides>`: conf/ composed into params.yaml, then loaded."""
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump(compose_conf(overrides)))
    return config.load(list(stage_overrides), params_file=params)


@pytest.mark.parametrize("group, option", ALL_OPTIONS)
def test_each_option_lists_exactly_the_params_it_uses(group, option):
    composed = compose_conf([f"{group}={option}"])[group]
    chosen = composed["source" if group == "data" else "name"]
    assert set(composed) == set(PARAMS_USED[group][chosen])


@pytest.mark.parametrize("group, option", ALL_OPTIONS)
def test_each_option_composes_into_a_valid_config(tmp_path, group, option):
    cfg = load_composed(tmp_path, [f"{group}={option}", *COMPANIONS.get((group, option), [])])
    assert getattr(cfg, group).name == option


def test_the_encoder_decoder_framing_picks_its_model_with_one_override(tmp_path):
    cfg = load_composed(tmp_path, ["task=multistep_encoder_decoder"])
    assert (cfg.model.name, cfg.task.n_out) == ("encoder_decoder", 2)


@pytest.mark.parametrize(
    "overrides, stage_overrides, named",
    [
        (["model=cnn_lstm", "data.n_lags=3"], [], ("model.n_seq=2", "model.n_steps=2", "data.n_lags=3")),
        (["model=conv_lstm", "data.n_lags=4"], ["model.n_steps=3"], ("model.n_seq=2", "model.n_steps=3", "data.n_lags=4")),
        (["task=multistep_encoder_decoder"], ["task.n_out=0"], ("model=encoder_decoder", "task.n_out=0")),
        (["task=multistep_vector", "model=stacked"], ["task.n_out=0"], ("task.n_out=0",)),
        (["model=cnn_lstm", "data.n_lags=4"], ["model.kernel_size=3"], ("model.kernel_size=3", "model.n_steps=2")),
        (["model=cnn_lstm", "data.n_lags=4", "model.kernel_size=2"], [], ("model.pool_size=2", "model.kernel_size=2")),
        (["task=multistep_encoder_decoder", "model=stacked"], [], ("task=multistep_encoder_decoder", "model=stacked")),
        (["task=multistep_vector"], [], ("model=stateful_lstm", "task=multistep_vector")),
        (["task=multiple_input", "model=vanilla"], [], ("task=multiple_input", "data.covariates")),
        (["model=vanilla"], ["model.dropout=1.0"], ("model.dropout=1.0",)),
        (["model=vanilla"], ["model.kernel_l2=-0.1"], ("model.kernel_l2=-0.1",)),
        (["model=vanilla"], ["+model.filters=8"], ("model.filters", "model.name=vanilla")),
        (["model=conv_lstm", "data.n_lags=4"], ["+model.units=8"], ("model.units", "model.name=conv_lstm")),
        (["data=seed004_multiple_input", "model=vanilla"], ["data.covariates=[in1,out]"], ("data.covariates", "'out'")),
        (["model=vanilla"], ["data.undifferenced=[Revenue]"], ("data.undifferenced", "'Revenue'")),
    ],
)
def test_invalid_combinations_fail_at_config_time_naming_the_params(tmp_path, overrides, stage_overrides, named):
    with pytest.raises(UserError) as err:
        load_composed(tmp_path, overrides, stage_overrides)
    message = str(err.value)
    assert "\n" not in message
    for param in named:
        assert param in message
