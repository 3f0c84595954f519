"""Stage train: `train.repeats` independent models trained together; the Keras models, the loss, and every
window's forecasts at every checkpoint (evaluate scores them; it loads no model)."""

import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.errors import UserError, run_stage

log = logging.getLogger("train")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    windows = dict(np.load(paths.WINDOWS))
    from lstm_tuning import training  # after the checks: TensorFlow takes seconds to load

    log.info("read %s: %d training windows %s -> %s; training %d repeats x %d epochs of model=%s, batch size %d",
             paths.WINDOWS, len(windows["X_train"]), windows["X_train"].shape[1:], windows["y_train"].shape[1:],
             cfg.train.repeats, cfg.train.epochs, cfg.model.name, cfg.train.batch_size)
    trained = training.train(cfg.model, cfg.train, windows, source=str(paths.WINDOWS))
    diverged = np.flatnonzero(trained.diverged)
    if len(diverged) == cfg.train.repeats:
        raise UserError(
            f"all {cfg.train.repeats} repeats diverged (training loss became NaN or inf); lower "
            f"model.learning_rate={cfg.model.learning_rate} or change model.optimizer={cfg.model.optimizer}"
        )
    if len(diverged):
        log.warning("repeats %s diverged (training loss became NaN or inf): stopped, not saved, and counted "
                    "as failed in the metrics", ", ".join(map(str, diverged)))

    with outputs.atomic_dir(paths.MODELS) as tmp:
        for repeat, model in enumerate(trained.models):
            if not trained.diverged[repeat]:
                model.save(tmp / paths.model_file(repeat))
    outputs.write_csv(paths.REPEATS, pd.DataFrame({
        "repeat": np.arange(cfg.train.repeats),
        "seed": training.member_seeds(cfg.train.seed, cfg.train.repeats),
        "diverged": trained.diverged,
        "best_epoch": trained.best_epoch,
        "final_epoch": trained.final_epoch,  # the epoch whose weights it keeps and evaluate scores
    }))
    loss = pd.DataFrame(trained.loss, columns=[f"repeat_{r:03d}" for r in range(cfg.train.repeats)])
    loss.insert(0, "epoch", np.arange(1, cfg.train.epochs + 1))
    outputs.write_csv(paths.TRAINING_LOSS, loss)
    with outputs.atomic_path(paths.CHECKPOINTS) as tmp:
        np.savez_compressed(tmp, epochs=trained.checkpoint_epochs, first_rows=trained.first_rows,
                            forecasts=trained.checkpoint_forecasts.astype("float32"),
                            final=trained.forecasts.astype("float32"))
    training_epochs = cfg.train.repeats * cfg.train.epochs
    outputs.write_json(paths.TRAINING_TIME, {
        "train_seconds": round(trained.seconds, 3),
        "training_epochs_per_second": round(training_epochs / trained.seconds, 1),
    })
    log.info("trained %d training-epochs in %.2f s; final loss mean %.5f; wrote %s/, %s, %s and %s",
             training_epochs, trained.seconds, np.nanmean(trained.loss[-1]), paths.MODELS, paths.REPEATS,
             paths.TRAINING_LOSS, paths.CHECKPOINTS)


if __name__ == "__main__":
    run_stage(main)
