"""Typed, validated run configuration.

`conf/` is the Hydra tree; `dvc exp run` composes it into `params.yaml`, which is what DVC tracks and
what `dvc repro` runs with. Stages therefore compose `params.yaml` (plus any command-line overrides)
through Hydra's Compose API and check it against the schema below before doing any work.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from lstm_tuning.errors import UserError

# Optimizers whose update is elementwise, so one optimizer over weights stacked along a repeat axis
# gives every repeat exactly the update it would get alone (no norm or factor shared across repeats).
ELEMENTWISE_OPTIMIZERS = ("adam", "adamw", "adamax", "nadam", "rmsprop", "adagrad", "sgd")
LOSSES = ("mse", "mae", "huber", "log_cosh")
ACTIVATIONS = ("tanh", "relu", "linear", "sigmoid", "elu", "selu", "softsign", "gelu", "swish")
FILLS = (None, "ffill", "interpolate")
SMOOTHING_TRENDS = (None, "add", "mul")


@dataclass
class DataConfig:
    name: str = "shampoo"
    path: str = "data/shampoo-sales.csv"
    date_column: str = "Month"
    target: str = "Sales"
    date_format: str | None = None
    diff_interval: int = 1
    n_lags: int = 1
    val_size: int = 0
    test_size: int = 12
    fill: str | None = None
    source: str = "csv"  # where the series come from: see DATA_SOURCES
    covariates: list[str] = field(default_factory=list)  # series besides the target, in column order
    undifferenced: list[str] = field(default_factory=list)  # series scaled but not differenced
    length: int = 9  # generated sources: number of points
    step: float = 10.0  # generated sources: spacing of the points
    offset: float = 5.0  # seed004_multiple_input: in2 = in1 + offset


@dataclass
class ModelConfig:
    name: str = "stateful_lstm"
    units: int = 1
    activation: str = "tanh"
    optimizer: str = "adam"
    learning_rate: float = 0.001
    loss: str = "mse"
    layers: int = 2  # stacked: LSTM layers of `units` each
    dropout: float = 0.0  # of the LSTM inputs
    recurrent_dropout: float = 0.0
    kernel_l1: float = 0.0
    kernel_l2: float = 0.0
    recurrent_l1: float = 0.0
    recurrent_l2: float = 0.0
    bias_l1: float = 0.0
    bias_l2: float = 0.0
    filters: int = 64  # cnn_lstm, conv_lstm
    kernel_size: int = 1  # in time steps; conv_lstm's kernel is (1 row, kernel_size)
    pool_size: int = 2  # cnn_lstm
    n_seq: int = 2  # cnn_lstm, conv_lstm: each window is n_seq subsequences of n_steps lags
    n_steps: int = 2


@dataclass
class TrainConfig:
    epochs: int = 1000
    batch_size: int = 4
    repeats: int = 30
    seed: int = 7
    checkpoint_every: int = 10
    early_stopping: int = 0


@dataclass
class BaselinesConfig:
    name: str = "classical"  # see BASELINES_PARAMS
    season: int = 12
    arima_order: list[int] = field(default_factory=lambda: [2, 1, 0])
    exp_smoothing_trend: str | None = "add"
    exp_smoothing_damped: bool = True


@dataclass
class TaskConfig:
    name: str = "univariate"  # the framing: see TASK_PARAMS
    n_out: int = 1  # steps forecast from each window (multi-step framings)


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    task: TaskConfig = field(default_factory=TaskConfig)
    baselines: BaselinesConfig = field(default_factory=BaselinesConfig)


_GROUP_TYPES = {
    "data": DataConfig,
    "model": ModelConfig,
    "train": TrainConfig,
    "task": TaskConfig,
    "baselines": BaselinesConfig,
}

# The params each option of a group uses: its conf file lists exactly these, and a param it does not use
# (`+model.filters=8` on vanilla) is refused rather than silently ignored.
_LSTM_PARAMS = ("name", "activation", "dropout", "recurrent_dropout", "kernel_l1", "kernel_l2",
                "recurrent_l1", "recurrent_l2", "bias_l1", "bias_l2", "optimizer", "learning_rate", "loss")
MODEL_PARAMS = {
    "stateful_lstm": _LSTM_PARAMS + ("units",),
    "vanilla": _LSTM_PARAMS + ("units",),
    "stacked": _LSTM_PARAMS + ("units", "layers"),
    "bidirectional": _LSTM_PARAMS + ("units",),
    "cnn_lstm": _LSTM_PARAMS + ("units", "filters", "kernel_size", "pool_size", "n_seq", "n_steps"),
    "conv_lstm": _LSTM_PARAMS + ("filters", "kernel_size", "n_seq", "n_steps"),  # sized by filters, not units
    "encoder_decoder": _LSTM_PARAMS + ("units",),
}
# `path` is the file ingest depends on (dvc.yaml): the CSV, or for the other sources their conf file
_SERIES_PARAMS = ("name", "source", "path", "target", "covariates", "undifferenced", "diff_interval", "n_lags",
                  "val_size", "test_size")
DATA_PARAMS = {
    "csv": _SERIES_PARAMS + ("date_column", "date_format", "fill"),
    "macrodata": _SERIES_PARAMS,
    "seed004_univariate": _SERIES_PARAMS + ("length", "step"),
    "seed004_multiple_input": _SERIES_PARAMS + ("length", "step", "offset"),
    "seed003_sine": _SERIES_PARAMS + ("length", "step"),
}
# inputs: the target alone, the covariates alone (the target depends on them) or all series in parallel
TASK_INPUTS = {
    "univariate": "target",
    "multiple_input": "covariates",
    "multiple_parallel": "all",
    "multistep_vector": "target",
    "multistep_encoder_decoder": "target",
    "multiple_input_multistep": "covariates",
    "multiple_parallel_multistep": "all",
}
TASK_PARAMS = {name: ("name", "n_out") if "multistep" in name else ("name",) for name in TASK_INPUTS}
BASELINES_PARAMS = {
    "classical": ("name", "season", "arima_order", "exp_smoothing_trend", "exp_smoothing_damped"),
    "persistence": ("name",),
}
_OPTION_PARAMS = {
    "model": ("name", MODEL_PARAMS),
    "data": ("source", DATA_PARAMS),
    "task": ("name", TASK_PARAMS),
    "baselines": ("name", BASELINES_PARAMS),
}


_AT_LEAST_ONE = (
    "data.diff_interval",
    "data.n_lags",
    "data.test_size",
    "model.units",
    "train.epochs",
    "train.batch_size",
    "train.repeats",
    "train.checkpoint_every",
    "baselines.season",
    "model.layers",
    "model.filters",
    "model.kernel_size",
    "model.pool_size",
    "model.n_seq",
    "model.n_steps",
    "data.length",
)
_NOT_NEGATIVE = ("model.kernel_l1", "model.kernel_l2", "model.recurrent_l1", "model.recurrent_l2",
                 "model.bias_l1", "model.bias_l2")
_CHOICES = {
    "model.optimizer": ELEMENTWISE_OPTIMIZERS,
    "model.loss": LOSSES,
    "model.activation": ACTIVATIONS,
    "data.fill": FILLS,
    "baselines.exp_smoothing_trend": SMOOTHING_TRENDS,
}


def _get(cfg: Config, dotted: str):
    value = cfg
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def validate(cfg: Config, source: str) -> Config:
    _validate_combinations(cfg, source)
    for key in _AT_LEAST_ONE:
        if _get(cfg, key) < 1:
            raise UserError(f"{source}: {key}={_get(cfg, key)} must be an integer >= 1")
    if cfg.data.val_size < 0:
        raise UserError(f"{source}: data.val_size={cfg.data.val_size} must be an integer >= 0")
    if cfg.train.early_stopping < 0:
        raise UserError(f"{source}: train.early_stopping={cfg.train.early_stopping} must be an integer >= 0")
    if cfg.model.learning_rate <= 0:
        raise UserError(f"{source}: model.learning_rate={cfg.model.learning_rate} must be > 0")
    for key in _NOT_NEGATIVE:
        if _get(cfg, key) < 0:
            raise UserError(f"{source}: {key}={_get(cfg, key)} must be >= 0")
    for key in ("model.dropout", "model.recurrent_dropout"):
        if not 0 <= _get(cfg, key) < 1:
            raise UserError(f"{source}: {key}={_get(cfg, key)} must be in [0, 1)")
    for key, choices in _CHOICES.items():
        if _get(cfg, key) not in choices:
            valid = ", ".join("null" if c is None else c for c in choices)
            raise UserError(f"{source}: {key}={_get(cfg, key)!r} is not supported; valid: {valid}")
    order = cfg.baselines.arima_order
    if len(order) != 3 or min(order) < 0:
        raise UserError(f"{source}: baselines.arima_order={list(order)} must be three integers >= 0: [p, d, q]")
    return cfg


def _validate_combinations(cfg: Config, source: str) -> None:
    """Params that are valid alone but not together; checked first, so the message names them all."""
    model, data, task = cfg.model, cfg.data, cfg.task
    for group, (key, options) in _OPTION_PARAMS.items():
        chosen = getattr(getattr(cfg, group), key)
        if chosen not in options:
            raise UserError(f"{source}: {group}.{key}={chosen!r} is unknown; valid: {', '.join(options)}")
    if model.name == "encoder_decoder" and task.n_out < 1:
        raise UserError(f"{source}: model=encoder_decoder repeats its encoding task.n_out={task.n_out} times; "
                        "task.n_out must be >= 1")
    if task.n_out < 1:
        raise UserError(f"{source}: task.n_out={task.n_out} must be an integer >= 1")
    if model.name in ("cnn_lstm", "conv_lstm") and model.n_seq * model.n_steps != data.n_lags:
        raise UserError(f"{source}: model={model.name} reads each window as model.n_seq={model.n_seq} x "
                        f"model.n_steps={model.n_steps} = {model.n_seq * model.n_steps} lags, but data.n_lags="
                        f"{data.n_lags}; make n_seq x n_steps equal n_lags")
    if model.name in ("cnn_lstm", "conv_lstm") and model.kernel_size > model.n_steps:
        raise UserError(f"{source}: model.kernel_size={model.kernel_size} is longer than a subsequence "
                        f"(model.n_steps={model.n_steps}); make kernel_size <= n_steps")
    if model.name == "cnn_lstm" and model.pool_size > model.n_steps - model.kernel_size + 1:
        raise UserError(f"{source}: model.pool_size={model.pool_size} is longer than the "
                        f"{model.n_steps - model.kernel_size + 1} steps the convolution leaves (model.n_steps="
                        f"{model.n_steps}, model.kernel_size={model.kernel_size}); make pool_size <= n_steps - "
                        "kernel_size + 1")
    if cfg.train.early_stopping and model.name != "stateful_lstm":
        raise UserError(f"{source}: train.early_stopping={cfg.train.early_stopping} is implemented for "
                        f"model=stateful_lstm only, not model={model.name}; set train.early_stopping=0")
    if model.name == "stateful_lstm" and task.name != "univariate":
        raise UserError(f"{source}: model=stateful_lstm forecasts task=univariate only, not task={task.name}; "
                        "pick another model for this framing")
    if task.name == "multistep_encoder_decoder" and model.name != "encoder_decoder":
        raise UserError(f"{source}: task=multistep_encoder_decoder is the framing of model=encoder_decoder, "
                        f"not model={model.name}; use task=multistep_vector for other models")
    if TASK_INPUTS[task.name] != "target" and not data.covariates:
        raise UserError(f"{source}: task={task.name} needs input series besides the target, but "
                        f"data.covariates is empty for data={data.name}; pick data with covariates "
                        "(seed004_multiple_input, macrodata) or task=univariate")
    if data.target in data.covariates:
        raise UserError(f"{source}: data.covariates names data.target={data.target!r}; list only the other series")
    unknown = [name for name in data.undifferenced if name not in (data.target, *data.covariates)]
    if unknown:
        raise UserError(f"{source}: data.undifferenced names {unknown[0]!r}, which is neither data.target nor "
                        "in data.covariates")


def load(overrides: list[str] | None = None, params_file: Path | None = None) -> Config:
    """Compose `params.yaml` with Hydra overrides (`model.units=8`) and return the validated config."""
    # DVC runs every stage from the project root (or an experiment's copy of it): params.yaml is in the cwd.
    params_file = Path(params_file or "params.yaml").resolve()
    source = params_file.name
    for override in overrides or []:
        key = override.split("=", 1)[0].lstrip("+~")
        if "." not in key and key in _GROUP_TYPES:
            raise UserError(
                f"{source}: {override!r} picks a conf/{key}/ option, which happens when conf/ is composed: "
                f"use `dvc exp run -S {override}`, or set single keys here like {key}.<key>=<value>"
            )
        _check_key(key, source)
    if not params_file.is_file():
        raise UserError(f"{params_file}: not found; run from the project root or `dvc exp run` to compose conf/")
    try:
        with initialize_config_dir(config_dir=str(params_file.parent), version_base="1.3"):
            composed = compose(config_name=params_file.stem, overrides=list(overrides or []))
    except HydraException as exc:
        raise UserError(f"{source}: override rejected: {_first_line(exc)}") from exc
    for group, values in composed.items():
        for name in values.keys() if OmegaConf.is_dict(values) else [""]:
            _check_key(f"{group}.{name}".rstrip("."), source)
        _check_option_params(group, values, source)
    try:
        merged = OmegaConf.merge(OmegaConf.structured(Config), composed)
        cfg = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or "?"
        raise UserError(f"{source}: bad value for {key}: {_first_line(exc)}") from exc
    return validate(cfg, source)


def _check_key(key: str, source: str) -> None:
    """Reject a param the schema does not know, listing the valid ones."""
    group, _, name = key.partition(".")
    if group not in _GROUP_TYPES:
        raise UserError(f"{source}: unknown param {key!r}; valid groups: {', '.join(_GROUP_TYPES)}")
    valid = [f.name for f in dataclasses.fields(_GROUP_TYPES[group])]
    if name not in valid:
        raise UserError(f"{source}: unknown param {key!r}; valid {group} keys: {', '.join(valid)}")


def _check_option_params(group: str, values, source: str) -> None:
    """Reject a param that the chosen option (model=vanilla, data=macrodata, ...) does not use."""
    if group not in _OPTION_PARAMS or not OmegaConf.is_dict(values):
        return
    key, options = _OPTION_PARAMS[group]
    chosen = values.get(key, getattr(_GROUP_TYPES[group](), key))
    used = options.get(chosen)
    unused = [name for name in values.keys() if used is not None and name not in used]
    if unused:
        raise UserError(f"{source}: {group}.{unused[0]} is not a param of {group}.{key}={chosen}; "
                        f"its params: {', '.join(used)}")


def as_dict(cfg: Config) -> dict:
    return dataclasses.asdict(cfg)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
