"""Plots and a Markdown report a reviewer can read in a pull request."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; stages run without a display
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from lstm_tuning.outputs import save_figure  # noqa: E402

IMAGES = {
    "Test RMSE per repeat": "rmse_boxplot.png",
    "Forecasts over the test period": "forecast.png",
    "Test RMSE per forecast step": "horizon.png",
    "RMSE per origin of the backtest": "origins.png",
    "Training loss per epoch": "training_loss.png",
    "Walk-forward RMSE during training, per repeat": "diagnostics.png",
}


def write(out: Path, params: dict, metrics: dict, rmse: pd.DataFrame, origins: pd.DataFrame,
          forecasts: pd.DataFrame, horizon: pd.DataFrame, diagnostics: pd.DataFrame, loss: pd.DataFrame) -> None:
    """The run report in directory `out`: report.md, its plots, and the loss summary `dvc plots` draws."""
    summary = loss_summary(loss)
    summary.to_csv(out / "training_loss.csv", index=False)
    best = metrics["best_baseline"]
    lines = {name: metrics["baselines"][name]["test_rmse"] for name in dict.fromkeys(["persistence", best])}
    rmse_boxplot(rmse, lines, out / IMAGES["Test RMSE per repeat"])
    forecast_plot(forecasts, out / IMAGES["Forecasts over the test period"])
    horizon_plot(horizon, out / IMAGES["Test RMSE per forecast step"])
    origins_plot(origins, out / IMAGES["RMSE per origin of the backtest"])
    loss_plot(summary, out / IMAGES["Training loss per epoch"])
    diagnostics_plot(diagnostics, out / IMAGES["Walk-forward RMSE during training, per repeat"])
    (out / "report.md").write_text(markdown(metrics, params, IMAGES))


def loss_summary(loss: pd.DataFrame) -> pd.DataFrame:
    """Per-epoch mean/min/max across repeats from the wide per-repeat training loss."""
    per_repeat = loss.drop(columns="epoch")  # NaN after a repeat diverged: skipped
    return pd.DataFrame(
        {"epoch": loss["epoch"], "mean": per_repeat.mean(axis=1), "min": per_repeat.min(axis=1),
         "max": per_repeat.max(axis=1)}
    )


def rmse_boxplot(rmse: pd.DataFrame, baselines: dict[str, float], path: Path) -> None:
    """The repeats' test RMSE as a box, each baseline in `baselines` as a horizontal line."""
    fig, ax = plt.subplots(figsize=(4, 5))
    ax.boxplot(rmse["test_rmse"], tick_labels=["LSTM"])
    for (name, value), style in zip(baselines.items(), ("--", ":", "-.")):
        ax.axhline(value, color="tab:red", linestyle=style, label=f"{name} {value:.3f}")
    ax.set_ylabel("test RMSE (original units)")
    ax.set_title(f"Test RMSE over {len(rmse)} repeats")
    ax.legend(loc="upper right")
    save_figure(fig, path)


def forecast_plot(forecasts: pd.DataFrame, path: Path) -> None:
    """The target's one-step-ahead (t+1) forecasts at every test point."""
    time = forecasts["time"]
    if not pd.api.types.is_numeric_dtype(time):  # dates; generated series number their steps
        time = pd.to_datetime(time)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(time, forecasts["actual"], marker="o", label="actual", color="black")
    ax.plot(time, forecasts["forecast_mean"], marker=".", label="LSTM (mean of repeats)")
    ax.fill_between(time, forecasts["forecast_min"], forecasts["forecast_max"], alpha=0.2,
                    label="LSTM (range of repeats)")
    ax.plot(time, forecasts["persistence"], linestyle="--", label="persistence")
    ax.set_title("Walk-forward forecasts (t+1) over the test period")
    ax.tick_params(axis="x", rotation=45)
    ax.legend()
    save_figure(fig, path)


def horizon_plot(horizon: pd.DataFrame, path: Path) -> None:
    """Test RMSE of the target at each forecast step t+h: the LSTMs' mean and range, and the baselines."""
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(horizon["horizon"], horizon["lstm_mean"], marker="o", label="LSTM (mean of repeats)")
    ax.fill_between(horizon["horizon"], horizon["lstm_min"], horizon["lstm_max"], alpha=0.2,
                    label="LSTM (range of repeats)")
    for name in horizon.columns.drop(["horizon", "lstm_mean", "lstm_min", "lstm_max"]):
        ax.plot(horizon["horizon"], horizon[name], linestyle="--", marker=".", label=name)
    ax.set_xlabel("forecast step t+h")
    ax.set_xticks(horizon["horizon"])
    ax.set_ylabel("test RMSE (original units)")
    ax.legend()
    save_figure(fig, path)


