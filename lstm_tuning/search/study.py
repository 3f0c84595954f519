"""The Optuna study of a search and its storage: a journal file on one machine (the default,
`studies/<name>/journal.log`), or a database server that workers on several machines share.

On a database, every worker sends a heartbeat for each trial it runs; a trial whose heartbeats stop (its
worker, or the machine, was lost) is failed by whichever worker looks next, on any machine, and its params run
again (Optuna's RetryHeartbeatStaleTrialCallback). On a journal file, a worker finds the trials left running by a
worker of the same machine that is gone.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from lstm_tuning.errors import UserError
from lstm_tuning.search.storage import shown, storage

if TYPE_CHECKING:
    from lstm_tuning.search.space import Search

log = logging.getLogger("search")
WORKER = f"{socket.gethostname()}:{os.getpid()}"  # a trial's worker, so a restart knows a trial it left running
STUDIES = Path("studies")


def study_dir(name: str) -> Path:
    return STUDIES / name


def open_study(search: Search, location: str, heartbeat: int | None = None):
    """The study in its storage, created on first use; one whose search file has since changed what a trial is
    (objective, seed, pruner, fixed, params) is refused. The budget and the references may change."""
    import optuna

    def defining(space_file: dict) -> dict:
        return {key: value for key, value in space_file.items() if key not in ("trials", "timeout", "references")}

    settings = {"space": yaml.safe_load(search.path.read_text())}
    study = optuna.create_study(study_name=search.name, storage=storage(location, heartbeat), direction="minimize",
                                load_if_exists=True)
    recorded = study.user_attrs.get("settings")
    if recorded is None:
        study.set_user_attr("settings", settings)
    elif defining(recorded["space"]) != defining(settings["space"]):
        raise UserError(f"{search.path}: changed since study {search.name!r} started in {shown(location)}; start a "
                        "new study (copy the file under a new name) or remove the storage to start over")
    return study


def load(search: Search, location: str, heartbeat: int | None = None):
    import optuna

    return optuna.load_study(study_name=search.name, storage=storage(location, heartbeat))


def fail_lost_trials(study) -> None:
    """Fail the trials whose worker stopped sending heartbeats, wherever it ran; each one's params are queued to
    run again. Does nothing on a storage without heartbeats."""
    import warnings

    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


def recover(study) -> None:
    """Trials left running by a worker of this machine that is gone (killed, crashed) are interrupted ones (a
    journal file's study; a database's finds its lost trials by heartbeat, on any machine)."""
    import optuna

    from lstm_tuning.search.trials import interrupted

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
