"""A search's workers: the trials one process runs, `-j` at a time, each a `dvc exp run --temp` of its own.

Each trial draws its params with the TPE sampler (seeded: trial N draws from its own stream of the seed), runs
`dvc exp run --temp evaluate -n <name>-<N> -S ...` and is scored on the objective, a validation metric: the
test period plays no part in choosing. The train stage reports each checkpoint's validation error, so the
pruner stops a hopeless trial early (recorded as pruned; it leaves no experiment).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from lstm_tuning import config, repository
from lstm_tuning.errors import UserError
from lstm_tuning.reports import experiments
from lstm_tuning.search import pruning, space
from lstm_tuning.search.run_cache import remove_half_written_runs
from lstm_tuning.search.space import Search, override
from lstm_tuning.search.storage import is_database, storage
from lstm_tuning.search.study import WORKER, fail_lost_trials, study_dir
from lstm_tuning.search.trials import TARGET, experiment_name, interrupted, last_error, metric, was_refused

log = logging.getLogger("search")
WAITING_POLL = 2  # seconds between a spent worker's looks at the other workers' running trials


@dataclass
class Workers:
    """The trials this process runs, `jobs` at a time, until the study's budget or this worker's time is spent.

    With `heartbeat` (seconds; a database storage), each running trial sends heartbeats, trials whose worker
    fell silent are failed and run again, and a worker whose budget is spent waits for the other workers'
    running trials to end: one of them may be lost and need running again. With `remote` (a git remote, with
    the DVC remote as default), each finished trial's experiment is pushed as it finishes."""

    search: Search
    location: str  # the study's storage
    jobs: int
    heartbeat: int | None = None
    remote: str | None = None
    started: float = field(default_factory=time.monotonic)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: dict = field(default_factory=dict)  # trial number -> its `dvc exp run` process
    taken: set = field(default_factory=set)  # the numbers of the trials this process runs now

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

    def _spent(self, study) -> bool:
        import optuna

        # the budget counts trials that run (or ran) an experiment: not those the checks refused before any
        # run (a CNN-LSTM whose n_steps does not divide n_lags), nor interrupted or lost ones, which run again
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

    def _others_running(self, study) -> bool:
        import optuna

        running = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
        return any(t.number not in self.taken for t in running)

    def _work(self, ended: threading.Event) -> None:
        try:
            self._trials()
        finally:
            ended.set()

    def _trials(self) -> None:
        import optuna

        store = storage(self.location, self.heartbeat)
        study = optuna.load_study(study_name=self.search.name, storage=store)
        while not self.stopping.is_set():
            with self.lock:  # the budget is checked and the trial taken in one step (in this process)
                fail_lost_trials(study)
                if self._spent(study):
                    if not (self.heartbeat and self._others_running(study)):
                        return
                    trial = None
                else:
                    trial = study.ask()
                    self.taken.add(trial.number)
            if trial is None:  # another worker's trial may yet be lost: look again soon (one query)
                self.stopping.wait(min(self.heartbeat, WAITING_POLL))
                continue
            # a sampler seeded by the trial's number: the same history draws the same params, whichever worker
            study.sampler = sampler(self.search.seed, trial.number)
            try:
                with self._heartbeats(store, trial):
                    self._run(study, trial)
            except Exception as exc:  # a trial's own failure must not stop the other workers
                log.error("trial %d: %s", trial.number, exc)
                trial.set_user_attr("error", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            finally:
                self.taken.discard(trial.number)

    @contextlib.contextmanager
    def _heartbeats(self, store, trial):
        """The trial's heartbeats while it runs, so that workers elsewhere can tell it from a lost one."""
        if not self.heartbeat:
            yield
            return
        done = threading.Event()

        def beat() -> None:
            while True:
                store.record_heartbeat(trial._trial_id)
                if done.wait(self.heartbeat):
                    return

        beating = threading.Thread(target=beat, name="heartbeat", daemon=True)
        beating.start()
        try:
            yield
        finally:
            done.set()
            beating.join()

    def _run(self, study, trial) -> None:
        import optuna

        overrides = suggest(self.search, trial)
        name = experiment_name(self.search.name, trial.number)
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
        command = repository.dvc_command("exp", "run", "--temp", TARGET, "-n", name, *(
            arg for o in [*self.search.fixed_overrides, *overrides] for arg in ("-S", o)), wait=True)
        location = self.location if is_database(self.location) else str(Path(self.location).resolve())
        env = os.environ | {"DVC_NO_ANALYTICS": "1"} | pruning.handed_over(
            trial._trial_id, self.search.name, location, self.search.pruner,
            self.search.objective.startswith("val_ensemble"))
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
        ref = repository.experiment_ref(name)
        metrics = repository.experiment_file(ref, "evaluation/metrics.json") if ref else {}
        value = metric(metrics, self.search.objective)
        if value is None:
            trial.set_user_attr("error", f"experiment {name} has no finite {self.search.objective}")
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return
        trial.set_user_attr("experiment", name)
        trial.set_user_attr("rev", repository.git("rev-parse", ref).strip())
        if self.remote:  # before the trial counts as finished: a finished trial's experiment is never only here
            repository.dvc("exp", "push", self.remote, name, wait=True)
        study.tell(trial, value)
        log.info("trial %d: %s %.4f (%.0f s, experiment %s)", trial.number, self.search.objective, value, seconds, name)


def sampler(seed: int, number: int):
    """Trial `number`'s TPE sampler: its own random stream of `seed` (studies with other seeds share none)."""
    import optuna

    return optuna.samplers.TPESampler(seed=int(np.random.SeedSequence([seed, number]).generate_state(1)[0]))


def suggest(search: Search, trial) -> list[str]:
    """The trial's overrides: the options it picks first, then every param those options have."""
    overrides = [override(d.key, d.suggest(trial)) for d in search.params if d.picks_option]
    present = experiments.flatten(space.composed(search, overrides))
    return overrides + [override(d.key, d.suggest(trial)) for d in search.params
                        if not d.picks_option and d.key in present]
