"""Stage transform: per series, lag differencing (unless opted out) and [-1, 1] scaling fit on the
training rows only."""

import logging

import pandas as pd

from lstm_tuning import config, outputs, paths, per_series_transforms
from lstm_tuning.errors import UserError, run_stage

log = logging.getLogger("transform")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides).data
    series = pd.read_csv(paths.SERIES, index_col=0)
    # Rows dated before the validation and test periods: the only data a scaler may see.
    fit_rows = len(series) - cfg.val_size - cfg.test_size
    usable = fit_rows - cfg.diff_interval * any(name not in cfg.undifferenced for name in series.columns)
    if usable < 2:
        raise UserError(
            f"{paths.SERIES}: {len(series)} rows leave {max(usable, 0)} training values to fit the scalers on "
            f"with data.diff_interval={cfg.diff_interval}, data.val_size={cfg.val_size} and "
            f"data.test_size={cfg.test_size}; the series needs at least diff_interval + n_lags + val_size + "
            "test_size + batch_size rows: lengthen it or shrink those params"
        )
    scaled, transforms = per_series_transforms.fit_transform(series, cfg.diff_interval, cfg.undifferenced, fit_rows)
    scaled["part"] = ["train"] * fit_rows + ["val"] * cfg.val_size + ["test"] * cfg.test_size
    outputs.write_csv(paths.TRANSFORMED, scaled.reset_index())
    outputs.write_json(paths.SCALING, {name: t.to_dict() for name, t in transforms.items()})
    for name, t in transforms.items():
        log.info("%s: %s, scaler fit on %d training rows in [%.4g, %.4g]", name,
                 f"differenced at lag {t.diff_interval}" if t.diff_interval else "not differenced",
                 fit_rows - t.diff_interval, t.scaling.data_min, t.scaling.data_max)
    log.info("read %s; wrote %s and %s", paths.SERIES, paths.TRANSFORMED, paths.SCALING)


if __name__ == "__main__":
    run_stage(main)
