"""TensorFlow and Keras, loaded once with their start-up notices kept from the user's terminal.

On a CPU machine TensorFlow writes, straight to file descriptor 2 and before its logging settings apply,
a oneDNN notice, "Could not find cuda drivers", CPU-instruction hints and a `cuInit` error. None of them
is about the run. Everything else it writes while loading (a real warning or error) still reaches the
terminal.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from contextlib import contextmanager

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


with _filtered_stderr(START_UP_NOTICES):
    import keras
    import tensorflow as tf

    tf.config.list_physical_devices()  # looks for GPUs now, where its cuInit error is filtered

__all__ = ["keras", "tf"]
