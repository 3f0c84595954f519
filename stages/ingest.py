"""Stage ingest: validate the CSV named by `data.path` and write the clean series."""

import logging

from lstm_tuning import config, data, outputs, paths
from lstm_tuning.errors import UserError, run_stage

log = logging.getLogger("ingest")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides).data
    if cfg.source != "csv":
        raise UserError(f"params.yaml: data={cfg.name} (data.source={cfg.source}) is not wired into the pipeline "
                        "stages yet; its loader is lstm_tuning.datasets (README, 'Model zoo'); use a CSV source")
    series = data.load_series(cfg.path, cfg.date_column, cfg.target, cfg.date_format, cfg.fill)
    log.info("read %s: %d rows of %r from %s to %s", cfg.path, len(series), cfg.target,
             series.index[0].date(), series.index[-1].date())
    outputs.write_csv(paths.SERIES, series.rename("value").reset_index())
    log.info("wrote %s", paths.SERIES)


if __name__ == "__main__":
    run_stage(main)
