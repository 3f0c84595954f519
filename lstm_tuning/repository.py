"""The DVC and git commands the package runs on the project repository: the one place that starts them.

Every command runs with this interpreter's DVC (`python -m dvc`) and without analytics; a failure is one
`CommandFailed` line naming the command and DVC's or git's last line, with the whole output kept for whoever
needs more (the tests print it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from lstm_tuning.errors import UserError


class CommandFailed(UserError):
    """A DVC or git command that ended non-zero: the message is its last line; `result` holds the rest."""

    def __init__(self, message: str, result: subprocess.CompletedProcess):
        super().__init__(message)
        self.result = result


def run(args: list[str], cwd: Path | None = None, env: dict | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    """Run a command, capturing its output; with `check`, a non-zero exit is a CommandFailed."""
    env = dict(os.environ if env is None else env, DVC_NO_ANALYTICS="1")
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        shown = " ".join(["dvc", *args[3:]] if args[1:3] == ["-m", "dvc"] else args)
        last = (result.stderr.strip().splitlines() or result.stdout.strip().splitlines() or ["no output"])[-1]
        raise CommandFailed(f"{cwd or '.'}: `{shown}` failed: {last}", result)
    return result


def dvc_command(*args: str, wait: bool = False) -> list[str]:
    """`dvc <args>` as run with this interpreter's DVC. With `wait`, it waits for the repository's lock as long
    as another DVC command holds it, where DVC alone gives up after 3 seconds: a search's workers start and
    record experiments in one repository at once."""
    return [sys.executable, "-m", "dvc", *(["--wait-for-lock"] if wait else []), *args]


def dvc(*args: str, cwd: Path | None = None, wait: bool = False) -> str:
    """The output of a DVC command."""
    return run(dvc_command(*args, wait=wait), cwd=cwd).stdout


def git(*args: str, cwd: Path | None = None) -> str:
    """The output of a git command."""
    return run(["git", *args], cwd=cwd).stdout


def experiment_ref(name: str, cwd: Path | None = None) -> str | None:
    """The git ref of this commit's DVC experiment `name`, if it exists here."""
    head = git("rev-parse", "HEAD", cwd=cwd).strip()
    ref = f"refs/exps/{head[:2]}/{head[2:]}/{name}"
    return ref if git("for-each-ref", "--format=%(refname)", ref, cwd=cwd).strip() == ref else None


def experiment_file(ref: str, path: str, cwd: Path | None = None) -> dict:
    """A YAML or JSON file (params.yaml, evaluation/metrics.json) as the experiment committed it."""
    text = git("show", f"{ref}:{path}", cwd=cwd)
    return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
