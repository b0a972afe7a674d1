"""The survival task's baselines: a Cox proportional-hazards model, and one risk for all.

:func:`explainers._linear_baseline.linear_pipeline` ends in a Cox model for survival;
this module fits it on the model's training rows and scores a baseline's risk as the
XGBoost model is scored (see :func:`explainers._survival.metrics.evaluate_survival`, whose
functions it reuses): Harrell's C-index, the cumulative/dynamic AUC at the stated times,
and the integrated Brier score of survival curves from Breslow's baseline hazard on the
training rows. A constant risk (the trivial baseline) has a C-index of 0.5 and Breslow's
curve at a constant risk is the Nelson-Aalen estimate: the same curve for everyone.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sksurv.util import Surv

from ._dataset import Dataset
from ._errors import DataError
from ._survival.baseline import breslow_hazard
from ._survival.metrics import (
    _integrated_brier,
    _time_dependent_auc,
    harrell_c_index,
    stated_times,
)
from ._training import TrainedModel


def _outcome(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    time, event = dataset.time, dataset.event
    assert time is not None and event is not None  # a survival dataset has both
    return time, event


def fit_cox(
    pipeline: Pipeline, model: TrainedModel, dataset: Dataset, X_train: pd.DataFrame
) -> None:
    """Fit ``pipeline`` (ending in a Cox model) on ``X_train``, the model's training rows.

    Raises
    ------
    DataError
        ``cox_baseline_failed`` when scikit-survival's Newton-Raphson fit breaks down.
    """
    time, event = _outcome(dataset)
    train = model.train_index
    try:
        pipeline.fit(X_train, Surv.from_arrays(event[train], time[train]))
    except (ValueError, np.linalg.LinAlgError) as error:
        raise DataError(
            "The Cox baseline could not be fitted on the training rows. Check features that "
            "are nearly constant or separate the events perfectly.",
            code="cox_baseline_failed",
            detail=str(error).splitlines()[0][:200],
        ) from error


def survival_metrics(
    model: TrainedModel, dataset: Dataset, train_risk: np.ndarray, valid_risk: np.ndarray
) -> dict[str, float]:
    """``c_index``, ``mean_auc`` and ``integrated_brier`` of a baseline's linear risk.

    Parameters
    ----------
    model : TrainedModel
        The survival model whose split (``train_index``, ``valid_index``) is used.
    dataset : Dataset
        Its data (``time``, ``event``).
    train_risk, valid_risk : numpy.ndarray
        The baseline's log relative hazard of the training and the validation rows; the
        training rows' estimate Breslow's baseline hazard for the survival curves.

    Returns
    -------
    dict of str to float
        Keyed as the XGBoost model's survival metrics; NaN where undefined.
    """
    time, event = _outcome(dataset)
    train, valid = model.train_index, model.valid_index
    assert model.survival is not None  # a survival model has its fit
    reference = float(np.mean(train_risk))
    times, hazard = breslow_hazard(train_risk, time[train], event[train], reference=reference)
    fit = replace(
        model.survival,
        model="cox",
        reference_margin=reference,
        event_times=times,
        baseline_hazard=hazard,
    )
    train_target = Surv.from_arrays(event[train], time[train])
    test_target = Surv.from_arrays(event[valid], time[valid])
    auc_times = stated_times(time[valid], event[valid], time[train])
    _, mean_auc = _time_dependent_auc(train_target, test_target, valid_risk, auc_times)
    _, brier = _integrated_brier(fit, train_target, valid_risk, time[valid], event[valid])
    return {
        "c_index": harrell_c_index(time[valid], event[valid], valid_risk),
        "mean_auc": mean_auc,
        "integrated_brier": brier,
    }


def survival_baseline_metrics(
    model: TrainedModel, dataset: Dataset, linear_risk: np.ndarray
) -> dict[str, dict[str, float]]:
    """The ``trivial`` (one risk for all) and ``linear`` baselines' :func:`survival_metrics`.

    ``linear_risk`` is the Cox baseline's log relative hazard of every row of ``dataset``.
    """
    train, valid = model.train_index, model.valid_index
    return {
        "trivial": survival_metrics(model, dataset, np.zeros(len(train)), np.zeros(len(valid))),
        "linear": survival_metrics(model, dataset, linear_risk[train], linear_risk[valid]),
    }
