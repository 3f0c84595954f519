"""What tests share: the project's paths, subprocess and DVC runners, params editing, and the pipeline's
own functions run in memory (the stages' package calls, without files)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from lstm_tuning import config
from lstm_tuning.data import backtest, framings, sources, transforms
from lstm_tuning.models import MODELS

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params.yaml"
SHAMPOO = ROOT / "data" / "shampoo-sales.csv"
SMALL = {"train.epochs": 20, "train.repeats": 3}


NO_XLA_CACHE = "--tf_xla_persistent_cache_directory="  # what conftest turns the cache off with, in-process


def project_env() -> dict[str, str]:
    """Subprocess environment whose `python` is this interpreter (stage commands call `python`), with the
    XLA cache as the user has it."""
    env = dict(os.environ, DVC_NO_ANALYTICS="1", PYTHONHASHSEED="0")
    env["TF_XLA_FLAGS"] = env.get("TF_XLA_FLAGS", "").replace(NO_XLA_CACHE, "").strip()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=project_env(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def dvc(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "dvc", *args], cwd=cwd, check=check)


def stage(name: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", f"stages.{name}"], cwd=cwd, check=check)


def set_params(repo: Path, _allow_new: bool = False, **dotted) -> None:
    """Edit params.yaml in `repo` the way a user would: `set_params(repo, **{"train.epochs": 5})`."""
    path = repo / "params.yaml"
    params = yaml.safe_load(path.read_text())
    for key, value in dotted.items():
        group, name = key.split(".")
        if name not in params[group] and not _allow_new:
            raise KeyError(f"{key} is not in params.yaml")
        params[group][name] = value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def copy_repo(dest: Path) -> Path:
    """The project's files (tracked or not, never ignored ones) in a fresh git repo at `dest`, committed,
    with small params."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    set_params(dest, **SMALL)
    # `dvc exp run` recomposes params.yaml from conf/, so conf/ gets the same small values
    train_conf = dest / "conf" / "train" / "default.yaml"
    train_conf.write_text(yaml.safe_dump(yaml.safe_load(train_conf.read_text()) | {
        key.split(".")[1]: value for key, value in SMALL.items()
    }))
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
        run(["git", *args], cwd=dest)
    return dest


def wait_for_queue(repo: Path, timeout: float = 600) -> None:
    """Wait until `dvc queue start`'s workers have run every queued experiment; fail if any failed."""
    deadline = time.time() + timeout
    while True:
        status = dvc("queue", "status", cwd=repo).stdout
        if not re.search(r"\b(Queued|Running)\b", status):
            break
        if time.time() > deadline:
            dvc("queue", "stop", "--kill", cwd=repo, check=False)
            raise AssertionError(f"queue still busy after {timeout} s:\n{status}")
        time.sleep(3)
    failed = re.findall(r"^(\w+)\s.*\bFailed\b", status, flags=re.M)
    logs = "".join(dvc("queue", "logs", task, cwd=repo, check=False).stdout[-3000:] for task in failed)
    assert not failed, f"{status}\n{logs}"


def experiments(repo) -> list[dict]:
    """(params, metrics) of every experiment that `dvc exp show` lists, baseline excluded."""
    found = []
    for commit in json.loads(dvc("exp", "show", "--json", cwd=repo).stdout):
        for exp in commit.get("experiments") or []:
            for rev in exp["revs"]:
                data = rev.get("data") or {}
                params = data.get("params", {}).get("params.yaml", {}).get("data", {})
                metrics = data.get("metrics", {}).get("evaluation/metrics.json", {}).get("data", {})
                found.append({"params": params, "metrics": metrics})
    return found


def compose_conf(overrides=()) -> dict:
    """conf/ composed as `dvc exp run -S ...` composes it into params.yaml."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        return OmegaConf.to_container(compose(config_name="config", overrides=list(overrides)))


def load_config(tmp_path: Path, conf_overrides=(), overrides=()) -> config.Config:
    """What a stage sees after `dvc exp run -S <conf_overrides>`, with its own command-line `overrides`."""
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump(compose_conf(conf_overrides)))
    return config.load(list(overrides), params_file=params)


def model_params(name: str, **changes):
    """The params of model option `name`: its conf/model file, with `changes` to the keys it has."""
    values = yaml.safe_load((ROOT / "conf/model" / f"{name}.yaml").read_text())
    params = MODELS[name].params
    known = {f for f in params.__dataclass_fields__}
    return params(**values | {k: v for k, v in changes.items() if k in known})


def data_params(source: str, **values):
    return sources.SOURCES[source].params(source=source, **values)


ARITHMETIC = {"source": "arithmetic_sequence", "target": "seq"}
SUMMED = {"source": "summed_sequences", "target": "out", "covariates": ["in1", "in2"]}


def task_params(name: str, n_out: int = 1):
    params = framings.TASKS[name].params
    return params(name=name, n_out=n_out) if "n_out" in params.__dataclass_fields__ else params(name=name)


def series_in_memory(cfg: config.Config, rows: int | None = None) -> tuple:
    """The ingested series of `cfg` (its first `rows`) and its backtest plan, without files."""
    data = cfg.data
    if data.source == "csv":
        data.path = str(ROOT / data.path)
    series = sources.load(data).iloc[:rows]
    return series, backtest.plan(cfg.backtest, len(series), data.val_size, data.test_size, "series")


def windows_in_memory(cfg: config.Config, final_fit: bool = False) -> dict:
    """The window stage's arrays for `cfg`, made by the functions the stages call, without files; the final fit
    (on every row) after the backtest's with `final_fit`, as the pipeline has it."""
    series, plan = series_in_memory(cfg)
    plan = plan.with_final_fit(len(series)) if final_fit else plan
    scaled, _ = transforms.transform(series, cfg.data, plan, "series")
    return framings.split_windows(scaled, cfg.task, cfg.data, plan, "transformed")


def training_part(windows: dict, fit: int = 0) -> tuple:
    """X, y of the windows fit `fit` trains on."""
    trains = windows["train"][fit]
    return windows["X"][fit][trains], windows["y"][fit][trains]


def held_part(windows: dict, first_row: int, end_row: int | None = None, fit: int = 0) -> tuple:
    """X, y (fit `fit`'s scaling) of the windows whose first forecast row is in [first_row, end_row), and
    which windows they are."""
    first_rows = windows["first_rows"]
    chosen = (first_rows >= first_row) & (first_rows < (end_row or first_rows.max() + 1))
    return windows["X"][fit][chosen], windows["y"][fit][chosen], chosen


def fit_alone(windows: dict, fit: int) -> dict:
    """The window stage's arrays for fit `fit` of a backtest alone: what training it alone sees."""
    return {**windows, "X": windows["X"][fit : fit + 1], "y": windows["y"][fit : fit + 1],
            "train": windows["train"][fit : fit + 1], "final": windows["final"][fit : fit + 1]}
