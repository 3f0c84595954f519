"""The end of a search: the trial with the lowest objective becomes `conf/experiment/<name>.yaml` (written by
the tool), which runs once more as a DVC experiment through that file. That run must reproduce the trial's
validation score exactly, and it is where the choice's test score is read, once. Then the report."""

from __future__ import annotations

import logging

from lstm_tuning import repository
from lstm_tuning.errors import UserError
from lstm_tuning.repository import experiment_file, experiment_ref
from lstm_tuning.search import choice, report
from lstm_tuning.search.space import Search
from lstm_tuning.search.storage import shown
from lstm_tuning.search.study import load, study_dir
from lstm_tuning.search.trials import TARGET, metric, objective_metric

log = logging.getLogger("search")


def finish(search: Search, study, location: str, remote: str | None = None) -> None:
    """The choice and the report; `remote` (a git remote, with the DVC remote as default) is where the
    experiments of trials run on other machines are pulled from."""
    import optuna

    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if not complete:
        raise UserError(f"study {search.name!r} ({shown(location)}): no trial finished; see the logs in "
                        f"{study_dir(search.name) / 'logs'}")
    best = min(complete, key=lambda t: (t.value, t.number))
    elsewhere = [t.user_attrs["experiment"] for t in complete if experiment_ref(t.user_attrs["experiment"]) is None]
    if elsewhere and remote:  # run by workers on other machines, which pushed them
        log.info("pulling %d trials' experiments from %s: %s", len(elsewhere), remote, " ".join(elsewhere))
        repository.dvc("exp", "pull", remote, *elsewhere, wait=True)
    ref = experiment_ref(best.user_attrs["experiment"])
    if ref is None:
        raise UserError(f"trial {best.number}'s experiment {best.user_attrs['experiment']} is not in this "
                        "repository (run on another machine?): `dvc exp pull <remote> "
                        f"{best.user_attrs['experiment']}` it first, or pass --remote <remote>")
    params = experiment_file(ref, "params.yaml")
    path = choice.write(search.name, params, origin=(
        f"`lstm-tuning search {search.name}`: trial {best.number} (DVC experiment {best.user_attrs['experiment']}, "
        f"{best.user_attrs['rev'][:7]}), the lowest {search.objective} of {len(complete)} finished trials"))
    log.info("trial %d chosen (%s %.4f): wrote %s", best.number, search.objective, best.value, path)

    chosen = run_choice(search, params)
    metrics = experiment_file(chosen, "evaluation/metrics.json")
    reproduced = metric(metrics, search.objective)
    if reproduced != best.value:
        raise UserError(f"{path}: `dvc exp run -S experiment={search.name}` gave {search.objective} {reproduced}, "
                        f"not the trial's {best.value}: the choice does not reproduce; is the pipeline deterministic?")
    written = report.write(study_dir(search.name), search, load(search, location), best, metrics, shown(location))
    scored = objective_metric(search.objective)  # a panel's: MASE, the mean over series
    log.info("the choice reproduces trial %d's %s (%.4f); test %s mean %.3f, ensemble %.3f, scored once; "
             "wrote %s", best.number, search.objective, reproduced, scored.upper(), metrics["test_mean"][scored],
             metrics["test_ensemble"][scored], written)


def run_choice(search: Search, params: dict) -> str:
    """The git ref of the choice's experiment, `<name>-choice`, run through conf/experiment/<name>.yaml (or
    the one already run with these params)."""
    name = f"{search.name}-choice"
    ref = experiment_ref(name)
    if ref and experiment_file(ref, "params.yaml") == params:
        return ref
    if ref:  # an earlier choice of this study, before more trials changed it
        repository.dvc("exp", "remove", name, wait=True)
    log.info("running the choice: dvc exp run --temp %s -n %s -S experiment=%s", TARGET, name, search.name)
    repository.dvc("exp", "run", "--temp", TARGET, "-n", name, "-S", f"experiment={search.name}", wait=True)
    return experiment_ref(name)
