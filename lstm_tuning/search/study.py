"""Search a space of configurations with Optuna, every trial a DVC experiment (`conf/search/<name>.yaml`).

    lstm-tuning search <name> [-j N] [--trials N] [--timeout SECONDS] [--storage PATH_OR_URL]

Each trial draws its params with the TPE sampler (seeded: trial N draws from its own stream of the seed), runs
`dvc exp run --temp evaluate -n <name>-<N> -S ...` and is scored on the objective, a validation metric: the
test period plays no part in choosing. The train stage reports each checkpoint's validation error, so the
pruner stops a hopeless trial early (recorded as pruned; it leaves no experiment). The study lives in Optuna
storage (default `studies/<name>/journal.log`): Ctrl-C and a restart carry on, the interrupted trials run
again; `-j N` runs N trials at once, and workers started anywhere on the same storage share the study.
When no trial is left running, the choice is written: `conf/experiment/<name>.yaml` (generated), run once
as `dvc exp run -S experiment=<name>` to check it reproduces the trial's validation score and to score the
test period, once; then `studies/<name>/report.md` and its plots.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from omegaconf import OmegaConf

from lstm_tuning import config
from lstm_tuning.errors import UserError
from lstm_tuning.reports import experiments
from lstm_tuning.search import pruning, space
from lstm_tuning.search.space import Search, override

log = logging.getLogger("search")
WORKER = f"{socket.gethostname()}:{os.getpid()}"  # a trial's worker, so a restart knows a trial it left running

STUDIES = Path("studies")
TARGET = "evaluate"  # a trial runs the stages its objective needs; `dvc repro` after `dvc exp apply` does the rest


def study_dir(name: str) -> Path:
    return STUDIES / name


def experiment_name(search: Search, number: int) -> str:
    return f"{search.name}-{number:03d}"


def git(*args: str) -> str:
    result = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UserError(f"`git {' '.join(args)}` failed: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    return result.stdout


def experiment_ref(name: str) -> str | None:
    """The git ref of this commit's DVC experiment `name`, if it exists."""
    head = git("rev-parse", "HEAD").strip()
    ref = f"refs/exps/{head[:2]}/{head[2:]}/{name}"
    return ref if git("for-each-ref", "--format=%(refname)", ref).strip() == ref else None


def experiment_file(ref: str, path: str) -> dict:
    """A YAML or JSON file (params.yaml, evaluation/metrics.json) as the experiment committed it."""
    text = git("show", f"{ref}:{path}")
    return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)


def metric(metrics: dict, key: str) -> float | None:
    """metrics["val_ensemble"]["rmse"] for "val_ensemble.rmse"; None if it is not there or not finite."""
    value = experiments.flatten(metrics).get(key)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


