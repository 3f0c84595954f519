"""Every stage's dvc.yaml deps cover every package module it imports, directly or not, lazily or not, so
editing one reruns the stages that use it and `dvc repro` never calls a stale result up to date."""

import ast
import re

import pytest
import yaml
from helpers import ROOT

STAGES = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def module_file(name: str):
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_names(path):
    """Every module name an import statement in `path` may load (function-level imports included)."""
    package = path.relative_to(ROOT).parent.parts
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join([*package[: len(package) - node.level + 1], node.module or ""] if node.level else
                            [node.module or ""]).strip(".")
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def closure(start):
    """The project files `start` imports, transitively; a package that imports its modules by discovery
    (pkgutil) counts as importing all of them."""
    seen, todo = set(), [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if path.name == "__init__.py" and "pkgutil.iter_modules" in path.read_text():
            todo.extend(path.parent.glob("*.py"))
        for name in imported_names(path):
            parts = name.split(".")
            for i in range(1, len(parts) + 1):  # the packages on the way are imported too
                found = module_file(".".join(parts[:i]))
                if found and ".venv" not in found.parts:
                    todo.append(found)
    return seen


@pytest.mark.parametrize("stage", STAGES)
def test_every_imported_module_is_a_dependency(stage):
    command = STAGES[stage]["cmd"]
    start = module_file(re.search(r"python -m ([\w.]+)", command).group(1))
    deps = [ROOT / dep for dep in STAGES[stage]["deps"] if "${" not in dep]
    missing = [str(path.relative_to(ROOT)) for path in sorted(closure(start))
               if not any(path == dep or dep in path.parents for dep in deps)]
    assert not missing, f"{stage} imports modules its dvc.yaml deps miss: {missing}"


def test_the_closure_follows_lazy_and_discovered_imports():
    train = closure(module_file("stages.train"))
    assert ROOT / "lstm_tuning/training/carried_state.py" in train  # imported inside main()
    assert ROOT / "lstm_tuning/models/conv_lstm.py" in train  # found by the registry's discovery
    assert ROOT / "lstm_tuning/reports/sweep.py" not in train
