"""Stage ingest: read the series named by `data.source` (a CSV, a packaged dataset or a generated toy); a
panel (`data.id_column` set) is written long, one block of rows per series."""

import logging

import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.data import calendar, sources, timeline
from lstm_tuning.errors import run_stage

log = logging.getLogger("ingest")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides).data
    series = sources.load(cfg)
    origin = cfg.path if cfg.source == "csv" else f"data.source={cfg.source}"
    if cfg.id_column is not None:
        write_panel(series, cfg, origin)
        return
    if cfg.calendar:  # before writing: the dates must tell the calendar inputs apart
        calendar.offset(series.index, cfg.frequency, cfg.calendar, origin)
    outputs.write_csv(paths.SERIES, series.reset_index())
    timeline.frequency(series.index, cfg.frequency, origin, warn=True)
    log.info("read %s: %d rows of %s from %s to %s; wrote %s", origin, len(series), ", ".join(series.columns),
             timeline.label(series.index, 0), timeline.label(series.index, -1), paths.SERIES)


def write_panel(panel: pd.DataFrame, cfg, origin: str) -> None:
    id_column, time = panel.columns[:2]
    times = {series: pd.Index(rows[time]) for series, rows in panel.groupby(id_column, sort=False)}
    if cfg.calendar:  # the longest series' dates (the panel's frequency) must tell the calendar inputs apart
        calendar.offset(max(times.values(), key=len), cfg.frequency, cfg.calendar, origin)
    outputs.write_csv(paths.SERIES, panel)
    step = timeline.panel_frequency(times, cfg.frequency, origin)
    lengths = pd.Series({series: len(index) for series, index in times.items()})
    span = pd.Index([panel[time].min(), panel[time].max()])
    log.info("read %s: %d series, %d rows of %s; shortest %s (%d rows), longest %s (%d rows); %s %s to %s, step %s; "
             "wrote %s", origin, len(times), len(panel), ", ".join(panel.columns[2:]), lengths.idxmin(), lengths.min(),
             lengths.idxmax(), lengths.max(), time, timeline.label(span, 0), timeline.label(span, 1), step,
             paths.SERIES)


if __name__ == "__main__":
    run_stage(main)
