"""A search: `conf/search/<name>.yaml`, what the study tunes, on what, and how long.

    objective: val_ensemble.rmse   # minimised; a validation metric of evaluation/metrics.json
    trials: 100                    # the study's budget of trials (every worker counts toward it)
    timeout: null                  # seconds a worker keeps starting trials; null: no time budget
    seed: 1                        # the TPE sampler's: trial N draws from its own stream of it
    pruner: {name: median, startup_trials: 8, warmup_epochs: 100}
    references: {published best LSTM: 80.47}   # test RMSEs the report compares the choice with
    fixed:                         # every trial runs with these (Hydra overrides, as `-S`)
      data.val_size: 6
    params:                        # the distributions, sampled in this order
      model: [stateful_lstm, vanilla, stacked]    # a list: categorical; a conf group picks an option
      data.n_lags: {int: [1, 6]}
      model.units: {int: [1, 64], log: true}
      model.learning_rate: {float: [1.0e-4, 1.0e-2], log: true}
      model.dropout: {float: [0.0, 0.5], step: 0.1}

A param is sampled only when the trial's options have it (`model.layers` for `model=stacked` only), so a
space may span options whose params differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hydra.errors import HydraException

from lstm_tuning import config
from lstm_tuning.errors import UserError
from lstm_tuning.reports import experiments
from lstm_tuning.search import choice, pruning

SEARCHES = Path("conf/search")
KINDS = ("int", "float")


@dataclass(frozen=True)
class Distribution:
    key: str  # `model` (a group's option) or `model.units` (a param)
    choices: tuple = ()  # categorical
    kind: str = ""  # "int" or "float" for a range
    low: float = 0
    high: float = 0
    log: bool = False
    step: float | None = None

    @property
    def picks_option(self) -> bool:
        return "." not in self.key

    def suggest(self, trial) -> Any:
        """The value an Optuna trial draws for this param."""
        if self.choices:
            return trial.suggest_categorical(self.key, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.key, int(self.low), int(self.high), step=int(self.step or 1), log=self.log)
        return trial.suggest_float(self.key, self.low, self.high, step=self.step, log=self.log)


@dataclass
class Search:
    name: str
    path: Path
    objective: str
    trials: int
    timeout: float | None
    seed: int
    pruner: dict
    fixed: dict[str, Any]
    params: list[Distribution] = field(default_factory=list)
    references: dict[str, float] = field(default_factory=dict)  # published test RMSEs the report compares with

    @property
    def fixed_overrides(self) -> list[str]:
        return [override(key, value) for key, value in self.fixed.items()]


def override(key: str, value) -> str:
    """`-S` override text of a value: Hydra's grammar reads it back as the same value."""
    if isinstance(value, bool):
        return f"{key}={str(value).lower()}"
    if value is None:
        return f"{key}=null"  # `None` would read back as the string "None"
    if isinstance(value, list | dict):
        return f"{key}={yaml.safe_dump(value, default_flow_style=True).strip()}"
    return f"{key}={value}"


