"""What the training benchmarks share: the window stage's arrays of a configuration, made in a throw-away copy of
the repository, and each measured side run in a process of its own, its figures read back with its peak resident
memory (getrusage maxrss) and the load average when it ended."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from repo_copy import ROOT, copy_repo, run


def stage_windows(dest: Path, overrides: list[str]) -> Path:
    """data/windows.npz of the configuration `overrides` compose, made by the pipeline's ingest, transform and
    window stages in a copy of the repository at `dest`."""
    import yaml

    from lstm_tuning import config

    copy_repo(dest)
    (dest / "params.yaml").write_text(yaml.safe_dump(config.compose(ROOT / "conf", "config", overrides),
                                                     sort_keys=False))
    for stage in ("ingest", "transform", "window"):
        run([sys.executable, "-m", f"stages.{stage}"], dest)
    return dest / "data/windows.npz"


def print_figures(figures: dict) -> None:
    """A child's last line: its figures and the process's peak resident memory, as JSON (what `child` reads)."""
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(json.dumps(figures | {"peak_mb": peak_mb}))


def child(script: str, *args: str, **env: str) -> dict:
    """`script --child <args>` in a process of its own (the repository on its path, `env` added): the figures it
    printed with `print_figures` and the load average when it ended; {"failed": its error's last line, "stderr":
    its end} if it failed."""
    result = subprocess.run([sys.executable, script, "--child", *args], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    if result.returncode:
        lines = result.stderr.strip().splitlines()
        return {"failed": lines[-1] if lines else str(result.returncode), "stderr": result.stderr[-3000:]}
    return json.loads(result.stdout.strip().splitlines()[-1]) | {"load": os.getloadavg()[0]}
