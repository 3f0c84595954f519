"""The console script and a quiet terminal: TensorFlow's start-up notices do not reach the user."""

import sys

from helpers import ROOT, run


def test_lstm_tuning_help_lists_the_commands_and_python_m_runs_them_too():
    listed = run(["lstm-tuning", "--help"], cwd=ROOT).stdout
    assert all(command in listed for command in ("study", "review", "experiment", "search"))
    study = run([sys.executable, "-m", "lstm_tuning", "study", "--help"], cwd=ROOT).stdout
    assert study.startswith("usage: lstm-tuning study")


def test_an_unknown_command_is_one_line_and_exit_2():
    result = run(["lstm-tuning", "tune"], cwd=ROOT, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: unknown command 'tune'; commands: study, review, experiment, search"


def test_loading_tensorflow_prints_nothing_but_a_real_warning_gets_through():
    code = ("import sys, warnings; from lstm_tuning.training.backend import tf; tf.constant(1) + 1; "
            "print('real warning', file=sys.stderr)")
    result = run([sys.executable, "-c", code], cwd=ROOT)
    assert result.stderr == "real warning\n", result.stderr


def test_a_search_that_does_not_exist_is_one_line_naming_the_ones_there():
    result = run(["lstm-tuning", "search", "nope"], cwd=ROOT, check=False)
    assert result.returncode == 2
    there = ", ".join(sorted(path.stem for path in (ROOT / "conf/search").glob("*.yaml")))
    assert "m3_monthly_tuned" in there
    assert result.stderr.strip() == f"error: conf/search/nope.yaml: not found; searches in conf/search/: {there}"
