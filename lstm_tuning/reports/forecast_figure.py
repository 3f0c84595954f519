"""The forecast past the end of the data: history, the forecast and its bands, and the best baseline's
forecast beside it, one panel per output series."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only; stages run without a display
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def forecast_figure(history: pd.DataFrame, forecast: pd.DataFrame, levels: list[float],
                    baseline: pd.DataFrame | None = None):
    names = list(dict.fromkeys(forecast["series"])) or [history.columns[-1]]
    fig, axes = plt.subplots(len(names), 1, figsize=(8, 3.2 * len(names)), squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        ax.plot(history.index, history[name], color="black", label="history")
        ahead = forecast[forecast["series"] == name]
        if ahead.empty:  # a framing that cannot forecast past the end: the history alone
            continue
        for level, alpha in zip(sorted(levels, reverse=True), (0.18, 0.32, 0.45, 0.55)):
            ax.fill_between(ahead["time"], ahead[f"lower_{level:g}"], ahead[f"upper_{level:g}"], color="tab:blue",
                            alpha=alpha, linewidth=0, label=f"{level:g}% interval")
        ax.plot(ahead["time"], ahead["forecast"], color="tab:blue", marker=".", label="forecast (mean of repeats)")
        best = baseline[baseline["series"] == name] if baseline is not None else []
        if len(best):
            ax.plot(best["time"], best["forecast"], color="tab:red", linestyle="--", marker=".",
                    label=f"best baseline ({best['baseline'].iloc[0]})")
        ax.set_ylabel(name)
        ax.legend(loc="upper left", fontsize="small")
    steps = len(forecast) // len(names)
    axes[0, 0].set_title(f"Forecast of the {steps} steps past the end" if steps else "No forecast past the end")
    fig.autofmt_xdate()
    return fig
