"""Stage report: the box plot, forecast and loss plots, and a Markdown report for pull requests."""

import json
import logging

import pandas as pd

from lstm_tuning import config, paths, reporting
from lstm_tuning.errors import run_stage
from lstm_tuning.outputs import atomic_dir

log = logging.getLogger("report")

IMAGES = {
    "Test RMSE per repeat": "rmse_boxplot.png",
    "Forecasts over the test period": "forecast.png",
    "Test RMSE per forecast step": "horizon.png",
    "Training loss per epoch": "training_loss.png",
    "Walk-forward RMSE during training, per repeat": "diagnostics.png",
}


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    metrics = json.loads(paths.METRICS.read_text())
    rmse = pd.read_csv(paths.RMSE)
    forecasts = pd.read_csv(paths.FORECASTS)
    loss = reporting.loss_summary(pd.read_csv(paths.TRAINING_LOSS))
    with atomic_dir(paths.REPORT_DIR) as out:
        loss.to_csv(out / "training_loss.csv", index=False)
        best = metrics["best_baseline"]
        lines = {name: metrics["baselines"][f"{name}_rmse"] for name in dict.fromkeys(["persistence", best])}
        reporting.rmse_boxplot(rmse, lines, out / IMAGES["Test RMSE per repeat"])
        reporting.forecast_plot(forecasts, out / IMAGES["Forecasts over the test period"])
        reporting.horizon_plot(pd.read_csv(paths.HORIZON), out / IMAGES["Test RMSE per forecast step"])
        reporting.loss_plot(loss, out / IMAGES["Training loss per epoch"])
        reporting.diagnostics_plot(pd.read_csv(paths.DIAGNOSTICS),
                                   out / IMAGES["Walk-forward RMSE during training, per repeat"])
        (out / "report.md").write_text(reporting.markdown(metrics, config.as_dict(cfg), IMAGES))
    log.info("read %s, %s, %s, %s, %s and %s; wrote %s/report.md and %d plots", paths.METRICS, paths.RMSE,
             paths.FORECASTS, paths.HORIZON, paths.DIAGNOSTICS, paths.TRAINING_LOSS, paths.REPORT_DIR, len(IMAGES))


if __name__ == "__main__":
    run_stage(main)
