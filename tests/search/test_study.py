"""`lstm-tuning search` end to end with real DVC, Optuna and training: a worker interrupted mid-trial, two
workers sharing the study after it, every trial a DVC experiment, and the choice written by the tool that
`dvc exp run -S experiment=<study>` reproduces."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
import yaml
from dvc.repo import Repo
from helpers import dvc, experiments, project_env, run, tiny_search

from lstm_tuning.errors import UserError
from lstm_tuning.search import run_cache, space, storage, study, workers

TINY = tiny_search()


def worker(repo):
    return subprocess.Popen([sys.executable, "-m", "lstm_tuning", "search", "tiny"], cwd=repo, env=project_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def dvc_commands(repo: Path, command: str) -> list[int]:
    """The pids of the DVC `command`s that run in `repo` now."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
            running_in = Path(os.readlink(cmdline.with_name("cwd")))
        except OSError:  # ended meanwhile, or another user's
            continue
        if args[1:3] == [b"-m", b"dvc"] and command.encode() in args and running_in == repo.resolve():
            found.append(int(cmdline.parent.name))
    return found


def trials(repo):
    study = optuna.load_study(study_name="tiny", storage=storage.storage(str(repo / "studies/tiny/journal.log")))
    return study.get_trials(deepcopy=False)


@pytest.mark.slow  # real DVC experiments, several processes
def test_workers_share_a_study_resume_it_and_the_tool_writes_a_choice_that_reproduces(repo_copy):
    (repo_copy / "conf/search/tiny.yaml").write_text(yaml.safe_dump(TINY))
    run(["git", "add", "-A"], cwd=repo_copy)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "search"], cwd=repo_copy)

    # Ctrl-C while the first trial's experiment runs
    first = worker(repo_copy)
    log = repo_copy / "studies/tiny/logs/tiny-000.log"
    deadline = time.time() + 300
    while not (log.is_file() and "Running stage 'train'" in log.read_text()) and first.poll() is None \
            and time.time() < deadline:
        time.sleep(0.5)
    first.send_signal(signal.SIGINT)
    output = first.communicate(timeout=120)[0]
    assert first.returncode == 130, output
    interrupted, retry = trials(repo_copy)
    assert interrupted.state == optuna.trial.TrialState.FAIL and interrupted.user_attrs["interrupted"]
    assert retry.state == optuna.trial.TrialState.WAITING and retry.user_attrs["retry_of"] == 0
    # had Ctrl-C reached DVC while it wrote the transform stage's run to its run cache, a half-written run
    # would be left, the newest: every later trial would fail in transform unless the workers remove it
    transform_run = next(p for p in (repo_copy / ".dvc/cache/runs").glob("*/*/*")
                         if p.read_text().startswith("cmd: python -m stages.transform"))
    half_written = transform_run.with_name(".interrupted.tmp")
    half_written.write_text(transform_run.read_text().partition("outs:")[0])
    os.utime(half_written, (transform_run.stat().st_mtime + 1,) * 2)

    # two workers on the same study, started together while another DVC command holds the repository's lock for
    # longer than DVC waits for it by itself (3 s): they wait for it
    with Repo(str(repo_copy)) as held, held.lock:
        processes = [worker(repo_copy) for _ in range(2)]
        deadline = time.time() + 120
        while len(dvc_commands(repo_copy, "repro")) < 2 and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(5)
        assert len(dvc_commands(repo_copy, "repro")) == 2 and all(p.poll() is None for p in processes)
    for process in processes:
        output = process.communicate(timeout=900)[0]
        logs = {log.name: log.read_text()[-2000:] for log in sorted((repo_copy / "studies/tiny/logs").glob("*.log"))}
        assert process.returncode == 0, f"{output}\n{logs}"
    assert not half_written.exists()
    found = trials(repo_copy)
    counted = [t for t in found if not t.user_attrs.get("interrupted")]
    assert 3 <= len(counted) <= 4, "the budget counts every worker's trials"  # (each may start one as the other ends)
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in counted)
    assert found[1].params == interrupted.params, "the interrupted trial runs again"
    names = [t.user_attrs["experiment"] for t in counted]
    assert len(set(names)) == len(names)

    # every trial is a DVC experiment with the trial's params and its objective as metric
    shown = {(e["params"]["model"]["units"], e["params"]["model"]["learning_rate"]):
             e["metrics"]["val_ensemble"]["rmse"] for e in experiments(repo_copy)}
    for t in counted:
        assert shown[(t.params["model.units"], t.params["model.learning_rate"])] == t.value

    # the choice: written by the tool, reproduced by `dvc exp run -S experiment=tiny`
    best = min(counted, key=lambda t: t.value)
    assert f"trial {best.number} (DVC experiment {best.user_attrs['experiment']}" in \
        (repo_copy / "conf/experiment/tiny.yaml").read_text()
    report = (repo_copy / "studies/tiny/report.md").read_text()
    assert f"Trial {best.number}" in report and "best classical baseline" in report
    assert (repo_copy / "studies/tiny/history.png").stat().st_size > 0
    dvc("exp", "run", "-S", "experiment=tiny", cwd=repo_copy)
    metrics = json.loads((repo_copy / "evaluation/metrics.json").read_text())
    assert metrics["val_ensemble"]["rmse"] == best.value

    # `dvc exp apply` then `dvc repro` reproduces a trial too
    other = max(counted, key=lambda t: t.value)
    dvc("exp", "apply", other.user_attrs["experiment"], cwd=repo_copy)
    dvc("repro", cwd=repo_copy)
    metrics = json.loads((repo_copy / "evaluation/metrics.json").read_text())
    assert metrics["val_ensemble"]["rmse"] == other.value


