"""The search and report layers import each other in no circle: the search may read reports' experiments,
the reports never import the search, the commands' arguments are read in cli.py only, and only
lstm_tuning/repository.py starts DVC or git."""

import ast

from helpers import ROOT

PACKAGE = ROOT / "lstm_tuning"


def imports(path) -> set[str]:
    """The lstm_tuning modules `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        found |= {name for name in names if PACKAGE.joinpath(*name.split(".")[1:]).with_suffix(".py").is_file()}
    return found


def module(path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_no_import_circle_through_search_and_reports():
    graph = {module(p): imports(p) for p in PACKAGE.rglob("*.py")}

    def circle(start, at, seen):
        for target in graph.get(at, ()):
            if target == start:
                return [*seen, target]
            if target not in seen and (found := circle(start, target, [*seen, target])):
                return found
        return None

    for name in graph:
        if name.startswith(("lstm_tuning.search", "lstm_tuning.reports", "lstm_tuning.cli",
                            "lstm_tuning.repository")):
            assert circle(name, name, [name]) is None, " -> ".join(circle(name, name, [name]))
    assert not any(target.startswith("lstm_tuning.search") for name, targets in graph.items()
                   if name.startswith("lstm_tuning.reports") for target in targets)


def test_only_the_cli_parses_arguments_and_only_repository_runs_commands():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        if path.name != "cli.py":
            assert "argparse" not in text, path
        if path.name != "repository.py" and path.parent.name in ("search", "reports"):
            assert "subprocess.run(" not in text and '"git"' not in text, path
