"""The final models and all they need to forecast: saved by the forecast stage as the `models` artifact and
read back by `lstm_tuning.load("models")`, whose `forecast(series, horizon=12)` continues any series that
has the training series' columns (a frame indexed by time, or a CSV like the one trained on).

The directory holds one Keras file per repeat (the train stage's, of the final fit on every row), `params.yaml`
(the configuration trained) and `forecaster.json` (the scalers, fit on every training row, and the intervals'
half-widths per step).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lstm_tuning import config, paths
from lstm_tuning.data import framings, timeline, transforms
from lstm_tuning.data.csv import read_series
from lstm_tuning.data.specs import TOO_SHORT_FIX
from lstm_tuning.errors import UserError

PARAMS_FILE = "params.yaml"
SPEC_FILE = "forecaster.json"


@dataclass
class Forecaster:
    cfg: config.Config
    model: object  # a Keras model of the architecture: the layout of `weights`
    weights: list[np.ndarray]  # per trainable variable, [repeats, ...]: every repeat kept, stacked
    repeats: list[int]  # which repeat each is
    transforms: dict[str, transforms.SeriesTransform]  # per series, fit on every training row
    half_widths: dict[float, np.ndarray]  # interval level (percent) -> [steps, targets]; NaN: not calibrated

    def forecast(self, series: pd.DataFrame | str | Path, horizon: int | None = None) -> pd.DataFrame:
        """The next `horizon` steps (default forecast.horizon) after the end of `series`, one row per step and
        output series: time, step, series, forecast (the repeats' mean) and lower_<level> / upper_<level>."""
        from lstm_tuning import training  # TensorFlow: only when forecasting

        horizon = horizon or self.cfg.forecast.horizon
        frame, source = self._read(series)
        inputs, targets = framings.series_roles(self.cfg.task, self.cfg.data)
        if not framings.TASKS[self.cfg.task.name].recursive:
            raise UserError(f"{source}: task={self.cfg.task.name} forecasts {self.cfg.data.target} from the covariates "
                            "of the same steps, whose values past the end are unknown; forecast with a framing whose "
                            "inputs include the target (univariate, multiple_parallel...)")
        scaled = transforms.apply(frame, self.transforms, source)
        n_lags = self.cfg.data.n_lags
        latest = scaled[inputs].to_numpy(float)[-n_lags:]
        if not np.isfinite(latest).all() or len(latest) < n_lags:
            raise UserError(f"{source}: {len(frame)} rows are too few to forecast from: data.n_lags={n_lags} values "
                            f"after differencing are needed; {TOO_SHORT_FIX}")
        latest, known = framings.latest_with_calendar(latest, frame.index, self.cfg.task, self.cfg.data, horizon,
                                                      source)
        try:
            history = framings.frame(scaled, self.cfg.task, self.cfg.data, source).X
        except ValueError:  # too short for a whole window with its targets: the latest lags alone
            history = np.zeros((0, *latest.shape), "float32")
        X = np.concatenate([history, latest[None].astype("float32")])
        train = np.arange(len(X)) < len(history)  # a stateful model builds its state over the whole series
        ahead = training.forecast_ahead([self.model], X, train, np.array([len(history)]), horizon, self.weights,
                                        None if known is None else known[None])
        levels = transforms.to_original_units(ahead, np.array([len(frame)]), [self.transforms[n] for n in targets],
                                              frame[targets].to_numpy(float))[:, 0]  # [repeats, steps, targets]
        times = timeline.after(frame.index, self.cfg.data.frequency, horizon, source)
        return forecast_frame(times, targets, levels.mean(axis=0), self.half_widths)

    def _read(self, series) -> tuple[pd.DataFrame, str]:
        names = [*self.cfg.data.covariates, self.cfg.data.target]
        if isinstance(series, pd.DataFrame):
            missing = [name for name in names if name not in series.columns]
            if missing:
                raise UserError(f"series: no column {missing[0]!r}; the models forecast from {', '.join(names)}")
            return series[names].astype(float), "series"
        data = self.cfg.data
        if hasattr(data, "date_column"):
            return read_series(series, data.date_column, names, data.date_format, data.fill, data.where), str(series)
        return timeline.read(series)[names], str(series)

    def save(self, directory: Path, models: Path) -> None:
        """Into `directory`: the repeats' Keras files, copied as they are from `models` (the train stage's),
        and what forecasting needs besides."""
        for repeat in self.repeats:
            shutil.copyfile(models / paths.model_file(repeat), directory / paths.model_file(repeat))
        (directory / PARAMS_FILE).write_text(yaml.safe_dump(config.as_dict(self.cfg), sort_keys=False))
        (directory / SPEC_FILE).write_text(json.dumps({
            "repeats": self.repeats,
            "transforms": transforms.write_fits([self.transforms])[0],
            "half_widths": {f"{level:g}": np.where(np.isfinite(w), w, None).tolist()
                            for level, w in self.half_widths.items()},
        }, indent=2) + "\n")


def forecast_frame(times: pd.Index, targets: list[str], point: np.ndarray,
                   half_widths: dict[float, np.ndarray]) -> pd.DataFrame:
    """Rows per step and series: the point forecast [steps, targets] and its bounds at every level."""
    steps = len(times)
    frames = []
    for j, name in enumerate(targets):
        frame = pd.DataFrame({"time": times, "step": np.arange(1, steps + 1), "series": name,
                              "forecast": point[:, j]})
        for level, widths in half_widths.items():
            width = np.full(steps, np.nan)
            known = min(steps, len(widths))
            width[:known] = widths[:known, j]
            frame[f"lower_{level:g}"] = point[:, j] - width
            frame[f"upper_{level:g}"] = point[:, j] + width
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def load(directory: str | Path = "models") -> Forecaster:
    """The forecaster the forecast stage saved in `directory` (the `models` artifact)."""
    from lstm_tuning.training.backend import keras  # TensorFlow: only when loading
    from lstm_tuning.training.core import stack_weights

    directory = Path(directory)
    if not (directory / SPEC_FILE).is_file():
        raise UserError(f"{directory}: no {SPEC_FILE}; point lstm_tuning.load at the forecast stage's models/ "
                        "(`dvc repro forecast`, or `dvc artifacts get <repo> forecaster`)")
    spec = json.loads((directory / SPEC_FILE).read_text())
    cfg = config.load(params_file=directory / PARAMS_FILE)
    models = [keras.saving.load_model(directory / paths.model_file(r)) for r in spec["repeats"]]
    if spec.get("scope") == "panel":  # a panel's global model: forecasts a long frame of many series
        from lstm_tuning.forecasting.panel import PanelForecaster

        return PanelForecaster.from_spec(cfg, models, stack_weights(models), spec, directory)
    return Forecaster(
        cfg=cfg,
        model=models[0],
        weights=stack_weights(models),
        repeats=spec["repeats"],
        transforms=transforms.read_fits([spec["transforms"]])[0],
        half_widths={float(level): np.array(w, float) for level, w in spec["half_widths"].items()},
    )
