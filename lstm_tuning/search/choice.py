"""Write a DVC experiment's configuration as a named one, conf/experiment/<name>.yaml, generated.

The file holds every param of the chosen configuration that differs from the defaults `conf/` composes to,
and the conf group options it picks.

    lstm-tuning experiment <dvc experiment> --as <name>

`dvc exp run -S experiment=<name>` then composes exactly the params of that experiment: the file is generated,
so it cannot drift from the run it names the way a hand copy does.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml

from lstm_tuning import config
from lstm_tuning.errors import UserError
from lstm_tuning.outputs import atomic_path
from lstm_tuning.reports import experiments

log = logging.getLogger("experiment")

CONF = Path("conf")
# the groups whose option is one file of their own, picked by its `name`; train and forecast have one option
PICKED_BY_NAME = [group for group in config.GROUPS if group not in config.SINGLE]


def composed(conf: Path, overrides: list[str]) -> dict:
    """conf/ composed as `dvc exp run -S <overrides>` composes it into params.yaml."""
    return config.compose(conf, "config", overrides)


def experiment_file(params: dict, conf: Path) -> tuple[list[str], dict]:
    """The options `params` (as in params.yaml) picks that differ from conf/'s defaults, and every value that
    then still differs from what those options compose to, by group."""
    picks: list[str] = []
    for group in PICKED_BY_NAME:  # in order: an option may pick another group's (a toy dataset its baselines)
        if params[group]["name"] != composed(conf, picks)[group]["name"]:
            picks.append(f"{group}={params[group]['name']}")
    base = experiments.flatten(composed(conf, picks))
    changed = {key: value for key, value in experiments.flatten(params).items() if base.get(key) != value}
    unknown = [key for key in changed if key not in base]
    if unknown:
        raise UserError(f"params: {unknown[0]} is not a param of its option in {conf}/; the experiment was run with "
                        "other conf files than these")
    values: dict = {}
    for key, value in changed.items():
        group, name = key.split(".", 1)
        values.setdefault(group, {})[name] = value
    return picks, values


def write(name: str, params: dict, conf: Path = CONF, origin: str = "") -> Path:
    """conf/experiment/<name>.yaml for `params` (nested, as in params.yaml); `origin` says where they came from."""
    picks, values = experiment_file(params, conf)
    header = [
        "# @package _global_",
        f"# Written by {origin}.",
        "# Every param that differs from conf/'s defaults: regenerate it, do not edit it by hand.",
        f"# Run it with: dvc exp run -S experiment={name}",
    ]
    body = {"defaults": [{f"override /{pick.split('=')[0]}": pick.split("=")[1]} for pick in picks]} if picks else {}
    path = conf / "experiment" / f"{name}.yaml"
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(header) + "\n" + yaml.safe_dump(body | values, sort_keys=False))
    # what it composes to must be the params it was written from, or it is not that experiment
    if composed(conf, [f"experiment={name}"]) != params:
        path.unlink()
        raise UserError(f"{path}: would not compose to the experiment's params; check conf/ for options the "
                        "experiment was not run with")
    return path


def from_experiment(experiment: str, name: str, rev: str = "HEAD") -> Path:
    """conf/experiment/<name>.yaml from the finished DVC experiment `experiment` of commit `rev`."""
    _, found = experiments.load(Path("."), rev)
    chosen = {e.name: e for e in found}.get(experiment)
    if chosen is None:
        names = ", ".join(e.name for e in found) or "none"
        raise UserError(f"no finished experiment {experiment!r} of {rev} (found: {names}); see `dvc exp show`")
    path = write(name, chosen.params, origin=f"`lstm-tuning experiment {experiment} --as {name}` from "
                                             f"DVC experiment {experiment} ({chosen.rev[:7]})")
    log.info("wrote %s from experiment %s (%s)", path, experiment, chosen.rev[:7])
    return path
