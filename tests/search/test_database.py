"""`lstm-tuning search` across machines, on a real PostgreSQL server: two workers in two clones (each with its own
DVC cache and workspace; they share only the database, the git origin they were cloned from and a DVC remote
directory), one of them lost mid-trial with SIGKILL, and a third clone that pulls the experiments and writes the
choice and the report. Nothing is counted twice and nothing is lost."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
import yaml
from helpers import dvc, experiments, project_env, run, tiny_search

from lstm_tuning.errors import UserError
from lstm_tuning.search import space, storage, study

TINY = tiny_search(trials=4, seed=5)
HEARTBEAT = 1  # seconds: a trial silent for 2 s is lost (the default is 60)


def commit(repo: Path, message: str) -> None:
    run(["git", "add", "-A"], cwd=repo)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message], cwd=repo)


def clone(origin: Path, dest: Path) -> Path:
    """A machine: its own clone, workspace and DVC cache, the pipeline's outputs pulled from the DVC remote."""
    run(["git", "clone", "-q", str(origin), str(dest)], cwd=origin.parent)
    dvc("pull", "-q", cwd=dest)
    return dest


def search(repo: Path, url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lstm_tuning", "search", "tiny", "--storage", url, "--remote",
                             "origin", "--heartbeat", str(HEARTBEAT), *args], cwd=repo, env=project_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def processes() -> dict[int, tuple[int, int]]:
    """{pid: (parent pid, session id)} of every live process (not the ended ones no parent has reaped yet)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if fields[0] != "Z":
            found[int(stat.parent.name)] = (int(fields[1]), int(fields[3]))
    return found


def lose_machine(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and everything its trials run, as when its machine goes down: each trial's
    `dvc exp run` leads a session of its own (so that Ctrl-C reaches it through the worker only)."""
    trials = {pid for pid, (parent, session) in processes().items() if parent == worker.pid and session == pid}
    worker.kill()
    worker.wait()
    while left := [pid for pid, (_, session) in processes().items() if session in trials]:
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2)


def training_trial(repo: Path, finished: int) -> bool:
    """Whether the worker in `repo` has `finished` trials and the next one's train stage is running."""
    logs = sorted((repo / "studies/tiny/logs").glob("tiny-*.log"), key=lambda p: p.stat().st_mtime)
    return len(logs) > finished and "Running stage 'train'" in logs[-1].read_text()


@pytest.mark.slow  # a PostgreSQL server, three clones, real DVC experiments in two processes
def test_two_machines_share_a_study_on_postgresql_and_a_lost_worker_loses_nothing(postgresql, reproduced, tmp_path):
    url, other_url = postgresql.database("two_machines"), postgresql.database("other_search_file")

    # a wrong password, and a study started from another search file, are refused in one line
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text(yaml.safe_dump(TINY | {"seed": 4}))
    other = space.Search("tiny", tiny, "val_ensemble.rmse", trials=4, timeout=None, seed=4, pruner={}, fixed={})
    with pytest.raises(UserError, match=r"^--storage postgresql://optuna:\*\*\*@127.0.0.1:\d+/two_machines: cannot "
                                        r"open the database: .*password authentication failed for user \"optuna\"$"):
        storage.storage(postgresql.url("two_machines", password="wrong"))
    study.open_study(other, other_url)

    # the origin: the project, reproduced and committed, its outputs in a DVC remote directory
    origin = reproduced
    (origin / "conf/search/tiny.yaml").write_text(yaml.safe_dump(TINY))
    dvc("remote", "add", "-d", "shared", str(tmp_path / "dvc-remote"), cwd=origin)
    commit(origin, "search")
    dvc("push", "-q", cwd=origin)
    first, second = clone(origin, tmp_path / "first"), clone(origin, tmp_path / "second")

    refused = search(first, other_url, "--no-finish")
    assert refused.wait(timeout=300) == 2
    assert "conf/search/tiny.yaml: changed since study 'tiny' started in postgresql://optuna:***@" in \
        refused.stdout.read()

    # started together on a new database: both create its tables, one of them first
    lost, survivor = search(first, url, "--no-finish"), search(second, url, "--no-finish")
    deadline = time.time() + 600
    while not training_trial(first, finished=1) and lost.poll() is None and time.time() < deadline:
        time.sleep(0.5)
    assert lost.poll() is None, lost.stdout.read()
    lose_machine(lost)  # mid-trial: its second trial trains
    output = survivor.communicate(timeout=900)[0]
    assert survivor.returncode == 0, output
    assert "sent no heartbeat for 2 s: lost; its params run again" in output

    trials = optuna.load_study(study_name="tiny", storage=url).get_trials(deepcopy=False)
    finished = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    failed = [t for t in trials if t.state == optuna.trial.TrialState.FAIL]
    assert len(failed) == 1 and not any(t.state == optuna.trial.TrialState.RUNNING for t in trials)
    retry = next(t for t in trials if t.system_attrs.get("failed_trial") == failed[0].number)
    assert retry.state == optuna.trial.TrialState.COMPLETE and retry.params == failed[0].params, "run again"
    assert 4 <= len(finished) <= 5, "the budget counts every worker's trials, the lost one not"
    assert len({tuple(sorted(t.params.items())) for t in finished}) == len(finished), "none counted twice"
    workers = {t.user_attrs["worker"] for t in finished}
    assert len(workers) == 2, "both machines finished trials"

    # a third machine pulls every trial's experiment and writes the choice and the report
    third = clone(origin, tmp_path / "third")
    finishing = search(third, url)
    output = finishing.communicate(timeout=900)[0]
    assert finishing.returncode == 0, output
    shown = [(e["params"]["model"]["learning_rate"], e["metrics"]["val_ensemble"]["rmse"])
             for e in experiments(third) if e["metrics"]]
    best = min(finished, key=lambda t: t.value)
    for t in finished:
        assert shown.count((t.params["model.learning_rate"], t.value)) == 1 + (t.number == best.number), \
            "each finished trial is its own experiment, with the trial's value (the best's also as the choice's)"
    assert len(shown) == len(finished) + 1, output
    assert f"trial {best.number} (DVC experiment {best.user_attrs['experiment']}" in \
        (third / "conf/experiment/tiny.yaml").read_text(), output
    report = (third / "studies/tiny/report.md").read_text()
    assert f"Trial {best.number}" in report and f"reproduced its val_ensemble.rmse exactly ({best.value:.4f})" in report
    assert "1 lost with their worker" in report
    assert f"| {failed[0].number} | fail |" in report and f"ran again as trial {retry.number}" in report
