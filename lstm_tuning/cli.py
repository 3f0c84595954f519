"""`lstm-tuning <command>` (or `python -m lstm_tuning <command>`): the commands around the pipeline.

The pipeline itself runs with DVC (`dvc repro`, `dvc exp run`); these read its experiments and results.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path

from lstm_tuning.errors import run_stage

# command -> the module whose main(argv) runs it; its docstring's first line is the command's help
COMMANDS = {
    "study": "lstm_tuning.reports.study",
    "review": "lstm_tuning.reports.review",
    "experiment": "lstm_tuning.search.choice",
    "search": "lstm_tuning.search.study",
}


def usage() -> str:
    lines = ["usage: lstm-tuning <command> [options]", "", "commands:"]
    for name, module in COMMANDS.items():
        lines.append(f"  {name:<11} {summary(module)}")
    lines += ["", "`lstm-tuning <command> --help` for a command's options; the pipeline runs with `dvc repro`."]
    return "\n".join(lines)


def summary(module: str) -> str:
    """The first line of `module`'s docstring, read from its source: importing every command takes seconds."""
    docstring = ast.get_docstring(ast.parse(Path(importlib.util.find_spec(module).origin).read_text()))
    return (docstring or "").splitlines()[0]


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return
    command, *rest = argv
    if command not in COMMANDS:
        print(f"error: unknown command {command!r}; commands: {', '.join(COMMANDS)}", file=sys.stderr)
        sys.exit(2)
    run_stage(importlib.import_module(COMMANDS[command]).main, rest)
