"""Write a DVC experiment's configuration as a named one, conf/experiment/<name>.yaml, generated.

The file holds every param of the chosen configuration that differs from the defaults `conf/` composes to,
and the conf group options it picks.

    lstm-tuning experiment <dvc experiment> --as <name>

`dvc exp run -S experiment=<name>` then composes exactly the params of that experiment: the file is generated,
so it cannot drift from the run it names the way a hand copy does.
"""

from __future__ import annotations

import argparse
import logging
import threading
from pathlib import Path

import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from lstm_tuning import config
from lstm_tuning.errors import UserError
from lstm_tuning.outputs import atomic_path
from lstm_tuning.reports import experiments

log = logging.getLogger("experiment")

CONF = Path("conf")
_hydra = threading.Lock()  # Hydra's global state: one composition at a time (a search's workers are threads)
# the groups whose option is one file of their own, picked by its `name`; train and forecast have one option
PICKED_BY_NAME = [group for group in config.GROUPS if group not in config.SINGLE]


def composed(conf: Path, overrides: list[str]) -> dict:
    """conf/ composed as `dvc exp run -S <overrides>` composes it into params.yaml."""
    with _hydra, initialize_config_dir(config_dir=str(conf.resolve()), version_base="1.3"):
        return OmegaConf.to_container(compose(config_name="config", overrides=overrides))


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


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="lstm-tuning experiment", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="a finished DVC experiment of the commit (as `dvc exp show` names it)")
    parser.add_argument("--as", dest="as_name", required=True, help="the experiment file's name: conf/experiment/<as>")
    parser.add_argument("--rev", default="HEAD", help="the commit whose experiments to look in (default HEAD)")
    args = parser.parse_args(argv)
    _, found = experiments.load(Path("."), args.rev)
    chosen = {e.name: e for e in found}.get(args.name)
    if chosen is None:
        names = ", ".join(e.name for e in found) or "none"
        raise UserError(f"no finished experiment {args.name!r} of {args.rev} (found: {names}); see `dvc exp show`")
    path = write(args.as_name, chosen.params, origin=f"`lstm-tuning experiment {args.name} --as {args.as_name}` from "
                                                    f"DVC experiment {args.name} ({chosen.rev[:7]})")
    log.info("wrote %s from experiment %s (%s)", path, args.name, chosen.rev[:7])