def test_only_runs_no_process_is_still_writing_are_removed_from_the_run_cache(tmp_path, monkeypatch):
    run(["git", "init", "-q"], cwd=tmp_path)
    dvc("init", "-q", cwd=tmp_path)
    folder = tmp_path / ".dvc/cache/runs/ab/ab12"
    folder.mkdir(parents=True)
    left, writing, entry = folder / ".left.tmp", folder / ".writing.tmp", folder / ("c" * 64)
    for path in (left, writing, entry):
        path.write_text("cmd: python -m stages.transform\n")
    os.utime(left, (time.time() - 5,) * 2)
    os.utime(entry, (time.time() - 5,) * 2)
    monkeypatch.chdir(tmp_path)
    run_cache.remove_half_written_runs(min_age=1.0)
    assert sorted(p.name for p in folder.iterdir()) == [".writing.tmp", "c" * 64]


def test_the_budget_counts_trials_that_run_not_those_refused_or_interrupted(tmp_path):
    search = space.Search("s", tmp_path / "s.yaml", "val_rmse.mean", trials=2, timeout=None, seed=0, pruner={},
                          fixed={})
    search_workers = workers.Workers(search, str(tmp_path / "journal.log"), jobs=1)
    trials = optuna.create_study()
    for attrs, state in [({"error": "refused"}, optuna.trial.TrialState.FAIL),
                         ({"seconds": 9.0, "interrupted": True}, optuna.trial.TrialState.FAIL),
                         ({"seconds": 9.0}, optuna.trial.TrialState.PRUNED)]:
        trials.add_trial(optuna.trial.create_trial(state=state, user_attrs=attrs))
    assert not search_workers._spent(trials)
    trials.ask()  # running: counted
    assert search_workers._spent(trials)


def test_a_study_refuses_a_search_file_that_changed_what_a_trial_is(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(TINY))
    search = space.Search("s", path, "val_rmse.mean", trials=2, timeout=None, seed=0, pruner={}, fixed={})
    location = str(tmp_path / "journal.log")
    study.open_study(search, location)
    path.write_text(yaml.safe_dump(TINY | {"trials": 5}))
    study.open_study(search, location)  # a larger budget: the same study, carried on
    path.write_text(yaml.safe_dump(TINY | {"seed": 4}))
    with pytest.raises(UserError, match=r"s.yaml: changed since study 's' started in .*journal.log; start a new study"):
        study.open_study(search, location)