def load(name: str, searches: Path = SEARCHES) -> Search:
    """conf/search/<name>.yaml, checked: a bad entry is one line naming the file and the key."""
    path = searches / f"{name}.yaml"
    if not path.is_file():
        found = ", ".join(sorted(p.stem for p in searches.glob("*.yaml"))) or "none"
        raise UserError(f"{path}: not found; searches in {searches}/: {found}")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    known = {"objective", "trials", "timeout", "seed", "pruner", "fixed", "params", "references"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise UserError(f"{path}: unknown key {unknown[0]!r}; a search has: {', '.join(sorted(known))}")
    objective = str(raw.get("objective", "val_ensemble.rmse"))
    if not objective.startswith("val_"):
        raise UserError(f"{path}: objective: {objective!r} is not measured on validation origins; choose a val_* "
                        "metric of evaluation/metrics.json (the test period is scored once, for the choice)")
    trials, timeout = raw.get("trials", 20), raw.get("timeout")
    if not isinstance(trials, int) or trials < 1:
        raise UserError(f"{path}: trials: {trials!r} must be a whole number >= 1")
    if timeout is not None and (not isinstance(timeout, int | float) or timeout <= 0):
        raise UserError(f"{path}: timeout: {timeout!r} must be a number of seconds > 0, or null for none")
    pruner = dict(raw.get("pruner") or {"name": "median"})
    pruning.check(pruner, f"{path}: pruner")
    fixed = raw.get("fixed") or {}
    if not isinstance(fixed, dict):
        raise UserError(f"{path}: fixed: must map params to values, like `data.val_size: 6`")
    if fixed.get("experiment") == name:
        raise UserError(f"{path}: fixed: experiment: {name} is this search's own name: its choice is written to "
                        f"conf/experiment/{name}.yaml, over the file every trial starts from; rename the search file")
    params = raw.get("params") or {}
    if not isinstance(params, dict) or not params:
        raise UserError(f"{path}: params: no distributions; map params to them, like `model.units: {{int: [1, 64]}}`")
    references = raw.get("references") or {}
    if not isinstance(references, dict) or not all(isinstance(v, int | float) for v in references.values()):
        raise UserError(f"{path}: references: must map labels to test RMSEs, like `published best LSTM: 80.47`")
    search = Search(name, path, objective, trials, timeout, int(raw.get("seed", 0)), pruner, fixed,
                    [_distribution(key, spec, path) for key, spec in params.items()], references)
    _check_keys(search)
    return search


def _distribution(key: str, spec, path: Path) -> Distribution:
    where = f"{path}: params.{key}"
    if key.partition(".")[0] not in config.GROUPS:
        raise UserError(f"{where}: unknown group {key.partition('.')[0]!r}; groups: {', '.join(config.GROUPS)}")
    if isinstance(spec, list):
        if not spec:
            raise UserError(f"{where}: no choices")
        return Distribution(key, choices=tuple(spec))
    kinds = [kind for kind in KINDS if kind in (spec or {})] if isinstance(spec, dict) else []
    if len(kinds) != 1 or "." not in key:
        raise UserError(f"{where}: write a list of choices, or {{int: [low, high]}} / {{float: [low, high]}} with "
                        "optional log: true or step (a conf group takes a list of its options)")
    kind = kinds[0]
    extra = sorted(set(spec) - {kind, "log", "step"})
    if extra:
        raise UserError(f"{where}: unknown key {extra[0]!r}; a range has {kind}, log and step")
    bounds = spec[kind]
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, int | float) for b in bounds)
            and bounds[0] < bounds[1]):
        raise UserError(f"{where}: {kind}: {bounds!r} must be [low, high] with low < high")
    log, step = bool(spec.get("log", False)), spec.get("step")
    if log and (bounds[0] <= 0 or step is not None):
        raise UserError(f"{where}: log: true needs low > 0 and no step (for 0 too, list the choices)")
    return Distribution(key, kind=kind, low=bounds[0], high=bounds[1], log=log, step=step)


def _check_keys(search: Search) -> None:
    """The fixed overrides compose, so does every option the search picks, and every param is one of some
    option the search can pick."""
    composed(search, [])
    picks = {d.key: d.choices for d in search.params if d.picks_option}
    trees = {group: [composed(search, [f"{group}={option}"]) for option in choices] for group, choices in picks.items()}
    for key in [d.key for d in search.params if not d.picks_option]:
        group = key.partition(".")[0]
        if not any(key in experiments.flatten(tree) for tree in trees.get(group) or [composed(search, [])]):
            raise UserError(f"{search.path}: params.{key} is not a param of any {group} option the search can pick")


def composed(search: Search, overrides: list[str]) -> dict:
    """conf/ composed with the fixed overrides and `overrides`, as `dvc exp run -S` composes a trial."""
    try:
        return choice.composed(choice.CONF, [*search.fixed_overrides, *overrides])
    except HydraException as exc:
        where = " ".join(overrides) or "fixed"
        first = str(exc).strip().splitlines()[0]
        raise UserError(f"{search.path}: {where}: {first} (a param or option conf/ lacks)") from exc
