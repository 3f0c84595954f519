"""What tests share: the project's paths, subprocess and DVC runners, params editing, and the pipeline's
own functions run in memory (the stages' package calls, without files)."""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from lstm_tuning import config, repository
from lstm_tuning.data import backtest, framings, sources, transforms
from lstm_tuning.data.specs import SOURCES, TASKS, SeriesParams

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params.yaml"
SHAMPOO = ROOT / "data" / "shampoo-sales.csv"
SMALL = {"train.epochs": 20, "train.repeats": 3}


def tiny_search(**changes) -> dict:
    """A search file (conf/search/<name>.yaml) of a few cheap trials: two params, chosen on 6 validation
    months, no pruning; `changes` replace its keys."""
    return {
        "objective": "val_ensemble.rmse",
        "trials": 3,
        "seed": 3,
        "pruner": {"name": "none"},
        "fixed": {"data.val_size": 6},
        "params": {"model.units": {"int": [1, 4]}, "model.learning_rate": {"float": [1.0e-3, 1.0e-2], "log": True}},
    } | changes


NO_XLA_CACHE = "--tf_xla_persistent_cache_directory="  # what conftest turns the cache off with, in-process


def project_env() -> dict[str, str]:
    """Subprocess environment whose `python` is this interpreter (stage commands call `python`), with the
    XLA cache as the user has it."""
    env = dict(os.environ, DVC_NO_ANALYTICS="1", PYTHONHASHSEED="0")
    env["TF_XLA_FLAGS"] = env.get("TF_XLA_FLAGS", "").replace(NO_XLA_CACHE, "").strip()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """The package's runner (lstm_tuning.repository) in the project's environment; a failure shows all output."""
    try:
        return repository.run(args, cwd=cwd, env=project_env(), check=check)
    except repository.CommandFailed as exc:
        result = exc.result
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def dvc(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run(repository.dvc_command(*args), cwd=cwd, check=check)


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


# a stage that every member of a sweep over the model or training runs the same way
SHARED_STAGE_RUNS = r"Running stage '(ingest|transform|window|baselines)'"


def queue_logs(repo: Path) -> dict[str, str]:
    """{task: its output} of every task `dvc queue status` lists."""
    tasks = re.findall(r"^([0-9a-f]{7})\s", dvc("queue", "status", cwd=repo).stdout, flags=re.M)
    return {task: dvc("queue", "logs", task, cwd=repo).stdout for task in tasks}


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
    return config.compose(ROOT / "conf", "config", list(overrides))


def load_config(tmp_path: Path, conf_overrides=(), overrides=()) -> config.Config:
    """What a stage sees after `dvc exp run -S <conf_overrides>`, with its own command-line `overrides`."""
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump(compose_conf(conf_overrides)))
    return config.load(list(overrides), params_file=params)


@functools.cache
def _option_values(group: str, option: str) -> dict:
    return compose_conf([f"{group}={option}"])[group]


def option_params(group: str, option: str, **changes):
    """The params of option `option` of conf group `group` as conf/ composes them (the params dataclasses
    have no defaults: conf/ holds every value), with `changes`."""
    values = copy.deepcopy(_option_values(group, option)) | changes
    return config.params_class(group, values)(**values)


def model_params(name: str, **changes):
    """The params of model option `name`: its conf/model file, with `changes` to the keys it has."""
    known = {f.name for f in dataclasses.fields(config.params_class("model", {"name": name}))}
    return option_params("model", name, **{k: v for k, v in changes.items() if k in known})


def data_params(source: str, **values):
    """The params of data source `source`: the default data option's values (shampoo's) for what every source
    has, the source's own option's values for its other params, and `values`."""
    own = _option_values("data", "shampoo" if source == "csv" else source)
    shared = {f.name: _option_values("data", "shampoo")[f.name] for f in dataclasses.fields(SeriesParams)}
    fields = {f.name for f in dataclasses.fields(SOURCES[source].params)}
    chosen = {k: v for k, v in (own | shared).items() if k in fields} | {"source": source} | values
    return SOURCES[source].params(**copy.deepcopy(chosen))


ARITHMETIC = {"source": "arithmetic_sequence", "target": "seq"}
SUMMED = {"source": "summed_sequences", "target": "out", "covariates": ["in1", "in2"]}


def task_params(name: str, n_out: int = 1):
    params = TASKS[name].params
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


class PostgreSQL:
    """A PostgreSQL server of this machine's installation (Debian's `postgresql` package; `.ci/run` installs it),
    started in a temporary directory on a free loopback port for the test run. initdb refuses to run as root, so
    as root the server runs as the `postgres` user the package creates. Its superuser logs in with a password
    over TCP (so a wrong one is refused, as a real server's would be)."""

    USER, PASSWORD = "optuna", "search-test"

    def __init__(self, base: Path):
        import pwd
        import socket
        import tempfile

        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        initdb = versions[-1] if versions else shutil.which("initdb")
        if not initdb:
            raise AssertionError("no PostgreSQL server on this machine (initdb not in /usr/lib/postgresql/*/bin nor "
                                 "on PATH): `apt-get install -y postgresql` (see docs/search.md; .ci/run does it)")
        self.bin = Path(initdb).parent
        # a directory of its own that the server's user can enter (pytest's are the test user's only)
        self.dir = Path(tempfile.mkdtemp(prefix="postgresql-", dir=base))
        self.as_user = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chmod(self.dir, 0o755)
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        password = self.dir / "password"
        password.write_text(self.PASSWORD)
        if self.as_user:
            os.chown(password, owner.pw_uid, owner.pw_gid)
        self._server("initdb", "-D", str(self.dir / "data"), "-U", self.USER, f"--pwfile={password}",
                     "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync")
        self._server("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "server.log"), "-w", "start", "-o",
                     f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                     "-c fsync=off")  # a throw-away server: no waiting for the disk

    def _server(self, program: str, *args: str) -> None:
        run([*self.as_user, str(self.bin / program), *args], cwd=self.dir)

    def url(self, database: str, password: str = PASSWORD) -> str:
        return f"postgresql://{self.USER}:{password}@127.0.0.1:{self.port}/{database}"

    def database(self, name: str) -> str:
        """A new, empty database: its URL."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.USER, password=self.PASSWORD,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        self._server("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
