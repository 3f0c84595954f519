"""Fixtures: a throw-away copy of the repository for real DVC runs. Shared helpers are in helpers.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import copy_repo

os.environ["DVC_NO_ANALYTICS"] = "1"


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The project's files (tracked or not, never ignored ones) in a fresh git repo, committed, small params."""
    return copy_repo(tmp_path / "repo")
