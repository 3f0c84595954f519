"""User mistakes end in one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

DEBUG_ENV = "LSTM_TUNING_DEBUG"


class UserError(Exception):
    """A problem the user can fix: the message names the file, column, row or param and the fix."""


def run_stage(main: Callable[[list[str]], None]) -> None:
    """Run a stage's main with its command-line overrides; turn user errors into exit code 2."""
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stdout)
    try:
        main(sys.argv[1:])
    except UserError as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted: previous outputs left as they were", file=sys.stderr)
        sys.exit(130)