def origins_plot(origins: pd.DataFrame, path: Path) -> None:
    """RMSE of the ensemble and of every baseline at each origin; validation origins shaded."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for column in [c for c in origins.columns if c.endswith("_rmse")]:
        name = column.removesuffix("_rmse")
        ax.plot(origins["origin"], origins[column], marker="o" if name == "lstm" else ".",
                linestyle="-" if name == "lstm" else "--", label="LSTM (ensemble)" if name == "lstm" else name)
    val = origins.loc[origins["role"] == "val", "origin"]
    if len(val):
        ax.axvspan(val.min() - 0.5, val.max() + 0.5, color="tab:green", alpha=0.1, label="validation origins")
    ax.set_xlabel("origin")
    ax.set_ylabel("RMSE (original units)")
    ax.legend(fontsize="small")
    save_figure(fig, path)


def diagnostics_plot(per_repeat: pd.DataFrame, path: Path) -> None:
    """The seed's diagnostic: each repeat's train (blue) and test (orange) RMSE as training goes on."""
    fig, ax = plt.subplots(figsize=(7, 4))
    colors = {"train_rmse": "tab:blue", "val_rmse": "tab:green", "test_rmse": "tab:orange"}
    for _, run in per_repeat.groupby("repeat"):
        for column, color in colors.items():
            if run[column].notna().any():
                ax.plot(run["epoch"], run[column], color=color, alpha=0.35, linewidth=0.8)
    for column, color in colors.items():
        if per_repeat[column].notna().any():
            ax.plot([], [], color=color, label=column.removesuffix("_rmse"))
    ax.set_xlabel("epoch")
    ax.set_ylabel("walk-forward RMSE (original units)")
    ax.legend()
    save_figure(fig, path)


def loss_plot(summary: pd.DataFrame, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(summary["epoch"], summary["mean"], label="mean over repeats")
    ax.fill_between(summary["epoch"], summary["min"], summary["max"], alpha=0.2, label="range over repeats")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (scaled units)")
    ax.set_yscale("log")
    ax.legend()
    save_figure(fig, path)


def _score_rows(metrics: dict) -> list[str]:
    """Rows of the scores table: the LSTM's mean over repeats, its ensemble, and every baseline."""
    roles = [role for role in ("val", "test") if f"{role}_rmse" in metrics]
    forecasters = {
        "LSTM (mean of repeats)": {f"{role}_{name}": metrics[f"{role}_{name}"]["mean"]
                                   for role in roles for name in ("rmse", "mae", "mase")},
        "LSTM (ensemble: mean forecast)": {f"{role}_{name}": metrics[f"{role}_ensemble"][name]
                                           for role in roles for name in ("rmse", "mae", "mase")},
        **metrics["baselines"],
    }
    columns = [f"{role}_{name}" for role in roles for name in ("rmse", "mae", "mase")]
    return [
        "| forecaster | " + " | ".join(c.replace("_", " ").replace("val", "validation") for c in columns) + " |",
        "|---|" + "---|" * len(columns),
        *(f"| {name} | " + " | ".join(f"{scores[c]:.3f}" for c in columns) + " |"
          for name, scores in forecasters.items()),
    ]


def markdown(metrics: dict, params: dict, images: dict[str, str]) -> str:
    rmse = metrics["test_rmse"]
    best = metrics["best_baseline"]
    backtest, origins = params["backtest"], metrics["origins"]
    lines = [
        "# LSTM forecast report",
        "",
        f"Test RMSE over {int(rmse['count'])} repeats: **{rmse['mean']:.3f}** (std {rmse['std']:.3f}); "
        f"best baseline {best} **{metrics['baselines'][best]['test_rmse']:.3f}**; skill vs {best} "
        f"**{metrics['skill_vs_best_baseline']:.3f}**, vs persistence **{metrics['skill_vs_persistence']:.3f}**.",
        "",
        f"Backtest `{backtest['name']}`: {origins['val']} validation and {origins['test']} test origin(s), "
        f"{metrics['fits']} fit(s); the baselines are fit on the same rows as each fit of the LSTM and walked "
        "forward alike. MASE divides by each fit's in-sample mean absolute one-step change.",
        "",
        *([f"**{metrics['repeats_diverged']} repeats diverged** (NaN or inf loss) and are left out.", ""]
          if metrics.get("repeats_diverged") else []),
        *([f"During training the mean test RMSE was lowest at epoch {best['best_test_epoch']} "
           f"({best['best_test_rmse_mean']:.3f}); see the diagnostics plot.", ""]
          if (best := metrics.get("diagnostics", {})).get("best_test_epoch") else []),
        *_score_rows(metrics),
        "",
        "| statistic | test RMSE over repeats |",
        "|---|---|",
        *(f"| {name} | {value:.3f} |" for name, value in rmse.items()),
        "",
        "| output series | forecast step | LSTM test RMSE (mean of repeats) | persistence |",
        "|---|---|---|---|",
        *(f"| {series} | {step} | {scores['test_rmse_mean']:.3f} | {scores['persistence_rmse']:.3f} |"
          for series, per_step in metrics["per_series"].items()
          for step, scores in [("all", per_step), *((k, v) for k, v in per_step.items() if isinstance(v, dict))]),
        "",
        "## Parameters",
        "",
        "| param | value |",
        "|---|---|",
        *(f"| `{group}.{key}` | `{value}` |" for group, values in params.items() for key, value in values.items()),
        "",
    ]
    for title, image in images.items():
        lines += [f"## {title}", "", f"![{title}]({image})", ""]
    return "\n".join(lines)
