"""Fixtures: throw-away copies of the repository for real DVC runs. Shared helpers are in helpers.py."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import NO_XLA_CACHE, PostgreSQL, copy_repo, dvc

os.environ["DVC_NO_ANALYTICS"] = "1"
# Tests run in this process trace their programs in whatever order xdist hands the tests out, so the programs'
# names, and with them their keys in the XLA cache, differ from run to run: the cache would only fill. The
# stage processes the tests start (helpers.project_env) keep it.
os.environ["TF_XLA_FLAGS"] = f"{os.environ.get('TF_XLA_FLAGS', '')} {NO_XLA_CACHE}".strip()


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The project's files (tracked or not, never ignored ones) in a fresh git repo, committed, small params."""
    return copy_repo(tmp_path / "repo")


@pytest.fixture(scope="session")
def reproduced_once(tmp_path_factory) -> Path:
    repo = copy_repo(tmp_path_factory.mktemp("reproduced") / "repo")
    dvc("repro", cwd=repo)
    return repo


@pytest.fixture
def reproduced(reproduced_once: Path, tmp_path: Path) -> Path:
    """A copy as `repo_copy` after `dvc repro` (uncommitted), for the tests that start from a pipeline up to
    date: the run is shared (once per xdist worker), the copy is the test's own."""
    return Path(shutil.copytree(reproduced_once, tmp_path / "repo", symlinks=True))


@pytest.fixture(scope="session")
def postgresql(tmp_path_factory):
    """A PostgreSQL server for the run, started once (docs/search.md: the developer set-up)."""
    server = PostgreSQL(Path(tempfile.gettempdir()))  # not pytest's folders: the server's user cannot enter them
    yield server
    server.stop()
