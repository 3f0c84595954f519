"""Typed, validated run configuration.

`conf/` is the Hydra tree; `dvc exp run` composes it into `params.yaml`, which is what DVC tracks and
what `dvc repro` runs with. Stages therefore read `params.yaml`, composed with any command-line overrides
through Hydra's Compose API, and check it before doing any work. Without overrides (as DVC runs them) there
is nothing left to compose: the file is read as it is, and Hydra is not even imported. Each group's values
are read into the params dataclass of the option chosen (`model.name`, `data.source`, `task.name`, `backtest.name`,
`baselines.name`), which its registry declares in the light spec next to the option's code (`data/specs.py`,
`models/specs.py`, `evaluation/specs.py`): this module imports specs only, never an option's implementation
(pandas, statsmodels, Keras), so a stage depends on the code it runs and no other. `train` has one set of
params, declared here, and `forecast` one, declared in `forecasting/specs.py`. No params dataclass has
defaults: conf/ holds every value, once.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from lstm_tuning.data.specs import BACKTESTS, SOURCES, TASKS
from lstm_tuning.errors import UserError
from lstm_tuning.evaluation.specs import BASELINES
from lstm_tuning.forecasting.specs import ForecastParams
from lstm_tuning.forecasting.specs import check as check_forecast
from lstm_tuning.models.specs import MODELS
from lstm_tuning.options import check_bounds, param


@dataclass(kw_only=True)
class TrainConfig:
    # no defaults: each value is in conf/train/default.yaml, the one place it is written
    epochs: int = param(at_least=1)
    batch_size: int = param(at_least=1)
    repeats: int = param(at_least=1)
    seed: int
    checkpoint_every: int = param(at_least=1)
    early_stopping: int = param(at_least=0)
    # null: each epoch passes over every training window; k: each epoch is k batches sampled at random, with
    # replacement, from each member's training windows (what lets a large panel train in a bounded time)
    steps_per_epoch: int | None = param(at_least=1)


def _check_train(cfg: Config, source: str) -> None:
    stop = cfg.train.early_stopping
    if stop and not MODELS[cfg.model.name].carries_state:
        raise UserError(f"{source}: train.early_stopping={stop} is implemented for model=stateful_lstm only, not "
                        f"model={cfg.model.name}; set train.early_stopping=0")
    steps = cfg.train.steps_per_epoch
    if steps is not None and MODELS[cfg.model.name].carries_state:
        raise UserError(f"{source}: train.steps_per_epoch={steps} samples shuffled batches, which model="
                        f"{cfg.model.name} cannot train on (it carries its state through ordered batches); set "
                        "train.steps_per_epoch=null")
    if stop and not cfg.data.val_size:
        raise UserError(f"{source}: train.early_stopping={stop} needs a validation window: set data.val_size >= 1 "
                        "(early stopping never looks at the test period)")


@dataclass
class Config:
    data: Any
    model: Any
    train: TrainConfig
    task: Any
    backtest: Any
    baselines: Any
    forecast: ForecastParams


# each group with options: its registry; train and forecast have one params class each, and a check
REGISTRIES = {"data": SOURCES, "model": MODELS, "task": TASKS, "backtest": BACKTESTS, "baselines": BASELINES}
SINGLE = {"train": (TrainConfig, _check_train), "forecast": (ForecastParams, check_forecast)}
GROUPS = ("data", "model", "train", "task", "backtest", "baselines", "forecast")


def load(overrides: list[str] | None = None, params_file: Path | None = None) -> Config:
    """Compose `params.yaml` with Hydra overrides (`model.units=8`) and return the validated config."""
    # DVC runs every stage from the project root (or an experiment's copy of it): params.yaml is in the cwd.
    params_file = Path(params_file or "params.yaml").resolve()
    source = params_file.name
    for override in overrides or []:
        key = override.split("=", 1)[0].lstrip("+~")
        if "." not in key and key in GROUPS:
            raise UserError(
                f"{source}: {override!r} picks a conf/{key}/ option, which happens when conf/ is composed: "
                f"use `dvc exp run -S {override}`, or set single keys here like {key}.<key>=<value>"
            )
        if key.partition(".")[0] not in GROUPS:
            raise UserError(f"{source}: unknown param {key!r}; valid groups: {', '.join(GROUPS)}")
    if not params_file.is_file():
        raise UserError(f"{params_file}: not found; run from the project root or `dvc exp run` to compose conf/")
    if not overrides:
        return checked(_read(params_file, source), source)
    from hydra.errors import HydraException  # Hydra takes a tenth of a second to load, on every stage

    try:
        composed = compose(params_file.parent, params_file.stem, list(overrides), as_dict=False)
    except HydraException as exc:
        raise UserError(f"{source}: override rejected: {_first_line(exc)}") from exc
    return checked(composed, source)


def _read(params_file: Path, source: str):
    """params.yaml as it is: what Hydra composes from it without overrides (it has no defaults list)."""
    import yaml

    try:
        read = OmegaConf.load(params_file)
    except (yaml.YAMLError, OmegaConfBaseException) as exc:
        raise UserError(f"{source}: not valid YAML ({_first_line(exc)}); `dvc exp run` composes it anew from "
                        "conf/") from exc
    if not OmegaConf.is_dict(read):
        raise UserError(f"{source}: holds no mapping of param groups; `dvc exp run` composes it anew from conf/")
    return read


_hydra = threading.Lock()  # Hydra's state is global: one composition at a time (a search's workers are threads)


def compose(directory: Path, name: str, overrides: list[str], as_dict: bool = True):
    """`<directory>/<name>.yaml` composed by Hydra with `overrides`: conf/config.yaml as `dvc exp run -S`
    composes it into params.yaml, or params.yaml as a stage reads it. The one place Hydra composes."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with _hydra, initialize_config_dir(config_dir=str(Path(directory).resolve()), version_base="1.3"):
        composed = hydra_compose(config_name=name, overrides=list(overrides))
    return OmegaConf.to_container(composed) if as_dict else composed


