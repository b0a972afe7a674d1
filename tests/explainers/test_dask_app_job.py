"""The app's "exact values of every row" job on a Dask cluster, against XGBoost itself."""

from __future__ import annotations

import numpy as np
import pytest

from explainers._dask.app_shap import shap_on_cluster

pytestmark = pytest.mark.timeout(300)


def test_every_rows_values_equal_pred_contribs_in_row_order(multiclass_run):
    """Check values, base values and margins of every row (multiclass, several partitions
    over two workers) against the booster's own pred_contribs, with progress by rows."""
    model, dataset = multiclass_run.model, multiclass_run.dataset
    reports: list[tuple[int, int]] = []
    result = shap_on_cluster(
        model,
        dataset.X,
        scheduler="local:2",
        row_ids=dataset.row_ids,
        device="cpu",
        progress=lambda done, total, stage: reports.append((done, total)),
        partition_rows=250,
    )
    n = len(dataset.y)
    reference = model.booster.predict(model.dmatrix(dataset.X), pred_contribs=True)
    margin = model.booster.predict(model.dmatrix(dataset.X), output_margin=True)
    np.testing.assert_allclose(result.values, reference[:, :, :-1], atol=1e-5)
    np.testing.assert_allclose(result.base_values, reference[:, :, -1], atol=1e-5)
    np.testing.assert_allclose(result.margin, margin, atol=1e-5)
    np.testing.assert_array_equal(result.row_ids, dataset.row_ids)
    assert result.backend == "xgboost-cpu" and result.device == "cpu"
    assert reports[0] == (0, n) and reports[-1] == (n, n)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def test_stop_cancels_the_cluster_job(binary_run):
    """Check that a progress callback that raises (the app's Stop) ends the job with it."""

    class Stopped(Exception):
        pass

    def stop(done: int, total: int, stage: str) -> None:
        if done > 0:
            raise Stopped

    with pytest.raises(Stopped):
        shap_on_cluster(
            binary_run.model,
            binary_run.dataset.X,
            scheduler="local:1",
            device="cpu",
            progress=stop,
            partition_rows=100,
        )
