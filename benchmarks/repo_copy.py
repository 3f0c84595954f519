"""What the benchmarks share: commands run with this interpreter, and a throw-away copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], cwd: Path, **env_vars: str) -> float:
    """Wall seconds of a command run with this interpreter's environment (plus `env_vars`); a failure ends the
    benchmark."""
    env = dict(os.environ, DVC_NO_ANALYTICS="1", **env_vars)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def copy_repo(dest: Path) -> None:
    """The repository's tracked files in a fresh git repo at `dest`, committed."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, files.stdout.split("\0")):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "b"]):
        run(["git", *args], dest)
