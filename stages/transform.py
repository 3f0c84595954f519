"""Stage transform: the backtest's fits and origins; per fit and series, log or Box-Cox, differencing at each
lag in turn (unless opted out) and [-1, 1] scaling, fit on that fit's training rows only."""

import logging

import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.data import backtest, panel, transforms
from lstm_tuning.errors import run_stage

log = logging.getLogger("transform")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    if cfg.data.id_column is not None:  # a panel: every series on its own rows
        return panel.transform_stage(cfg, log)
    series = pd.read_csv(paths.SERIES, index_col=0)
    plan = backtest.plan(cfg.backtest, len(series), cfg.data.val_size, cfg.data.test_size, str(paths.SERIES))
    plan = plan.with_final_fit(len(series))  # the forecast stage's models, trained with the backtest's fits
    scaled, fitted = transforms.transform(series, cfg.data, plan, str(paths.SERIES))
    outputs.write_csv(paths.ORIGINS, plan.to_frame(series.index))
    outputs.write_csv(paths.TRANSFORMED, scaled.reset_index())
    outputs.write_json(paths.SCALING, transforms.write_fits(fitted))
    for name, t in fitted[-1].items():
        log.info("%s: %s", name, t.describe())
    roles = plan.counts()
    log.info("backtest=%s: %d validation and %d test origins, %d fit(s), each scaler (and Box-Cox lambda) fit on its "
             "fit's training rows; read %s; wrote %s, %s and %s", cfg.backtest.name, roles["val"], roles["test"],
             len(plan.fits), paths.SERIES, paths.ORIGINS, paths.TRANSFORMED, paths.SCALING)


if __name__ == "__main__":
    run_stage(main)
