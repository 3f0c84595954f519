"""TensorFlow and Keras, loaded once with their start-up notices kept from the user's terminal, and XLA's
compiled programs kept on disk between processes.

On a CPU machine TensorFlow writes, straight to file descriptor 2 and before its logging settings apply,
a oneDNN notice, "Could not find cuda drivers", CPU-instruction hints and a `cuInit` error. None of them
is about the run. Everything else it writes while loading (a real warning or error) still reaches the
terminal.

Compiling the training program takes seconds, and every stage run, experiment and search trial is a new
process that would compile it again. TensorFlow's persistent XLA cache keeps each compiled program, keyed
by its HLO and checked against it in full when loaded (so a changed program is compiled afresh), in
`$LSTM_TUNING_XLA_CACHE` (default `~/.cache/lstm-tuning/xla`; `off` turns it off), under this TensorFlow
version and CPU: a program compiled elsewhere is never loaded. Loading a program runs the same machine
code, so results are unchanged. The oldest programs are removed beyond `CACHE_LIMIT_BYTES`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

CACHE_ENV = "LSTM_TUNING_XLA_CACHE"
CACHE_FLAG_ENV = "LSTM_TUNING_XLA_CACHE_FLAG"  # the flag this module added to TF_XLA_FLAGS, for child processes
CACHE_LIMIT_BYTES = 1 << 30

START_UP_NOTICES = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on|cudart_stub\.cc|"
    r"Could not find cuda drivers|cpu_feature_guard\.cc|To enable the following instructions|"
    r"rebuild TensorFlow with the appropriate compiler flags|failed call to cuInit|cuda_diagnostics|"
    r"Unable to register cu(DNN|FFT|BLAS) factory|computation placer already registered"
)


@contextmanager
def _filtered_stderr(notices: re.Pattern):
    """Hold what is written to file descriptor 2 (C++ included) in the block; pass on all but `notices`."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            for line in held.read().decode(errors="replace").splitlines(keepends=True):
                if not notices.search(line):
                    sys.stderr.write(line)


def xla_cache_directory() -> Path | None:
    """Where this TensorFlow, on this CPU and with these XLA_FLAGS, keeps its compiled programs; None when the
    cache is off."""
    root = os.environ.get(CACHE_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache",
                                             "lstm-tuning", "xla")
    if str(root).lower() == "off":
        return None
    try:
        cpu = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    except (OSError, StopIteration):  # not Linux: the processor's name stands for its instruction set
        cpu = platform.processor()
    build = hashlib.sha256(f"{platform.machine()} {cpu} {os.environ.get('XLA_FLAGS', '')}".encode()).hexdigest()
    return Path(root, f"tensorflow-{_tensorflow_version()}-{build[:12]}")


def _tensorflow_version() -> str:
    for distribution in ("tensorflow", "tensorflow-cpu"):
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def use_xla_cache(directory: Path | None, limit: int = CACHE_LIMIT_BYTES) -> None:
    """Point TensorFlow's persistent XLA cache at `directory` (None: no cache), after removing its oldest
    programs beyond `limit` bytes. A cache the user names in TF_XLA_FLAGS is left as it is; the one this
    module chose in a parent process (a test, say) is not the user's, and is replaced."""
    flags = os.environ.get("TF_XLA_FLAGS", "")
    if inherited := os.environ.pop(CACHE_FLAG_ENV, None):
        flags = flags.replace(inherited, "").strip()
    if directory is not None and "tf_xla_persistent_cache_directory" not in flags and _prune(directory, limit):
        os.environ[CACHE_FLAG_ENV] = f"--tf_xla_persistent_cache_directory={directory}"
        flags = f"{flags} {os.environ[CACHE_FLAG_ENV]}".strip()
    os.environ["TF_XLA_FLAGS"] = flags


def _prune(directory: Path, limit: int) -> bool:
    """Keep the newest programs up to `limit` bytes; False when the directory cannot be used."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        programs = [(entry.stat(), entry.path) for entry in os.scandir(directory) if entry.name.endswith(".pb")]
        kept = 0
        for info, program in sorted(programs, key=lambda p: p[0].st_mtime, reverse=True):
            kept += info.st_size
            if kept > limit:
                Path(program).unlink(missing_ok=True)  # another process may have removed it
    except OSError:  # a read-only or missing home: compile every time, as without a cache
        return False
    return True


use_xla_cache(xla_cache_directory())

with _filtered_stderr(START_UP_NOTICES):
    import keras
    import tensorflow as tf

    tf.config.list_physical_devices()  # looks for GPUs now, where its cuInit error is filtered

__all__ = ["keras", "tf"]
