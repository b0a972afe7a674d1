"""The engine on a Dask cluster (optional: ``pip install "xai-dashboard[dask]"``).

Importing this package imports Dask; the rest of the engine never does.
"""

from .cluster import Connection, SchedulerAddress, connect, parse_address
from .parts import PartedTable, list_parts
from .run import PROFILE_ROWS, ClusterRun, explain_on_cluster
from .shap_parts import ShapParts

__all__ = [
    "PROFILE_ROWS",
    "ClusterRun",
    "Connection",
    "PartedTable",
    "SchedulerAddress",
    "ShapParts",
    "connect",
    "explain_on_cluster",
    "list_parts",
    "parse_address",
]
