"""Shared fixtures: the bundled dataset and a throw-away copy of the repository for real DVC runs."""

from __future__ import annotations

import json
import os
import shutil
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SHAMPOO = ROOT / "data" / "shampoo-sales.csv"

os.environ["DVC_NO_ANALYTICS"] = "1"


def project_env() -> dict[str, str]:
    """Subprocess environment whose `python` is this interpreter (stage commands call `python`)."""
    env = dict(os.environ, DVC_NO_ANALYTICS="1", TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=project_env(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def dvc(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "dvc", *args], cwd=cwd, check=check)


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


SMALL = {"train.epochs": 20, "train.repeats": 3}


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The project's files (tracked or not, never ignored ones) in a fresh git repo, committed, small params."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    dest = tmp_path / "repo"
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
    assert "Failed" not in status, status


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
