"""Options of a conf group (`conf/<group>/<option>.yaml`) and the params they declare.

Each option declares, in the light spec next to its code (`data/specs.py`, `models/specs.py`,
`evaluation/specs.py`), a dataclass of the params it reads: their types and bounds (`param(...)`), and a
`check` for rules that tie several params together; their values are in its conf file, the one place
each is written. `config.load` reads a group's values into the chosen option's dataclass, so a param the
option does not read is refused, and checks every bound; nothing about an option is listed anywhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lstm_tuning.errors import UserError


def param(default: Any = dataclasses.MISSING, *, at_least: float | None = None, above: float | None = None,
          below: float | None = None, choices: tuple | None = None):
    """A dataclass field with the bounds `config.load` checks: `at_least` (inclusive), `above` and `below`
    (exclusive) and `choices`."""
    bounds = {"at_least": at_least, "above": above, "below": below, "choices": choices}
    return field(default=default, metadata={k: v for k, v in bounds.items() if v is not None})


def check_bounds(values, group: str, source: str) -> None:
    """Every `param(...)` bound of the dataclass instance `values`, in field order."""
    for f in dataclasses.fields(values):
        value, bounds = getattr(values, f.name), f.metadata
        if value is None and "choices" not in bounds:  # null: derived from other params or the data
            continue
        shown = repr(value) if isinstance(value, str) else value
        where = f"{source}: {group}.{f.name}={shown}"
        kind = "an integer " if f.type in ("int", int) else ""
        if "at_least" in bounds and "below" in bounds and not bounds["at_least"] <= value < bounds["below"]:
            raise UserError(f"{where} must be in [{bounds['at_least']:g}, {bounds['below']:g})")
        if "at_least" in bounds and value < bounds["at_least"]:
            raise UserError(f"{where} must be {kind}>= {bounds['at_least']:g}")
        if "above" in bounds and not value > bounds["above"]:
            raise UserError(f"{where} must be > {bounds['above']:g}")
        if "choices" in bounds and value not in bounds["choices"]:
            valid = ", ".join("null" if c is None else str(c) for c in bounds["choices"])
            raise UserError(f"{where} is not supported; valid: {valid}")


@dataclass(frozen=True)
class Option:
    """One option of a conf group: its name (the value of the group's `key`), its params dataclass, and a
    check of the rules that tie params together (it gets the whole config, to name other groups' params)."""

    name: str
    params: type
    check: Callable[[Any, str], None] | None = None


class Registry(dict):
    """The options of one conf group, by the value of its `key` param (`model.name`, `data.source`, ...)."""

    def __init__(self, group: str, key: str):
        super().__init__()
        self.group, self.key = group, key

    def add(self, option: Option) -> Option:
        self[option.name] = option
        return option

    def chosen(self, name: str, source: str) -> Option:
        if name not in self:
            raise UserError(f"{source}: {self.group}.{self.key}={name!r} is unknown; valid: {', '.join(self)}")
        return self[name]
