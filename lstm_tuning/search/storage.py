"""Where a search's study lives: a journal file on one machine, or a database server (PostgreSQL, MySQL)
that workers on several machines share, with heartbeats that tell a running trial from a lost one.

Read by the train stage too (a trial's checkpoints go to the study), so it imports nothing else of the package.
"""

from __future__ import annotations

import logging
import re
import time
import warnings

from lstm_tuning.errors import UserError

log = logging.getLogger("search")
HEARTBEAT = 60  # seconds between a worker's heartbeats on a database; a trial silent for twice that is lost
RETRIES = 3  # times a lost trial's params run again before the study gives up on them
# the driver SQLAlchemy's URL names (or implies), and the package that brings it
DRIVERS = {"postgresql": ("psycopg", "psycopg[binary]"), "mysql": ("pymysql", "PyMySQL")}


def is_database(location: str) -> bool:
    return "://" in location


def database_url(location: str) -> str:
    """SQLAlchemy's URL of a database storage: `postgresql://` and `mysql://` name the driver the project
    installs (psycopg, PyMySQL) instead of SQLAlchemy's default ones."""
    dialect, _, rest = location.partition("://")
    return f"{dialect}+{DRIVERS[dialect][0]}://{rest}" if dialect in DRIVERS else location


def shown(location: str) -> str:
    """A storage location fit for a message: a database URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", location)


def storage(location: str, heartbeat: int | None = None):
    """Optuna storage: a journal file's path, or a database URL (`postgresql://user@host/db`,
    `sqlite:///study.db`); a worker passes `heartbeat` (seconds) to have its trials watched on a database."""
    import optuna

    if not is_database(location):
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(location))
    import sqlalchemy.exc

    url = database_url(location)
    watched = {"heartbeat_interval": heartbeat, "grace_period": 2 * heartbeat,
               "heartbeat_stale_trial_callback": _retry_lost(2 * heartbeat)} if heartbeat else {}
    try:
        for attempt in range(3):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # heartbeats
                    return optuna.storages.RDBStorage(url, engine_kwargs={"pool_pre_ping": True}, **watched)
            except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError):
                # workers started together on a new database both create Optuna's tables: one wins, the other
                # finds them there when it tries again
                if attempt == 2:
                    raise
                time.sleep(1 + attempt)
    except ImportError as exc:  # Optuna's, from the driver's ModuleNotFoundError
        missing = next((e.name for e in (exc, exc.__cause__, exc.__context__) if isinstance(e, ImportError) and
                        e.name), None)
        dialect = url.partition("://")[0].partition("+")[0]
        package = DRIVERS[dialect][1] if dialect in DRIVERS and missing == DRIVERS[dialect][0] else missing
        raise UserError(f"--storage {shown(location)}: the {dialect} driver ({missing}) is not installed: "
                        f"pip install '{package}'") from exc
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.ArgumentError, ValueError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise UserError(f"--storage {shown(location)}: cannot open the database: {reason}") from exc


def _retry_lost(grace: int):
    """Optuna's RetryHeartbeatStaleTrialCallback (a lost trial's params run again), saying which trial was lost."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=RETRIES)

    def lost(study, trial) -> None:
        log.warning("trial %d of worker %s sent no heartbeat for %d s: lost; its params run again", trial.number,
                    trial.user_attrs.get("worker", "?"), grace)
        retry(study, trial)

    return lost
