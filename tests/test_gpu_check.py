"""The prepared GPU check (``benchmarks/gpu_check.py``), run here with the CPU on both sides."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import xgboost as xgb

from benchmarks import gpu_check
from benchmarks.synthetic import synthetic_arrays

_TINY = ["--sizes", "300", "--interaction-rows", "80", "--train-rows", "400", "--trees", "8"]
_TINY += ["--depth", "3", "--repeats", "1"]


def test_the_check_writes_rates_and_agreement_against_xgboost(tmp_path):
    """Check that a run records each size's rates, that the same values on both sides agree
    exactly, and that its additivity error is that of XGBoost's own contributions."""
    assert gpu_check.main(["--device", "cpu", *_TINY, "--out", str(tmp_path)]) == 0
    (found,) = tmp_path.glob("gpu-check-*.json")
    payload = json.loads(found.read_text())
    (size,) = payload["sizes"]
    assert size["rows"] == 300 and size["interaction_cpu_rows"] == 80
    assert size["agree"] is True and size["shap_max_diff_over_scale"] == 0.0
    assert size["device_used"] == "cpu" and size["shap_device_rows_per_s"] > 0
    X, y = synthetic_arrays(400, seed=1)
    booster = gpu_check.train(X, y, trees=8, depth=3, device="cpu")
    rows, _ = synthetic_arrays(300)
    dm = xgb.DMatrix(rows)
    gap = np.abs(
        booster.predict(dm, pred_contribs=True).sum(1) - booster.predict(dm, output_margin=True)
    )
    assert size["shap_additivity_max_error"] == float(gap.max())
    assert "| 300 |" in found.with_suffix(".md").read_text()


def test_the_check_reports_values_that_differ(monkeypatch):
    """Check that values computed by a different model on the device side are reported as
    a disagreement beyond 1e-4 of the margin scale."""
    X, y = synthetic_arrays(400, seed=1)
    booster = gpu_check.train(X, y, trees=8, depth=3, device="cpu")
    other = gpu_check.train(X, 1 - y, trees=8, depth=3, device="cpu")
    copies = iter([other, booster])
    monkeypatch.setattr(gpu_check, "on_device", lambda b, device: next(copies).copy())
    rows, _ = synthetic_arrays(200)
    result = gpu_check.compare(booster, rows, device="cpu", repeats=1, interaction_rows=50)
    assert result["agree"] is False
    assert result["shap_max_diff_over_scale"] > gpu_check.GOAL_AGREEMENT


@pytest.mark.filterwarnings("ignore:.*(No visible GPU|Device is changed):UserWarning")
def test_the_check_measures_nothing_where_no_gpu_is_seen(tmp_path, capsys):
    """Check that asking for cuda where XGBoost sees no GPU (it would fall back to the CPU
    with a warning) stops with code 2 and writes no results."""
    code = gpu_check.main(["--device", "cuda", *_TINY, "--out", str(tmp_path)])
    if shutil.which("nvidia-smi") is None:  # this machine and CI: no GPU
        assert code == 2 and not list(tmp_path.iterdir())
        assert "nothing was measured" in capsys.readouterr().out
    else:  # a machine with a GPU runs the check on it
        assert code == 0 and list(tmp_path.glob("gpu-check-*.json"))
