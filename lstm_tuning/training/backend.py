"""TensorFlow and Keras, loaded once with their notices kept from the user's terminal, and XLA's compiled
programs kept on disk between processes.

On a CPU machine TensorFlow writes, straight to file descriptor 2 and before its logging settings apply,
a oneDNN notice, "Could not find cuda drivers", CPU-instruction hints and a `cuInit` error; and, each
time it loads a program from the XLA cache, two errors that are not (see `NOTICES`). None of them is about
the run. `quiet_tensorflow` drops them while TensorFlow loads and while the training entry points run;
everything else written meanwhile (a real warning or error, a progress bar) still reaches the terminal.

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
import threading
from contextlib import contextmanager
from pathlib import Path

CACHE_ENV = "LSTM_TUNING_XLA_CACHE"
CACHE_FLAG_ENV = "LSTM_TUNING_XLA_CACHE_FLAG"  # the flag this module added to TF_XLA_FLAGS, for child processes
CACHE_LIMIT_BYTES = 1 << 30
# Keras imports these, when installed, for its scikit-learn estimator wrappers and its image gallery, which this
# project never uses: 1.5 s of the train stage's 5 s start-up. Code that uses them imports them as usual.
UNUSED_BY_KERAS_HERE = ("sklearn", "matplotlib")

NOTICES = re.compile(
    rb"All log messages before absl::InitializeLog|oneDNN custom operations are on|cudart_stub\.cc|"
    rb"Could not find cuda drivers|cpu_feature_guard\.cc|To enable the following instructions|"
    rb"rebuild TensorFlow with the appropriate compiler flags|failed call to cuInit|cuda_diagnostics|"
    rb"Unable to register cu(DNN|FFT|BLAS) factory|computation placer already registered|"
    # loading a program from the XLA cache: TensorFlow first tries to read it as text, then compares the CPU
    # tuning flags the program was compiled with against the host's list, which never names them
    rb"XlaSerializedCacheEntry|cpu_aot_loader\.cc"
)
LOG_LINE_START = re.compile(rb"[IWEF]\d{4} [\d:.]+ +\d+ [\w.-]+:\d+\] ")


@contextmanager
def quiet_tensorflow(notices: re.Pattern = NOTICES):
    """Pass on what is written to file descriptor 2 in the block (TensorFlow's C++ included) as it comes,
    less the lines `notices` matches. A progress bar goes straight through; only a line TensorFlow's logging
    has begun waits for its end."""
    sys.stderr.flush()
    terminal = os.dup(2)
    source, sink = os.pipe()
    os.dup2(sink, 2)
    os.close(sink)
    forwarder = threading.Thread(target=forward, args=(source, terminal, notices), daemon=True)
    forwarder.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(terminal, 2)  # closes the pipe's last writer: the forwarder passes on what is left and ends
        forwarder.join(timeout=10)
        if not forwarder.is_alive():  # (a child process started in the block could keep the pipe open)
            os.close(terminal)


@contextmanager
def not_importable(modules: tuple[str, ...]):
    """In the block, importing any of `modules` not loaded yet fails as if it were not installed; after it,
    they import as usual."""
    blocked = [name for name in modules if name not in sys.modules]
    sys.modules.update(dict.fromkeys(blocked))
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def forward(source: int, target: int, notices: re.Pattern) -> None:
    """Copy file descriptor `source` to `target` until its end, dropping the lines `notices` matches."""
    pending = b""
    while chunk := os.read(source, 1 << 16):
        *lines, pending = (pending + chunk).split(b"\n")
        started = LOG_LINE_START.search(pending)
        cut = started.start() if started else len(pending)
        _write_all(target, b"".join(_kept(line, notices) for line in lines) + pending[:cut])
        pending = pending[cut:]
    _write_all(target, _kept(pending, notices, end=b""))
    os.close(source)


def _kept(line: bytes, notices: re.Pattern, end: bytes = b"\n") -> bytes:
    """`line` and its end; or, if a notice is on it, only what came before the notice (a progress bar's text)."""
    if not notices.search(line):
        return line + end
    started = LOG_LINE_START.search(line)
    return line[:started.start()] if started else b""


def _write_all(target: int, data: bytes) -> None:
    try:
        while data:
            data = data[os.write(target, data):]
    except OSError:  # the terminal is gone: what was written is lost, as it would be without the filter
        pass


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

with quiet_tensorflow(), not_importable(UNUSED_BY_KERAS_HERE):
    import keras
    import tensorflow as tf

    tf.config.list_physical_devices()  # looks for GPUs now, where its cuInit error is filtered

# Layers whose gradient TensorFlow refuses to compile with XLA under op determinism, because its GPU kernel
# is not deterministic; on CPU, XLA computes it with a sequential select-and-scatter, which is.
REFUSED_UNDER_DETERMINISM = (keras.layers.MaxPooling1D,)


@contextmanager
def determinism_lifted_where_xla_refuses(model):
    """Lift op determinism while `model` (on CPU) trains if it has a layer XLA refuses under it, and restore it
    for every other op as soon as the program is compiled and run (a test trains a CNN-LSTM twice and
    compares)."""
    # not exported by tf.config: the only way to lift op determinism again once it was set
    from tensorflow.python.framework.config import disable_op_determinism, is_op_determinism_enabled

    refused = any(isinstance(getattr(layer, "layer", layer), REFUSED_UNDER_DETERMINISM) for layer in model.layers)
    lift = refused and is_op_determinism_enabled() and not tf.config.list_logical_devices("GPU")
    if lift:
        disable_op_determinism()
    try:
        yield
    finally:
        if lift:
            tf.config.experimental.enable_op_determinism()


__all__ = ["determinism_lifted_where_xla_refuses", "keras", "tf"]
