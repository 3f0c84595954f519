"""The XLA cache between processes: where it lives, what keeps it bounded, and that a program loaded from it
trains exactly as one compiled afresh; and TensorFlow's notices kept from the terminal, nothing else."""

import os
import select
import subprocess
import sys
import threading

import pytest
from helpers import ROOT, project_env, stage

from lstm_tuning.training import backend


def test_the_cache_lives_under_the_chosen_root_per_tensorflow_version_and_xla_flags(monkeypatch, tmp_path):
    monkeypatch.setenv(backend.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    plain = backend.xla_cache_directory()
    assert plain.parent == tmp_path and plain.name.startswith("tensorflow-")
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=true")
    fast_math = backend.xla_cache_directory()
    assert fast_math.parent == tmp_path and fast_math != plain  # programs compiled otherwise are never loaded
    monkeypatch.setenv(backend.CACHE_ENV, "off")
    assert backend.xla_cache_directory() is None


def test_keras_loads_without_the_libraries_it_would_use_only_for_what_this_project_never_calls():
    code = ("import sys; from lstm_tuning.training import backend; "
            "print(sorted({name.split('.')[0] for name in sys.modules} & {'sklearn', 'matplotlib'})); "
            "import sklearn.preprocessing, matplotlib.pyplot; "
            "print(sklearn.preprocessing.MinMaxScaler().fit([[0.0], [2.0]]).transform([[1.0]])[0, 0])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=project_env(), capture_output=True, text=True)
    assert result.stdout.split() == ["[]", "0.5"], result.stderr  # not loaded by Keras, still there for the stages


def test_the_oldest_programs_beyond_the_limit_are_removed(monkeypatch, tmp_path):
    monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_min_cluster_size=2")
    monkeypatch.delenv(backend.CACHE_FLAG_ENV, raising=False)
    for age, name in enumerate(["newest", "middle", "oldest"]):
        program = tmp_path / f"{name}.pb"
        program.write_bytes(b"x" * 100)
        os.utime(program, (1_000_000 - age, 1_000_000 - age))
    backend.use_xla_cache(tmp_path, limit=250)
    assert sorted(p.stem for p in tmp_path.glob("*.pb")) == ["middle", "newest"]
    assert os.environ["TF_XLA_FLAGS"] == f"--tf_xla_min_cluster_size=2 --tf_xla_persistent_cache_directory={tmp_path}"


def test_a_cache_the_user_named_is_kept_and_the_one_a_parent_process_chose_is_replaced(monkeypatch, tmp_path):
    theirs = f"--tf_xla_persistent_cache_directory={tmp_path / 'theirs'}"
    monkeypatch.setenv("TF_XLA_FLAGS", theirs)
    monkeypatch.delenv(backend.CACHE_FLAG_ENV, raising=False)
    backend.use_xla_cache(tmp_path / "ours")
    assert os.environ["TF_XLA_FLAGS"] == theirs and not (tmp_path / "ours").exists()

    monkeypatch.setenv("TF_XLA_FLAGS", "")
    backend.use_xla_cache(tmp_path / "parent")
    backend.use_xla_cache(tmp_path / "child")  # as a child process, which inherits the parent's environment
    assert os.environ["TF_XLA_FLAGS"] == f"--tf_xla_persistent_cache_directory={tmp_path / 'child'}"
    backend.use_xla_cache(None)
    assert os.environ["TF_XLA_FLAGS"] == ""


def test_notices_are_dropped_and_everything_else_passes_on_as_it_comes():
    source, sink = os.pipe()
    output, terminal = os.pipe()
    forwarder = threading.Thread(target=backend.forward, args=(source, terminal, backend.NOTICES))
    forwarder.start()
    header = "E0000 00:00:1795318341.339810   26319"
    os.write(sink, b"train 3 repeats:   5%|")  # a progress bar's update: no newline, and it cannot wait for one
    assert select.select([output], [], [], 10)[0] and os.read(output, 100) == b"train 3 repeats:   5%|"
    for written in [f"{header} text_format.cc:378] Error parsing text-format tensorflow.XlaSerializedCacheEntry\n",
                    f"bar 10%|{header} cpu_aot_loader.cc:220] Loading XLA:CPU AOT result. Target machine feature\n",
                    f"{header} some_kernel.cc:12] a real error\nreal warning\n",
                    f"{header} cpu_aot_loader.cc:220] Loading", " XLA:CPU AOT result\n", "last words"]:
        os.write(sink, written.encode())
    os.close(sink)
    forwarder.join(timeout=10)
    os.close(terminal)
    passed = os.read(output, 1000).decode()
    assert passed == f"bar 10%|{header} some_kernel.cc:12] a real error\nreal warning\nlast words"


def test_a_closed_terminal_never_blocks_the_process_writing():
    source, sink = os.pipe()
    output, terminal = os.pipe()
    os.close(output)
    forwarder = threading.Thread(target=backend.forward, args=(source, terminal, backend.NOTICES), daemon=True)
    forwarder.start()

    def write():  # more than a pipe holds: had the forwarder stopped reading, this would block for ever
        for _ in range(50):
            os.write(sink, b"x" * 10_000 + b"\n")
        os.close(sink)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    writer.join(timeout=10)
    forwarder.join(timeout=10)
    assert not writer.is_alive() and not forwarder.is_alive()
    os.close(terminal)


@pytest.mark.slow
def test_a_program_loaded_from_the_cache_trains_exactly_as_one_compiled_afresh(repo_copy, monkeypatch, tmp_path):
    for name in ("ingest", "transform", "window"):
        stage(name, repo_copy)
    checkpoints = repo_copy / "training/checkpoints.npz"
    root = tmp_path / "xla"
    monkeypatch.setenv(backend.CACHE_ENV, str(root))
    stage("train", repo_copy)
    compiled, programs = checkpoints.read_bytes(), {p: p.stat().st_mtime_ns for p in root.rglob("*.pb")}
    assert programs, "the train stage should have kept its compiled programs"
    loaded = stage("train", repo_copy)
    assert checkpoints.read_bytes() == compiled
    assert not backend.NOTICES.search(loaded.stderr.encode()), loaded.stderr  # loading says nothing
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*.pb")} == programs  # loaded, none compiled again
    monkeypatch.setenv(backend.CACHE_ENV, "off")
    stage("train", repo_copy)
    assert checkpoints.read_bytes() == compiled
