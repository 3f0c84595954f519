"""Real Hydra composition: conf/ composes to the committed params.yaml; stages read it, with overrides, into
the params of the options chosen, and refuse what no option reads or allows, in one line naming the param."""

import dataclasses
import subprocess
import sys

import pytest
import yaml
from helpers import PARAMS, ROOT, compose_conf, load_config

from lstm_tuning import config
from lstm_tuning.data.specs import TASKS
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
CHOSEN_BY = {"model": "name", "data": "source", "task": "name", "backtest": "name", "baselines": "name"}
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


def test_train_and_forecast_keys_are_the_schemas():
    for group in config.SINGLE:
        assert set(compose_conf()[group]) == {f.name for f in dataclasses.fields(config.params_class(group, {}))}


PARAMS_CLASSES = sorted({option.params for registry in config.REGISTRIES.values() for option in registry.values()}
                        | {params for params, _ in config.SINGLE.values()}, key=lambda params: params.__name__)


@pytest.mark.parametrize("params", PARAMS_CLASSES, ids=lambda params: params.__name__)
def test_conf_alone_holds_the_defaults(params):
    # conf/ sets every param (the tests above), so a dataclass default would be a second copy that can drift
    repeated = [f.name for f in dataclasses.fields(params)
                if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING]
    assert not repeated, f"{params.__name__} repeats conf/'s defaults of {repeated}"


def test_the_shared_lstm_params_are_written_once():
    shared = yaml.safe_load((ROOT / "conf/model/_shared/lstm.yaml").read_text())
    for option in options("model"):
        own = yaml.safe_load((ROOT / "conf/model" / f"{option}.yaml").read_text())
        # the shared file is merged after the option's own keys: a key in both would silently take its value
        assert own["defaults"] == ["_self_", "_shared/lstm@_here_"] and not set(own) & set(shared), option
        assert compose_conf([f"model={option}"])["model"].items() >= shared.items()


def test_reading_the_config_loads_no_implementation():
    # what a stage reads before any work: no pandas, statsmodels or TensorFlow (seconds to load)
    script = ("import sys; from lstm_tuning import config; config.load(params_file=sys.argv[1]); "
              "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pandas', 'statsmodels', 'keras', "
              "'tensorflow', 'sklearn'}))")
    loaded = subprocess.run([sys.executable, "-c", script, str(PARAMS)], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_without_overrides_params_yaml_is_read_as_hydra_composes_it(tmp_path):
    # a stage run by DVC reads params.yaml without Hydra: it must come out as Hydra composes it
    assert config.load(None, PARAMS) == config.load([f"train.seed={config.load(None, PARAMS).train.seed}"], PARAMS)
    for conf_overrides in (["model=cnn_lstm", "data.n_lags=3"], ["backtest=expanding", "data.val_size=12"],
                           ["data=summed_sequences", "task=multiple_input", "model=vanilla"]):
        params = tmp_path / "params.yaml"
        params.write_text(yaml.safe_dump(compose_conf(conf_overrides)))
        assert config.load(None, params) == config.load([f"train.seed={config.load(None, params).train.seed}"], params)


@pytest.mark.parametrize("text", ["model: [units: 1", "- model\n- train\n"])
def test_a_broken_params_yaml_is_one_line(tmp_path, text):
    params = tmp_path / "params.yaml"
    params.write_text(text)
    with pytest.raises(UserError, match=r"^params.yaml: .*`dvc exp run` composes it anew from conf/$"):
        config.load(None, params)


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


def test_the_local_m3_experiment_is_m3_monthly_with_one_model_per_series(tmp_path):
    # the same series, split, horizon and baselines as the global experiment: their metrics compare
    local = load_config(tmp_path, ["experiment=m3_monthly_local"])
    shared = load_config(tmp_path, ["experiment=m3_monthly"])
    assert (local.model.scope, shared.model.scope, local.task.n_out, local.train.repeats) == ("local", "global", 18, 5)
    assert [getattr(local, group) for group in ("data", "task", "backtest", "baselines", "forecast")] == \
        [getattr(shared, group) for group in ("data", "task", "backtest", "baselines", "forecast")]


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
        ([], ["backtest.name=expanding"], ("backtest.step is not set", "dvc exp run -S backtest=<option>")),
        ([], ["~train.seed"], ("train.seed is not set", "conf/train/default.yaml")),
    ],
)
def test_invalid_combinations_fail_at_config_time_naming_the_params(tmp_path, conf_overrides, overrides, named):
    with pytest.raises(UserError) as err:
        load_config(tmp_path, conf_overrides, overrides)
    message = str(err.value)
    assert "\n" not in message
    for param in named:
        assert param in message
