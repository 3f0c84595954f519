"""Stage ingest: read the series named by `data.source` (a CSV, a packaged dataset or a generated toy)."""

import logging

from lstm_tuning import config, outputs, paths
from lstm_tuning.data import sources, timeline
from lstm_tuning.errors import run_stage

log = logging.getLogger("ingest")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides).data
    series = sources.load(cfg)
    outputs.write_csv(paths.SERIES, series.reset_index())
    origin = cfg.path if cfg.source == "csv" else f"data.source={cfg.source}"
    timeline.frequency(series.index, cfg.frequency, origin, warn=True)
    log.info("read %s: %d rows of %s from %s to %s; wrote %s", origin, len(series), ", ".join(series.columns),
             timeline.label(series.index, 0), timeline.label(series.index, -1), paths.SERIES)


if __name__ == "__main__":
    run_stage(main)