def checked(composed, source: str) -> Config:
    """Composed params (as in params.yaml) read into the chosen options' params and checked; `source`
    names them in error messages."""
    unknown = [group for group in composed if group not in GROUPS]
    if unknown:
        raise UserError(f"{source}: unknown param group {unknown[0]!r}; valid groups: {', '.join(GROUPS)}")
    cfg = Config(**{group: _read_group(group, composed.get(group, {}), source) for group in GROUPS})
    for group in GROUPS:
        check_bounds(getattr(cfg, group), group, source)
    for group, registry in REGISTRIES.items():
        check = registry[getattr(getattr(cfg, group), registry.key)].check
        if check:
            check(cfg, source)
    for _, check in SINGLE.values():
        check(cfg, source)
    return cfg


def params_class(group: str, values, source: str = "params.yaml") -> type:
    """The dataclass that a group's values are read into: the chosen option's params, or the group's own."""
    if group in SINGLE:
        return SINGLE[group][0]
    registry = REGISTRIES[group]
    chosen = values.get(registry.key) if isinstance(values, Mapping) or OmegaConf.is_dict(values) else None
    if chosen is None:
        raise UserError(f"{source}: {group}.{registry.key} is not set; valid: {', '.join(registry)}")
    return registry.chosen(chosen, source).params


def _read_group(group: str, values, source: str):
    params = params_class(group, values, source)
    valid = [f.name for f in dataclasses.fields(params)]
    for name in values.keys() if OmegaConf.is_dict(values) else []:
        if name not in valid:
            if group in SINGLE:
                raise UserError(f"{source}: unknown param '{group}.{name}'; valid {group} keys: {', '.join(valid)}")
            key = REGISTRIES[group].key
            raise UserError(f"{source}: {group}.{name} is not a param of {group}.{key}={values[key]}; "
                            f"its params: {', '.join(valid)}")
    unset = [name for name in valid if name not in values]
    if unset:  # the dataclasses have no defaults: conf/ holds every value
        if group in SINGLE:
            raise UserError(f"{source}: {group}.{unset[0]} is not set; `dvc exp run` composes params.yaml from conf/, "
                            f"which sets it from conf/{group}/default.yaml")
        key = REGISTRIES[group].key
        raise UserError(f"{source}: {group}.{unset[0]} is not set for {group}.{key}={values[key]}; pick the option "
                        f"with `dvc exp run -S {group}=<option>`, which sets every param from "
                        f"conf/{group}/<option>.yaml")
    try:
        return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(params), values))
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or "?"
        raise UserError(f"{source}: bad value for {group}.{key}: {_first_line(exc)}") from exc


def as_dict(cfg: Config) -> dict:
    return dataclasses.asdict(cfg)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
