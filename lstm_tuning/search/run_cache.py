"""DVC's run cache after an interrupted trial: the half-written runs it may leave, removed."""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger("search")


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