@dataclass
class Workers:
    """The trials this process runs, `jobs` at a time, until the study's budget or this worker's time is spent."""

    search: Search
    location: str  # the study's storage
    jobs: int
    started: float = field(default_factory=time.monotonic)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: dict = field(default_factory=dict)  # trial number -> its `dvc exp run` process

    def run(self) -> None:
        remove_half_written_runs()
        # each worker thread says when it has ended: after Ctrl-C, Thread.join of Python 3.11 can report a thread
        # that still runs as stopped, and its trial would be left unrecorded
        ended = [threading.Event() for _ in range(self.jobs)]
        for event in ended:
            threading.Thread(target=self._work, args=(event,), name="trials").start()
        try:
            while not all(event.wait(0.2) for event in ended):
                pass
        except KeyboardInterrupt:
            log.warning("interrupted: stopping the running trials; they run again when the search restarts")
            self.stopping.set()
            for process in list(self.running.values()):
                os.killpg(process.pid, signal.SIGINT)
            for event in ended:
                event.wait()
            remove_half_written_runs()
            raise

    def _load(self):
        import optuna

        return optuna.load_study(study_name=self.search.name, storage=pruning.storage(self.location))

    def _spent(self, study) -> bool:
        import optuna

        # the budget counts trials that run (or ran) an experiment: not those the checks refused before any
        # run (a CNN-LSTM whose n_steps does not divide n_lags), nor interrupted ones, which run again
        counted = refused = 0
        for t in study.get_trials(deepcopy=False):
            if t.state == optuna.trial.TrialState.RUNNING or ("seconds" in t.user_attrs
                                                              and not t.user_attrs.get("interrupted")):
                counted += 1
            refused += was_refused(t)
        if refused >= 10 * max(self.search.trials, 10):
            log.error("%d trials drew configurations the checks refuse: narrow %s", refused, self.search.path)
            return True
        out_of_time = self.search.timeout and time.monotonic() - self.started >= self.search.timeout
        return counted >= self.search.trials or bool(out_of_time)

    def _work(self, ended: threading.Event) -> None:
        try:
            self._trials()
        finally:
            ended.set()

    def _trials(self) -> None:
        import optuna

        study = self._load()
        while not self.stopping.is_set():
            with self.lock:  # the budget is checked and the trial taken in one step (in this process)
                if self._spent(study):
                    return
                trial = study.ask()
            # a sampler seeded by the trial's number: the same history draws the same params, whichever worker
            study.sampler = sampler(self.search.seed, trial.number)
            try:
                self._run(study, trial)
            except Exception as exc:  # a trial's own failure must not stop the other workers
                log.error("trial %d: %s", trial.number, exc)
                trial.set_user_attr("error", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                study.tell(trial, state=optuna.trial.TrialState.FAIL)

    def _run(self, study, trial) -> None:
        import optuna

        overrides = suggest(self.search, trial)
        name = experiment_name(self.search, trial.number)
        trial.set_user_attr("overrides", overrides)
        trial.set_user_attr("worker", WORKER)
        try:
            config.checked(OmegaConf.create(space.composed(self.search, overrides)), f"trial {trial.number}")
        except UserError as exc:
            trial.set_user_attr("error", str(exc))
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            log.info("trial %d refused by the checks (not counted): %s", trial.number, exc)
            return
        logs = study_dir(self.search.name) / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "dvc", "exp", "run", "--temp", TARGET, "-n", name,
                   *(arg for o in [*self.search.fixed_overrides, *overrides] for arg in ("-S", o))]
        env = os.environ | {"DVC_NO_ANALYTICS": "1"} | pruning.handed_over(
            trial._trial_id, self.search.name, str(Path(self.location).resolve()) if "://" not in self.location
            else self.location, self.search.pruner, self.search.objective.startswith("val_ensemble"))
        start = time.perf_counter()
        log.info("trial %d: %s", trial.number, " ".join(overrides))
        with open(logs / f"{name}.log", "w") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env,
                                       start_new_session=True)  # Ctrl-C reaches it through this process
            self.running[trial.number] = process
            code = process.wait()
            self.running.pop(trial.number)
        seconds = time.perf_counter() - start
        trial.set_user_attr("seconds", round(seconds, 1))
        frozen = next(t for t in study.get_trials(deepcopy=False) if t.number == trial.number)
        if code != 0:
            if self.stopping.is_set():
                interrupted(study, trial)
            elif "pruned_epoch" in frozen.user_attrs:
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                log.info("trial %d pruned at epoch %d (%.0f s)", trial.number, frozen.user_attrs["pruned_epoch"],
                         seconds)
            else:
                error = last_error(logs / f"{name}.log")
                trial.set_user_attr("error", error)
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                log.info("trial %d failed: %s (%s)", trial.number, error, logs / f"{name}.log")
            return
        ref = experiment_ref(name)
        value = metric(experiment_file(ref, "evaluation/metrics.json"), self.search.objective) if ref else None
        if value is None:
            trial.set_user_attr("error", f"experiment {name} has no finite {self.search.objective}")
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return
        trial.set_user_attr("experiment", name)
        trial.set_user_attr("rev", git("rev-parse", ref).strip())
        study.tell(trial, value)
        log.info("trial %d: %s %.4f (%.0f s, experiment %s)", trial.number, self.search.objective, value, seconds, name)


def was_refused(trial) -> bool:
    """A trial the config checks refused: it failed without running an experiment (no `seconds`)."""
    import optuna

    return trial.state == optuna.trial.TrialState.FAIL and "seconds" not in trial.user_attrs


def sampler(seed: int, number: int):
    """Trial `number`'s TPE sampler: its own random stream of `seed` (studies with other seeds share none)."""
    import optuna

    return optuna.samplers.TPESampler(seed=int(np.random.SeedSequence([seed, number]).generate_state(1)[0]))


def interrupted(study, trial) -> None:
    """Record a trial as interrupted (failed, not counted) and queue its params to run again."""
    import optuna

    trial.set_user_attr("interrupted", True)
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    study.enqueue_trial(trial.params, user_attrs={"retry_of": trial.number})


