"""The report of a search (`studies/<name>/report.md`): every trial, the choice and its test score, scored
once, against the baselines on the same test origins, and Optuna's plots of the study."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only

from lstm_tuning.evaluation import scores  # noqa: E402
from lstm_tuning.evaluation.specs import LABELS  # noqa: E402
from lstm_tuning.outputs import atomic_path, save_figure  # noqa: E402
from lstm_tuning.search.trials import objective_metric, retried, was_refused  # noqa: E402

PLOTS = {
    "history.png": ("plot_optimization_history", "Optimisation history"),
    "importances.png": ("plot_param_importances", "Param importances (finished trials)"),
    "parallel.png": ("plot_parallel_coordinate", "Parallel coordinates"),
}


def plots(study, out: Path) -> dict[str, str]:
    """Optuna's matplotlib plots of the study, as PNGs in `out`; a plot the study cannot have yet (too few
    finished trials, a single param) is left out with the reason."""
    import matplotlib.pyplot as plt
    import optuna

    drawn = {}
    for file, (function, title) in PLOTS.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # experimental-API notices, and singular axes of a constant param
                axes = getattr(optuna.visualization.matplotlib, function)(study)
        except (ValueError, RuntimeError) as exc:
            drawn[file] = f"not drawn: {exc}"
            continue
        figure = (axes.flat[0] if hasattr(axes, "flat") else axes).figure
        figure.set_size_inches(10, 5.5)
        save_figure(figure, out / file)
        plt.close(figure)
        drawn[file] = title
    return drawn


def _cell(value, digits: int = 3) -> str:
    """A table cell: — for a value there is none of (a pruned trial's objective, one repeat's spread)."""
    return "—" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def write(out: Path, search, study, best, metrics: dict, location: str) -> Path:
    """report.md and its plots in `out`, for `study` whose `best` trial's choice scored `metrics`."""
    import optuna

    out.mkdir(parents=True, exist_ok=True)
    trials = study.get_trials(deepcopy=False)
    states = {state: sum(t.state == state for t in trials) for state in optuna.trial.TrialState}
    refused = sum(map(was_refused, trials))
    lost = retried(trials)  # trials lost with their worker: number -> the trial that ran their params again
    drawn = plots(study, out)
    objective = search.objective
    test, ensemble = metrics["test_mean"], metrics["test_ensemble"]  # the headline of evaluation/metrics.json
    metric = objective_metric(objective)  # the test period is shown on the metric the choice was made on
    name = metric.upper()
    # a panel's headline: means over its series (MASE is scale-free; its RMSE would mix the series' units)
    where = f"mean over {metrics['series']:,} series" if "series" in metrics else "original units"
    lines = [
        f"# Search `{search.name}`",
        "",
        f"Produced by `lstm-tuning search {search.name}` (`{search.path}`; study storage `{location}`). "
        "Regenerate this report, without new trials, with "
        f"`lstm-tuning search {search.name} --trials 0`.",
        "",
        f"Objective: `{objective}` of `evaluation/metrics.json`, on the validation origins, minimised; TPE sampler "
        f"(seed {search.seed}: trial N draws from its own stream of it); pruner `{search.pruner}` on each "
        "checkpoint's validation error."
        + (f" A panel of {metrics['series']:,} series: each score is the mean of the series' scores." if "series" in
           metrics else ""),
        f"Trials: {len(trials)}: {states[optuna.trial.TrialState.COMPLETE]} finished, "
        f"{states[optuna.trial.TrialState.PRUNED]} pruned, "
        f"{states[optuna.trial.TrialState.FAIL] - refused - len(lost)} failed, "
        f"{refused} refused by the checks before any run (not counted in the budget)"
        + (f", {len(lost)} lost with their worker (no heartbeat; run again, not counted twice)" if lost else "")
        + (f", {states[optuna.trial.TrialState.RUNNING]} running" if states[optuna.trial.TrialState.RUNNING] else "")
        + ". Every trial ran with: " + (" ".join(f"`{o}`" for o in search.fixed_overrides) or "the defaults") + ".",
        "",
        "## The choice",
        "",
        f"Trial {best.number} (DVC experiment `{best.user_attrs['experiment']}`): "
        + " ".join(f"`{o}`" for o in best.user_attrs["overrides"]) + ".",
        f"Written by the tool to `conf/experiment/{search.name}.yaml`; `dvc exp run -S experiment={search.name}` "
        f"(experiment `{search.name}-choice`) reproduced its {objective} exactly ({best.value:.4f}), and its test "
        "period was scored then, once: no trial's test score was read to choose.",
        "",
        f"| test origins, {where} | test {name} mean over repeats | test {name} of the ensemble |",
        "|---|---|---|",
        f"| the choice (trial {best.number}) | {_cell(test.get(metric))} | {_cell(ensemble.get(metric))} |",
    ]
    if "best_baseline" in metrics:
        lines.append(f"| best baseline: {LABELS.get(metrics['best_baseline'], metrics['best_baseline'])} | | "
                     f"{_cell(metrics['best_baseline_test'].get(metric))} |")
    for label, value in (search.references or {}).items():
        lines.append(f"| {label} | {value} | |")
    lines += ["", verdict(test.get(metric), metrics, search.references or {}, name), ""]
    lines += ["## Trials", "", f"| trial | state | {objective} | seconds | params | experiment or reason |",
              "|---|---|---|---|---|---|"]
    for t in trials:
        detail = t.user_attrs.get("experiment") or t.user_attrs.get("error", "")
        if t.state == optuna.trial.TrialState.PRUNED:
            detail = f"pruned at epoch {t.user_attrs.get('pruned_epoch', t.last_step)}"
        if t.user_attrs.get("interrupted"):
            detail = "interrupted; run again as a later trial"
        if t.number in lost:
            detail = (f"lost: worker {t.user_attrs.get('worker', '?')} stopped sending heartbeats; its params ran "
                      f"again as trial {lost[t.number]}")
        overrides = " ".join(t.user_attrs.get("overrides", []))
        value = t.value if t.state == optuna.trial.TrialState.COMPLETE else None  # a pruned one's is scaled MSE
        lines.append(f"| {t.number} | {t.state.name.lower()} | {_cell(value, 4)} | {t.user_attrs.get('seconds', '')}"
                     f" | {overrides} | {str(detail).replace('|', '/')} |")
    lines += ["", "## Plots", ""]
    for file, title in drawn.items():
        lines.append(f"![{title}]({file})" if not title.startswith("not drawn") else f"- {file}: {title}")
    lines += ["", f"Browse the study interactively with `pip install optuna-dashboard && optuna-dashboard {location}`.",
              ""]
    path = out / "report.md"
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines))
    return path


