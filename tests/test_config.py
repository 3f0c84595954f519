"""Real Hydra composition: conf/ composes to the committed params.yaml; stages read it with overrides."""

import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from lstm_tuning import config
from lstm_tuning.errors import UserError

from conftest import ROOT

PARAMS = ROOT / "params.yaml"


def compose_conf(overrides=()):
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        return OmegaConf.to_container(compose(config_name="config", overrides=list(overrides)))


def test_params_yaml_is_the_composition_of_conf():
    assert yaml.safe_load((ROOT / "params.yaml").read_text()) == compose_conf()


def test_committed_params_are_the_seed_configuration():
    cfg = config.load(params_file=PARAMS)
    assert (cfg.model.units, cfg.train.batch_size, cfg.train.epochs, cfg.train.repeats) == (1, 4, 1000, 30)
    assert (cfg.data.n_lags, cfg.data.test_size, cfg.data.diff_interval) == (1, 12, 1)


def options(group):
    return sorted(path.stem for path in (ROOT / "conf" / group).glob("*.yaml"))


def test_conf_and_schema_have_the_same_keys():
    # a key missing from conf/ cannot be set with `dvc exp run -S`; an extra one fails every stage.
    # Each option lists only the params it uses (tests/test_zoo_config.py), so the union over options counts.
    schema = config.as_dict(config.Config())
    assert set(compose_conf()) == set(schema)
    for group, keys in schema.items():
        in_conf = set().union(*(compose_conf([f"{group}={option}"])[group] for option in options(group)))
        assert in_conf == set(keys), group


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
        ("train.epoch=5", "train.epoch"),
        ("baselines.arima_order=[2,1]", "baselines.arima_order"),
        ("baselines.arima_order=[2,x,0]", "baselines.arima_order"),
        ("baselines.exp_smoothing_trend=exp", "baselines.exp_smoothing_trend"),
        ("baselines.season=0", "baselines.season"),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_param(override, named):
    with pytest.raises(UserError) as err:
        config.load([override], PARAMS)
    message = str(err.value)
    assert named in message and "\n" not in message


def test_named_experiment_overrides_known_keys_and_selects_on_validation():
    best = compose_conf(["experiment=best"])
    merged = OmegaConf.merge(OmegaConf.structured(config.Config), best)
    cfg = config.validate(OmegaConf.to_object(merged), "experiment=best")
    assert cfg.data.val_size > 0  # chosen on a validation window, never on the test year
    assert cfg.data.test_size == 12 and cfg.model.units != config.ModelConfig().units
