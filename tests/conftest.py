"""Shared fixtures: the pipeline on small synthetic tables with known ground truth."""

from __future__ import annotations

import pandas as pd
import pytest
from synthetic_tables import (
    synthetic_binary,
    synthetic_multiclass,
    synthetic_regression,
    to_csv_bytes,
)


@pytest.fixture(scope="session")
def binary_frame() -> pd.DataFrame:
    """A synthetic binary table with an ID column and known drivers."""
    return synthetic_binary()


@pytest.fixture(scope="session")
def binary_run(binary_frame):
    """The whole pipeline on the synthetic binary table."""
    from explainers import explain_file

    return explain_file(to_csv_bytes(binary_frame), name="binary.csv", target="outcome", seed=1)


@pytest.fixture(scope="session")
def regression_run():
    """The whole pipeline on the synthetic regression table."""
    from explainers import explain_file

    return explain_file(to_csv_bytes(synthetic_regression()), name="reg.csv", seed=1)


@pytest.fixture(scope="session")
def multiclass_run():
    """The whole pipeline on the synthetic multiclass table."""
    from explainers import explain_file

    return explain_file(to_csv_bytes(synthetic_multiclass()), name="multi.csv", seed=1)
