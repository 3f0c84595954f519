"""User mistakes end in one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from lstm_tuning import paths

DEBUG_ENV = "LSTM_TUNING_DEBUG"


class UserError(Exception):
    """A problem the user can fix: the message names the file, column, row or param and the fix."""


_interrupts: list[str] = []  # every SIGINT or SIGTERM received, by name


def _interrupt(signum, frame):
    _interrupts.append(signal.Signals(signum).name)
    raise KeyboardInterrupt(_interrupts[-1])


def raise_if_interrupted() -> None:
    """Raise an interrupt again that library code caught on its way (while TensorFlow traces, say), so a
    long loop that checks between its steps still stops."""
    if _interrupts:
        raise KeyboardInterrupt(_interrupts[-1])


def run_stage(main: Callable[[list[str]], None], argv: list[str] | None = None) -> None:
    """Run a stage's (or a command's) main with its command-line arguments (default: sys.argv[1:]); turn
    user errors into exit code 2.

    SIGTERM is handled like Ctrl-C, so both unwind through the atomic writers, which discard their
    temporary files and leave the output being written at its previous version. It does not return: the
    process ends with main's exit code (0, or 2 and 130 as above).
    """
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stdout)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        main(sys.argv[1:] if argv is None else argv)
    except UserError as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        print(f"error: {exc}", file=sys.stderr)
        _exit(2)
    except FileNotFoundError as exc:
        writer = paths.WRITTEN_BY.get(Path(exc.filename or ""))
        if writer is None or os.environ.get(DEBUG_ENV):
            raise
        print(f"error: {exc.filename}: not found; run the {writer} stage first: `dvc repro {writer}`, or "
              "`dvc repro` for the whole pipeline", file=sys.stderr)
        _exit(2)
    except KeyboardInterrupt as exc:
        # each output is whole, old or new: one that was not written yet keeps its previous version
        print(f"interrupted ({exc or 'SIGINT'}): no output is half-written", file=sys.stderr)
        _exit(130)
    _exit(0)


def _exit(code: int) -> None:
    """End the process now that every output is written and closed: the interpreter's own teardown (TensorFlow's
    and the BLAS thread pools', every module's objects) would add about a second to each TensorFlow stage and
    half a second to the others, in every `dvc repro`, experiment and search trial."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
