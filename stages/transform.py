"""Stage transform: per series, lag differencing (unless opted out) and [-1, 1] scaling fit on the
training rows only."""

import logging

import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.data import transforms
from lstm_tuning.errors import run_stage

log = logging.getLogger("transform")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides).data
    series = pd.read_csv(paths.SERIES, index_col=0)
    scaled, fitted = transforms.transform(series, cfg, str(paths.SERIES))
    outputs.write_csv(paths.TRANSFORMED, scaled.reset_index())
    outputs.write_json(paths.SCALING, {name: t.to_dict() for name, t in fitted.items()})
    for name, t in fitted.items():
        log.info("%s: %s, scaler fit on the training rows in [%.4g, %.4g]", name,
                 f"differenced at lag {t.diff_interval}" if t.diff_interval else "not differenced",
                 t.scaling.data_min, t.scaling.data_max)
    log.info("read %s; wrote %s and %s", paths.SERIES, paths.TRANSFORMED, paths.SCALING)


if __name__ == "__main__":
    run_stage(main)
