"""Display data: what the pages, narratives and charts show, computed once from engine results.

As scikit-learn's Display objects, these compute and the charts draw. Each
number the user sees under one label (the average prediction, a row's
probability, a feature's effect in probability points) is computed here, in
one place, and every page, narrative, chart and export reads it from here.

- :mod:`dashboard.display.probability`: the link functions (sigmoid, softmax)
  and the probability walk through ordered SHAP contributions.
- :mod:`dashboard.display.prediction`: one row's prediction beside the average
  prediction (the model's base value), in the units the page shows.
- :mod:`dashboard.display.narrative`: the plain-language summary of a row.
- :mod:`dashboard.display.agreement`: how far LIME and SHAP agree on a row.
- :mod:`dashboard.display.thresholds`: binary metrics at a decision threshold.
- :mod:`dashboard.display.rows`: named lists of rows (most confident, wrong...).

Nothing here calls Streamlit or plotly.
"""
