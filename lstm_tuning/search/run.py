"""A search from start to end: the workspace's pipeline brought up to date, the study opened, this process's
workers run, and, when no trial is left running anywhere, the choice and the report (by one worker only)."""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path

from lstm_tuning import repository
from lstm_tuning.errors import UserError
from lstm_tuning.search.finish import finish
from lstm_tuning.search.space import Search
from lstm_tuning.search.storage import is_database
from lstm_tuning.search.study import load, open_study, recover, study_dir
from lstm_tuning.search.workers import Workers

log = logging.getLogger("search")


def run(search: Search, location: str, jobs: int, heartbeat: int | None, remote: str | None = None,
        no_finish: bool = False) -> None:
    """Run `search`'s trials, `jobs` at a time, on the study in `location`; on a database, with `heartbeat`
    seconds between each running trial's heartbeats. `remote`: the git remote each finished trial is pushed
    to (and pulled from at the end), its outputs going to the default DVC remote."""
    import optuna

    study_dir(search.name).mkdir(parents=True, exist_ok=True)
    if not is_database(location):
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        heartbeat = None  # a journal file's lost trials are found by their worker's process (same machine)
    study = open_study(search, location, heartbeat)  # first: a storage that cannot be opened is told at once
    if remote:
        check_remote(remote)
    up_to_date()
    if not heartbeat:
        recover(study)
    Workers(search, location, jobs, heartbeat, remote).run()
    if no_finish:
        return
    study = load(search, location)
    running = [t.number for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.RUNNING]
    if running:
        log.info("trials %s still run in other workers: the last worker to end writes the choice and report",
                 ", ".join(map(str, running)))
        return
    with open(study_dir(search.name) / ".finishing", "w") as lock:
        try:  # workers that end together: one writes the choice
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another worker is writing the choice and the report")
            return
        finish(search, study, location, remote)


def check_remote(remote: str) -> None:
    """`--remote`: a git remote of this clone for the experiments, and a default DVC remote for their outputs."""
    if remote not in repository.git("remote").split():
        raise UserError(f"--remote {remote}: no git remote {remote!r} in this clone (`git remote -v` lists them); "
                        f"add it with `git remote add {remote} <url>`")
    if repository.run(repository.dvc_command("remote", "default"), check=False).returncode != 0:
        raise UserError(f"--remote {remote}: no default DVC remote for the trials' outputs; add one with "
                        "`dvc remote add -d <name> <url>`")


def up_to_date() -> None:
    """Bring the workspace's pipeline up to date first: every trial is an experiment committed on top of it."""
    repository.dvc("repro", "--quiet", wait=True)