def verdict(mean: float | None, metrics: dict, references: dict, name: str = "RMSE") -> str:
    """Plain words: does the choice beat the best classical baseline (evaluate's verdict, on MASE) and the
    reference figures (test `name`s: the objective's metric) on the test origins?"""
    sentences = [headline_verdict(metrics)] if "skill" in metrics else []
    sentences += [f"Its mean test {name} over repeats ({_cell(mean, 2)}) "
                  f"{'beats' if mean is not None and mean < value else 'does not beat'} the {label} ({value:.2f})."
                  for label, value in references.items()]
    return " ".join(sentences)


def headline_verdict(metrics: dict) -> str:
    """evaluate's verdict from the headline: a single series' (scores.verdict), or a panel's on the means over
    its series of MASE, with sMAPE beside it."""
    if "series" not in metrics:
        return scores.verdict(metrics)
    lstm, baseline, skill = metrics["test_ensemble"], metrics["best_baseline_test"], metrics["skill"]["mase"]
    label = LABELS.get(metrics["best_baseline"], metrics["best_baseline"])
    beats = "beats" if skill is not None and skill > 0 else "does not beat"
    chosen = ("chosen on the validation origins" if metrics["best_baseline_chosen_on"] == "val" else
              "chosen on the test origins: there are no validation origins, so the choice saw the test period")
    return (f"The LSTM ensemble {beats} the best classical baseline ({label}, {chosen}) on mean test MASE over "
            f"{metrics['series']:,} series: {_cell(lstm['mase'])} vs {_cell(baseline['mase'])} (skill "
            f"{scores.skill_text(skill)}; sMAPE {_cell(lstm['smape'], 2)} vs {_cell(baseline['smape'], 2)}).")