def remove_half_written_runs(min_age: float = 1.0) -> None:
    """Remove the runs an interrupted `dvc exp run` left half-written in DVC's run cache. DVC writes a stage's
    run to a temporary file in that stage's folder, then renames it; stopped while writing (Ctrl-C reaches it
    through the trial), it leaves the file behind, and every later run of the stage would read it as the
    stage's newest run and fail ("failed to reproduce 'transform': 'outs'"). Writing one takes milliseconds,
    so a temporary file older than `min_age` seconds is no running process's."""
    from dvc.exceptions import NotDvcRepoError
    from dvc.repo import Repo

    try:
        with Repo() as repo:
            runs = Path(repo.cache.legacy.path, "runs")
    except NotDvcRepoError:  # the trials will say so
        return
    for left in runs.glob("*/*/*.tmp"):
        try:
            if time.time() - left.stat().st_mtime > min_age:
                left.unlink()
                log.info("removed %s, a run an interrupted DVC command left half-written", left)
        except FileNotFoundError:  # renamed or removed meanwhile
            continue


def recover(study) -> None:
    """Trials left running by a worker of this machine that is gone (killed, crashed) are interrupted ones."""
    import optuna

    for frozen in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        host, _, pid = frozen.user_attrs.get("worker", "").rpartition(":")
        if host == socket.gethostname() and pid and not _alive(int(pid)):
            log.warning("trial %d was left running by worker %s, which is gone: it runs again", frozen.number, pid)
            interrupted(study, optuna.trial.Trial(study, frozen._trial_id))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def suggest(search: Search, trial) -> list[str]:
    """The trial's overrides: the options it picks first, then every param those options have."""
    overrides = [override(d.key, d.suggest(trial)) for d in search.params if d.picks_option]
    present = experiments.flatten(space.composed(search, overrides))
    return overrides + [override(d.key, d.suggest(trial)) for d in search.params
                        if not d.picks_option and d.key in present]


def last_error(path: Path) -> str:
    """The line of a trial's log that says why it failed."""
    lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("error:", "ERROR:"))]
    return (errors or lines or ["no output"])[0][:300]


def open_study(search: Search, location: str):
    """The study in its storage, created on first use; one whose search file has since changed what a trial is
    (objective, seed, pruner, fixed, params) is refused. The budget and the references may change."""
    import optuna

    def defining(space_file: dict) -> dict:
        return {key: value for key, value in space_file.items() if key not in ("trials", "timeout", "references")}

    settings = {"space": yaml.safe_load(search.path.read_text())}
    study = optuna.create_study(study_name=search.name, storage=pruning.storage(location), direction="minimize",
                                load_if_exists=True)
    recorded = study.user_attrs.get("settings")
    if recorded is None:
        study.set_user_attr("settings", settings)
    elif defining(recorded["space"]) != defining(settings["space"]):
        raise UserError(f"{search.path}: changed since study {search.name!r} started in {location}; start a new "
                        "study (copy the file under a new name) or remove the storage to start over")
    return study


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="lstm-tuning search", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the search: conf/search/<name>.yaml")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="trials at once in this process (default 1)")
    parser.add_argument("--trials", type=int, help="the study's budget of trials (default: the search file's; 0: "
                                                     "no new trial, the choice and report only)")
    parser.add_argument("--timeout", type=float, help="seconds this worker starts trials for (default: the file's)")
    parser.add_argument("--storage", help="Optuna storage: a journal file or a database URL "
                                          "(default studies/<name>/journal.log)")
    parser.add_argument("--no-finish", action="store_true", help="run trials only; leave the choice and the report "
                                                                  "to a later `lstm-tuning search <name>`")
    args = parser.parse_args(argv)
    os.environ["DVC_NO_ANALYTICS"] = "1"
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    search = space.load(args.name)
    if args.jobs < 1:
        raise UserError(f"-j {args.jobs}: run at least one trial at once")
    if args.trials is not None and args.trials < 0:
        raise UserError(f"--trials {args.trials}: the budget is a number of trials >= 0")
    search.trials = search.trials if args.trials is None else args.trials
    search.timeout = search.timeout if args.timeout is None else args.timeout
    location = args.storage or str(study_dir(search.name) / "journal.log")
    study_dir(search.name).mkdir(parents=True, exist_ok=True)
    if "://" not in location:
        Path(location).parent.mkdir(parents=True, exist_ok=True)
    up_to_date()
    recover(open_study(search, location))
    Workers(search, location, args.jobs).run()
    if args.no_finish:
        return
    study = optuna.load_study(study_name=search.name, storage=pruning.storage(location))
    running = [t.number for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.RUNNING]
    if running:
        log.info("trials %s still run in other workers: the last worker to end writes the choice and report",
                 ", ".join(map(str, running)))
        return
    from lstm_tuning.search import finish

    with open(study_dir(search.name) / ".finishing", "w") as lock:
        try:  # workers that end together: one writes the choice
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another worker is writing the choice and the report")
            return
        finish.finish(search, study, location)


def up_to_date() -> None:
    """Bring the workspace's pipeline up to date first: every trial is an experiment committed on top of it."""
    experiments.run_dvc("repro", "--quiet")
