"""Start the app with the engine's libraries imported before the first visit.

``make run`` uses this instead of a bare ``streamlit run dashboard/app.py``: the
server process imports XGBoost, scikit-learn, pandas and plotly once at start,
so the first page a user opens does not wait for them (about 3 s on 2 cores).
Arguments are passed on to ``streamlit run`` (``--server.port 8080`` ...).
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.web import cli


def main(argv: list[str] | None = None) -> None:
    """Import what the pages need, then hand over to ``streamlit run dashboard/app.py``."""
    import dashboard.charts  # noqa: F401  (plotly)
    import dashboard.services  # noqa: F401  (the engine: xgboost, scikit-learn, pandas)

    app = str(Path(__file__).with_name("app.py"))
    sys.argv = ["streamlit", "run", app, *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
