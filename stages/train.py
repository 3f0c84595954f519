"""Stage train: `train.repeats` independent models trained together; Keras models, loss and the forecasts
at every checkpoint (evaluate turns them into the diagnostics)."""

import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.errors import UserError, run_stage
from lstm_tuning.windows import trim_to_batches

log = logging.getLogger("train")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    windows = np.load(paths.WINDOWS)
    train_models = _train_stateful if cfg.model.name == "stateful_lstm" else _train_zoo
    trained, first_rows = train_models(cfg, windows)
    from lstm_tuning import training  # loaded by now

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
    with outputs.atomic_path(paths.CHECKPOINTS) as tmp:
        np.savez_compressed(tmp, epochs=trained.checkpoint_epochs, first_rows=first_rows,
                            forecasts=trained.checkpoint_forecasts.astype("float32"))
    training_epochs = cfg.train.repeats * cfg.train.epochs
    outputs.write_json(paths.TRAINING_TIME, {
        "train_seconds": round(trained.seconds, 3),
        "training_epochs_per_second": round(training_epochs / trained.seconds, 1),
    })
    log.info("trained %d training-epochs in %.2f s; final loss mean %.5f; wrote %s/, %s and %s",
             training_epochs, trained.seconds, np.nanmean(trained.loss[-1]), paths.MODELS, paths.TRAINING_LOSS,
             paths.CHECKPOINTS)


def _train_zoo(cfg: config.Config, windows):
    """The seed 004 models: windows [n_lags, inputs] -> [n_out, targets], shuffled batches as Keras fit."""
    from lstm_tuning import stateless_training, training  # after validation: TensorFlow takes seconds to load

    log.info("read %s: %d training windows %s -> %s; training %d repeats x %d epochs of model=%s, batch size %d",
             paths.WINDOWS, len(windows["X_train"]), windows["X_train"].shape[1:], windows["y_train"].shape[1:],
             cfg.train.repeats, cfg.train.epochs, cfg.model.name, cfg.train.batch_size)
    held = training.Held(windows["X_val"], windows["y_val"], windows["X_test"], windows["y_test"])
    first_rows = np.concatenate([windows[f"targets_{part}"] for part in ("train", "val", "test")])
    trained = stateless_training.train_stateless(cfg.model, cfg.train, windows["X_train"], windows["y_train"], held)
    return trained, first_rows


def _train_stateful(cfg: config.Config, windows):
    """The seed 002 model: one timestep of n_lags features, batches in order, state carried across them."""
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
    from lstm_tuning import training  # after validation: TensorFlow takes seconds to load and logs on import

    # [n, n_lags, 1 series] windows -> the seed's [n, n_lags features] rows and [n] targets
    lags, target = (lambda a: a[..., 0]), (lambda a: a[:, 0, 0])
    X, y = lags(windows["X_train"][dropped:]), target(windows["y_train"][dropped:])
    held = training.Held(lags(windows["X_val"]), target(windows["y_val"]), lags(windows["X_test"]),
                         target(windows["y_test"]))
    log.info("read %s: %d training rows; training %d repeats x %d epochs, batch size %d, %d units",
             paths.WINDOWS, len(X), cfg.train.repeats, cfg.train.epochs, cfg.train.batch_size, cfg.model.units)
    first_rows = np.concatenate([windows["targets_train"][dropped:], windows["targets_val"], windows["targets_test"]])
    return training.train(cfg.model, cfg.train, X, y, held), first_rows


if __name__ == "__main__":
    run_stage(main)
