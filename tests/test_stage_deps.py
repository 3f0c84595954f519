"""Every stage's dvc.yaml deps cover every package module it imports, directly or not, lazily or not, so
editing one reruns the stages that use it and `dvc repro` never calls a stale result up to date."""

import ast
import json
import re

import pytest
import yaml
from helpers import ROOT, dvc

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


# a module that imports its package's modules by a computed name (`models.builders.build`: the module of the
# architecture named in the params) may import any of them
BY_NAME = re.compile(r"import_module\(f[\"'](\{__package__\}|\{__name__\})\.")


def closure(start):
    """The project files `start` imports, transitively; a module that imports its package's modules by name
    counts as importing all of them."""
    seen, todo = set(), [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if BY_NAME.search(path.read_text()):
            todo.extend(path.parent.glob("*.py"))
        for name in imported_names(path):
            parts = name.split(".")
            for i in range(1, len(parts) + 1):  # the packages on the way are imported too
                found = module_file(".".join(parts[:i]))
                if found and ".venv" not in found.parts:
                    todo.append(found)
    return seen


def missing_deps(stage: str, deps: list[str]) -> list[str]:
    """The project files `stage` imports that `deps` (dvc.yaml entries: files or folders) do not cover."""
    start = module_file(re.search(r"python -m ([\w.]+)", STAGES[stage]["cmd"]).group(1))
    paths = [ROOT / dep for dep in deps if "${" not in dep]
    return [str(path.relative_to(ROOT)) for path in sorted(closure(start))
            if not any(path == dep or dep in path.parents for dep in paths)]


@pytest.mark.parametrize("stage", STAGES)
def test_every_imported_module_is_a_dependency(stage):
    missing = missing_deps(stage, STAGES[stage]["deps"])
    assert not missing, f"{stage} imports modules its dvc.yaml deps miss: {missing}"


def test_a_module_missing_from_the_deps_is_found():
    deps = [dep for dep in STAGES["train"]["deps"] if dep != "lstm_tuning/models"]
    assert "lstm_tuning/models/conv_lstm.py" in missing_deps("train", deps)  # a builder, loaded by its name


def test_the_closure_follows_lazy_and_named_imports():
    train = closure(module_file("stages.train"))
    assert ROOT / "lstm_tuning/training/carried_state.py" in train  # imported inside main()
    assert ROOT / "lstm_tuning/models/conv_lstm.py" in train  # loaded by name by models.builders
    assert ROOT / "lstm_tuning/reports/sweep.py" not in train


def test_the_config_imports_specs_and_no_implementation():
    light = {"__init__.py", "specs.py", "config.py", "options.py", "errors.py", "paths.py"}
    assert {path.name for path in closure(module_file("lstm_tuning.config"))} <= light


@pytest.mark.parametrize("implementation, stages", [
    ("lstm_tuning/evaluation/baselines.py", {"baselines", "evaluate"}),
    ("lstm_tuning/models/stateful_lstm.py", {"train", "forecast"}),
    ("lstm_tuning/data/sources.py", {"ingest"}),
])
def test_an_option_implementation_is_a_dependency_of_the_stages_that_run_it_only(implementation, stages):
    def covered(stage):
        return any(ROOT / implementation == ROOT / dep or ROOT / dep in (ROOT / implementation).parents
                   for dep in STAGES[stage]["deps"])

    assert {stage for stage in STAGES if covered(stage)} == stages


@pytest.mark.slow  # real DVC on a reproduced copy
@pytest.mark.parametrize("edited, stale", [
    ("lstm_tuning/evaluation/baselines.py", {"baselines", "evaluate"}),
    # evaluate reads train's outputs: it reruns when train's rerun changes them, not for the edit itself
    ("lstm_tuning/models/stateful_lstm.py", {"train", "forecast"}),
])
def test_editing_an_option_implementation_leaves_the_other_stages_up_to_date(reproduced, edited, stale):
    assert json.loads(dvc("status", "--json", cwd=reproduced).stdout) == {}
    with (reproduced / edited).open("a") as code:
        code.write("# edited\n")
    assert set(json.loads(dvc("status", "--json", cwd=reproduced).stdout)) == stale
