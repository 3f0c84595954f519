"""Stage transform: lag differencing and [-1, 1] scaling fit on the training part only."""

import logging

import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.errors import UserError, run_stage
from lstm_tuning.transforms import Scaling, difference

log = logging.getLogger("transform")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides).data
    series = pd.read_csv(paths.SERIES)
    diffs = difference(series["value"].to_numpy(), cfg.diff_interval)
    # Differences dated before the validation and test periods: the only data the scaler may see.
    fit_end = len(series) - cfg.val_size - cfg.test_size
    fit_diffs = diffs[cfg.diff_interval:fit_end]
    if len(fit_diffs) < 2:
        raise UserError(
            f"{paths.SERIES}: {len(series)} rows leave {max(len(fit_diffs), 0)} differenced training values "
            f"with data.diff_interval={cfg.diff_interval}, data.val_size={cfg.val_size} and "
            f"data.test_size={cfg.test_size}; the series needs at least diff_interval + n_lags + val_size + "
            "test_size + batch_size rows: lengthen it or shrink those params"
        )
    scaling = Scaling.fit(fit_diffs)
    series["diff"] = diffs
    series["scaled"] = scaling.transform(diffs)
    series["part"] = ["train"] * fit_end + ["val"] * cfg.val_size + ["test"] * cfg.test_size
    outputs.write_csv(paths.TRANSFORMED, series)
    outputs.write_json(paths.SCALING, {"diff_interval": cfg.diff_interval, **scaling.to_dict()})
    log.info("read %s; scaler fit on %d training differences in [%.1f, %.1f]; wrote %s and %s",
             paths.SERIES, len(fit_diffs), scaling.data_min, scaling.data_max, paths.TRANSFORMED, paths.SCALING)


if __name__ == "__main__":
    run_stage(main)
