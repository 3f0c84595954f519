"""Stage report: the box plot, forecast and loss plots, and a Markdown report for pull requests."""

import json
import logging

import pandas as pd

from lstm_tuning import config, paths
from lstm_tuning.errors import run_stage
from lstm_tuning.outputs import atomic_dir
from lstm_tuning.reports import run_report

log = logging.getLogger("report")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    if cfg.data.id_column:
        with atomic_dir(paths.REPORT_DIR) as out:
            run_report.write_panel(out, config.as_dict(cfg), json.loads(paths.METRICS.read_text()),
                                   json.loads(paths.DETAILS.read_text()),
                                   pd.read_csv(paths.SERIES_SCORES, dtype={"series": str}),
                                   pd.read_csv(paths.TRAINING_LOSS))
        log.info("read %s, %s, %s and %s; wrote %s/report.md and its plots", paths.METRICS, paths.DETAILS,
                 paths.SERIES_SCORES, paths.TRAINING_LOSS, paths.REPORT_DIR)
        return
    with atomic_dir(paths.REPORT_DIR) as out:
        run_report.write(out, config.as_dict(cfg), json.loads(paths.METRICS.read_text()),
                         json.loads(paths.DETAILS.read_text()), pd.read_csv(paths.RMSE),
                         pd.read_csv(paths.ORIGIN_SCORES), pd.read_csv(paths.FORECASTS), pd.read_csv(paths.HORIZON),
                         pd.read_csv(paths.DIAGNOSTICS), pd.read_csv(paths.TRAINING_LOSS))
    log.info("read %s, %s, %s, %s, %s, %s, %s and %s; wrote %s/report.md and its plots", paths.METRICS, paths.DETAILS,
             paths.RMSE,
             paths.ORIGIN_SCORES, paths.FORECASTS, paths.HORIZON, paths.DIAGNOSTICS, paths.TRAINING_LOSS,
             paths.REPORT_DIR)


if __name__ == "__main__":
    run_stage(main)
