"""Stage train: `train.repeats` independent models for every fit of the plan, the backtest's and the final fit
on every row, trained together; the loss, every window's forecasts at every checkpoint (evaluate scores them;
it loads no model), and every fit's weights: stacked for the backtest's (the forecast stage's intervals), and
the final fit's also as one Keras file per repeat (the models the forecast stage forecasts and publishes)."""

import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.errors import run_stage
from lstm_tuning.search import pruning

log = logging.getLogger("train")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    windows = dict(np.load(paths.WINDOWS))
    from lstm_tuning import training  # after the checks: TensorFlow takes seconds to load

    fits, repeats = windows["train"].shape[0], cfg.train.repeats
    log.info("read %s: %d windows %s -> %s; training %d fit(s) x %d repeats x %d epochs of model=%s, batch size %d",
             paths.WINDOWS, len(windows["first_rows"]), windows["X"].shape[2:], windows["y"].shape[2:], fits,
             repeats, cfg.train.epochs, cfg.model.name, cfg.train.batch_size)
    # inside a search (`lstm-tuning search`), the trial's checkpoints are reported so a hopeless one is pruned
    trained = training.train(cfg.model, cfg.train, windows, source=str(paths.WINDOWS),
                             on_checkpoint=pruning.reporter(windows))
    final = windows["final"]
    if trained.series_diverged is not None:  # local models: a member is left out of its own series only
        training.check_members(trained.series_diverged, final, windows["ids"], cfg.model)
    # evaluate scores the repeats that diverged in no backtest fit; the forecast averages the final fit's others
    diverged = np.setdiff1d(np.arange(repeats), training.kept_repeats(trained.diverged[~final], cfg.model))
    if len(diverged):
        log.warning("repeats %s diverged (training loss became NaN or inf) in at least one fit of the backtest: "
                    "stopped, and counted as failed in the metrics", ", ".join(map(str, diverged)))
    if final.any():
        diverged = np.setdiff1d(np.arange(repeats), training.kept_repeats(trained.diverged[final], cfg.model))
        if len(diverged):
            log.warning("repeats %s diverged in the final fit (on every row): stopped and not saved; the forecast "
                        "is the mean of the others", ", ".join(map(str, diverged)))

    fit, repeat = (index.ravel() for index in np.indices((fits, repeats)))
    outputs.write_csv(paths.REPEATS, pd.DataFrame({
        "fit": fit,
        "repeat": repeat,
        "seed": np.tile(training.member_seeds(cfg.train.seed, repeats), fits),
        "diverged": trained.diverged.ravel(),
        "best_epoch": trained.best_epoch.ravel(),
        "final_epoch": trained.final_epoch.ravel(),  # the epoch whose weights it keeps and evaluate scores
        # local models: in how many series the repeat's member diverged (`diverged`: in every series)
        **({} if trained.series_diverged is None else {"diverged_series": trained.series_diverged.sum(axis=1).ravel()}),
    }))
    # the loss of the last backtest fit's repeats (trained on the most recent rows before the held-out ones)
    last_backtest = int(np.flatnonzero(~windows["final"])[-1])
    loss = pd.DataFrame(trained.loss[:, last_backtest], columns=[f"repeat_{r:03d}" for r in range(repeats)])
    loss.insert(0, "epoch", np.arange(1, cfg.train.epochs + 1))
    outputs.write_csv(paths.TRAINING_LOSS, loss)
    with outputs.atomic_path(paths.CHECKPOINTS) as tmp:
        np.savez_compressed(tmp, epochs=trained.checkpoint_epochs, first_rows=windows["first_rows"],
                            forecasts=trained.checkpoint_forecasts.astype("float32"),
                            final=trained.forecasts.astype("float32"),
                            **({} if trained.series_diverged is None else {"series_diverged": trained.series_diverged}))
    with outputs.atomic_path(paths.FIT_WEIGHTS) as weights, outputs.atomic_dir(paths.FINAL_MODELS) as models:
        training.save_fits(trained, windows["final"], weights, models)
    # a member's epoch each: local models have one member per (series, fit, repeat)
    members = fits * repeats if trained.series_diverged is None else trained.series_diverged.size
    training_epochs = members * cfg.train.epochs
    outputs.write_json(paths.TRAINING_TIME, {
        "train_seconds": round(trained.seconds, 3),
        "training_epochs_per_second": round(training_epochs / trained.seconds, 1),
    })
    log.info("trained %d training-epochs in %.2f s; final loss mean %.5f; wrote %s, %s, %s, %s and %s/",
             training_epochs, trained.seconds, np.nanmean(trained.loss[-1]), paths.REPEATS,
             paths.TRAINING_LOSS, paths.CHECKPOINTS, paths.FIT_WEIGHTS, paths.FINAL_MODELS)


if __name__ == "__main__":
    run_stage(main)
