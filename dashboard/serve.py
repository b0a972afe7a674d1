"""Start the app with the engine's libraries imported before the first visit.

``make run`` uses this instead of a bare ``streamlit run dashboard/app.py``: the
server process imports XGBoost, scikit-learn, pandas and plotly once at start,
so the first page a user opens does not wait for them (about 3 s on 2 cores), and
keeps those long-lived objects out of every later garbage collection.
Arguments are passed on to ``streamlit run`` (``--server.port 8080`` ...).
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from streamlit.web import cli


def prepare() -> int:
    """Import what the pages need and freeze those objects out of garbage collection.

    Streamlit collects garbage after every script run (``runner.postScriptGC``), fragment
    polls included. Nearly all objects it then walks were made by these imports and live as
    long as the server (about 190,000: a full collection took 110 ms, 0 ms once frozen), so
    they are moved to the collector's permanent generation (:func:`gc.freeze`). Returns how
    many were frozen.
    """
    import dashboard.charts  # noqa: F401  (plotly)
    import dashboard.services  # noqa: F401  (the engine: xgboost, scikit-learn, pandas)

    gc.collect()  # what the imports left unreachable is freed, not frozen
    gc.freeze()
    return gc.get_freeze_count()


def main(argv: list[str] | None = None) -> None:
    """Import what the pages need, then hand over to ``streamlit run dashboard/app.py``."""
    prepare()
    app = str(Path(__file__).with_name("app.py"))
    sys.argv = ["streamlit", "run", app, *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
