"""Plotly chart builders of the app: plain arrays in, ``go.Figure`` out.

The builders never call Streamlit, XGBoost, shap, lime or the engine: the pages
pass plain numpy / pandas values (from the engine's results) and translated
text. Every visible word is a keyword argument with an English default. All
text arguments are plain text: feature names, category values and captions are
escaped, so markup in them shows literally.

The builders live in one module per page and are re-exported here:

- model page: :mod:`dashboard.charts.model`, :mod:`dashboard.charts.regression`
- global page: :mod:`dashboard.charts.importance`, :mod:`dashboard.charts.dependence`
- local page: :mod:`dashboard.charts.local`, :mod:`dashboard.charts.probability_points`
- what-if page: :mod:`dashboard.charts.what_if`
- data page: :mod:`dashboard.charts.data`
- audit page: :mod:`dashboard.charts.audit`, :mod:`dashboard.charts.cohorts`
- model page, is the model worth it: :mod:`dashboard.charts.worth`
- survival models (model, local and what-if pages): :mod:`dashboard.charts.survival`

Shared pieces (palette, escaping, layout, sampling) are in :mod:`dashboard.charts.kit`.
``probability_steps`` is re-exported from :mod:`dashboard.display.probability`, where the
app's one copy of the probability walk lives.
"""

from dashboard.charts.audit import (
    error_rate_figure,
    group_metrics_figure,
    interval_importance_figure,
    partial_dependence_figure,
)
from dashboard.charts.cohorts import cohort_dependence_figure, cohort_importance_figure
from dashboard.charts.data import histogram_figure, missing_figure
from dashboard.charts.dependence import dependence_figure
from dashboard.charts.importance import (
    beeswarm_figure,
    importance_figure,
    interaction_heatmap_figure,
)
from dashboard.charts.local import lime_shap_figure, waterfall_figure
from dashboard.charts.model import (
    calibration_figure,
    confusion_figure,
    pr_figure,
    roc_figure,
    threshold_metrics_figure,
)
from dashboard.charts.probability_points import probability_points_figure
from dashboard.charts.regression import (
    predicted_vs_actual_figure,
    residual_histogram_figure,
    residuals_figure,
)
from dashboard.charts.survival import (
    kaplan_meier_figure,
    survival_curve_figure,
    time_auc_figure,
)
from dashboard.charts.what_if import whatif_figure
from dashboard.charts.worth import learning_curve_figure, tree_curve_figure
from dashboard.display.probability import probability_steps

__all__ = [
    "beeswarm_figure",
    "calibration_figure",
    "cohort_dependence_figure",
    "cohort_importance_figure",
    "confusion_figure",
    "dependence_figure",
    "error_rate_figure",
    "group_metrics_figure",
    "histogram_figure",
    "importance_figure",
    "interaction_heatmap_figure",
    "interval_importance_figure",
    "kaplan_meier_figure",
    "learning_curve_figure",
    "lime_shap_figure",
    "missing_figure",
    "partial_dependence_figure",
    "pr_figure",
    "predicted_vs_actual_figure",
    "probability_points_figure",
    "probability_steps",
    "residual_histogram_figure",
    "residuals_figure",
    "roc_figure",
    "survival_curve_figure",
    "threshold_metrics_figure",
    "time_auc_figure",
    "tree_curve_figure",
    "waterfall_figure",
    "whatif_figure",
]
