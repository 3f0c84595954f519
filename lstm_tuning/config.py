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


@dataclass
class ModelConfig:
    name: str = "stateful_lstm"
    units: int = 1
    activation: str = "tanh"
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    kernel_l1: float = 0.0
    kernel_l2: float = 0.0
    recurrent_l1: float = 0.0
    recurrent_l2: float = 0.0
    bias_l1: float = 0.0
    bias_l2: float = 0.0
    optimizer: str = "adam"
    learning_rate: float = 0.001
    loss: str = "mse"


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
    season: int = 12
    arima_order: list[int] = field(default_factory=lambda: [2, 1, 0])
    exp_smoothing_trend: str | None = "add"
    exp_smoothing_damped: bool = True


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    baselines: BaselinesConfig = field(default_factory=BaselinesConfig)


_GROUP_TYPES = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig, "baselines": BaselinesConfig}


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
)
_CHOICES = {
    "model.optimizer": ELEMENTWISE_OPTIMIZERS,
    "model.loss": LOSSES,
    "model.activation": ACTIVATIONS,
    "data.fill": FILLS,
    "baselines.exp_smoothing_trend": SMOOTHING_TRENDS,
}
_MODELS = ("stateful_lstm",)


def _get(cfg: Config, dotted: str):
    value = cfg
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def validate(cfg: Config, source: str) -> Config:
    for key in _AT_LEAST_ONE:
        if _get(cfg, key) < 1:
            raise UserError(f"{source}: {key}={_get(cfg, key)} must be an integer >= 1")
    if cfg.data.val_size < 0:
        raise UserError(f"{source}: data.val_size={cfg.data.val_size} must be an integer >= 0")
    if cfg.train.early_stopping < 0:
        raise UserError(f"{source}: train.early_stopping={cfg.train.early_stopping} must be an integer >= 0")

    for key in ("model.dropout", "model.recurrent_dropout"):
        if not 0 <= _get(cfg, key) < 1:
            raise UserError(f"{source}: {key}={_get(cfg, key)} must be in [0, 1)")
    for key in (f"model.{w}_{norm}" for w in ("kernel", "recurrent", "bias") for norm in ("l1", "l2")):
        if _get(cfg, key) < 0:
            raise UserError(f"{source}: {key}={_get(cfg, key)} must be >= 0")
    if cfg.model.learning_rate <= 0:
        raise UserError(f"{source}: model.learning_rate={cfg.model.learning_rate} must be > 0")
    if cfg.model.name not in _MODELS:
        raise UserError(f"{source}: model.name={cfg.model.name!r} is unknown; valid: {', '.join(_MODELS)}")
    for key, choices in _CHOICES.items():
        if _get(cfg, key) not in choices:
            valid = ", ".join("null" if c is None else c for c in choices)
            raise UserError(f"{source}: {key}={_get(cfg, key)!r} is not supported; valid: {valid}")
    order = cfg.baselines.arima_order
    if len(order) != 3 or min(order) < 0:
        raise UserError(f"{source}: baselines.arima_order={list(order)} must be three integers >= 0: [p, d, q]")
    return cfg


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


def as_dict(cfg: Config) -> dict:
    return dataclasses.asdict(cfg)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
