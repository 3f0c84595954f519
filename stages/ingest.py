"""Stage ingest: validate the CSV named by `data.path` and write the clean series."""

import logging

from lstm_tuning import config, data, outputs, paths
from lstm_tuning.errors import run_stage

log = logging.getLogger("ingest")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides).data
    series = data.load_series(cfg.path, cfg.date_column, cfg.target, cfg.date_format, cfg.fill)
    log.info("read %s: %d rows of %r from %s to %s", cfg.path, len(series), cfg.target,
             series.index[0].date(), series.index[-1].date())
    outputs.write_csv(paths.SERIES, series.rename("value").reset_index())
    log.info("wrote %s", paths.SERIES)


if __name__ == "__main__":
    run_stage(main)
