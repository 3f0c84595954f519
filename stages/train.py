"""Stage train: `train.repeats` independent models trained together; Keras models, loss and diagnostics."""

import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.errors import UserError, run_stage
from lstm_tuning.windows import trim_to_batches

log = logging.getLogger("train")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    if cfg.model.name != "stateful_lstm":
        raise UserError(f"params.yaml: model={cfg.model.name} is not wired into the pipeline stages yet; it trains "
                        "with lstm_tuning.stateless_training (README, 'Model zoo'); use model=stateful_lstm")
    windows = np.load(paths.WINDOWS)
    if len(windows["X_train"]) < cfg.train.batch_size:
        raise UserError(
            f"{paths.WINDOWS}: {len(windows['X_train'])} training samples are fewer than "
            f"train.batch_size={cfg.train.batch_size}; the series needs at least diff_interval + n_lags + "
            "val_size + test_size + batch_size rows: lengthen it or shrink those params"
        )
    if cfg.train.early_stopping and not len(windows["X_val"]):
        raise UserError(
            f"{paths.WINDOWS}: train.early_stopping={cfg.train.early_stopping} needs a validation window: "
            "set data.val_size >= 1 (early stopping never looks at the test period)"
        )
    dropped = trim_to_batches(len(windows["X_train"]), cfg.train.batch_size)
    X, y = windows["X_train"][dropped:], windows["y_train"][dropped:]
    from lstm_tuning import training  # after validation: TensorFlow takes seconds to load and logs on import

    held = training.Held(windows["X_val"], windows["y_val"], windows["X_test"], windows["y_test"])
    log.info("read %s: %d training rows; training %d repeats x %d epochs, batch size %d, %d units",
             paths.WINDOWS, len(X), cfg.train.repeats, cfg.train.epochs, cfg.train.batch_size, cfg.model.units)
    trained = training.train(cfg.model, cfg.train, X, y, held)
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
        pd.DataFrame({
            "repeat": np.arange(cfg.train.repeats),
            "seed": training.member_seeds(cfg.train.seed, cfg.train.repeats),
            "diverged": trained.diverged,
            "best_epoch": trained.best_epoch,
        }).to_csv(tmp / paths.REPEATS.name, index=False)

    loss = pd.DataFrame(trained.loss, columns=[f"repeat_{r:03d}" for r in range(cfg.train.repeats)])
    loss.insert(0, "epoch", np.arange(1, cfg.train.epochs + 1))
    outputs.write_csv(paths.TRAINING_LOSS, loss)
    checkpoints = pd.DataFrame({
        "epoch": np.repeat(trained.checkpoint_epochs, cfg.train.repeats),
        "repeat": np.tile(np.arange(cfg.train.repeats), len(trained.checkpoint_epochs)),
        **{f"{segment}_mse": trained.checkpoint_mse[:, :, i].ravel() for i, segment in enumerate(training.SEGMENTS)},
    })
    outputs.write_csv(paths.CHECKPOINTS, checkpoints)
    training_epochs = cfg.train.repeats * cfg.train.epochs
    outputs.write_json(paths.TRAINING_TIME, {
        "train_seconds": round(trained.seconds, 3),
        "training_epochs_per_second": round(training_epochs / trained.seconds, 1),
    })
    log.info("trained %d training-epochs in %.2f s; final loss mean %.5f; wrote %s/, %s and %s",
             training_epochs, trained.seconds, np.nanmean(trained.loss[-1]), paths.MODELS, paths.TRAINING_LOSS,
             paths.CHECKPOINTS)


if __name__ == "__main__":
    run_stage(main)
