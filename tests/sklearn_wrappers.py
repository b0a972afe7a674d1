"""scikit-learn estimators around a trained model, for scikit-learn's own scorers and tools."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin


class SklearnClassifier(ClassifierMixin, BaseEstimator):
    """A fitted scikit-learn classifier around a TrainedModel (for sklearn's own scorers)."""

    def __init__(self, model=None):
        self.model = model

    def fit(self, X, y):
        """Check nothing: the model is trained."""
        return self

    def __sklearn_is_fitted__(self):
        """Say the estimator is fitted."""
        return True

    @property
    def classes_(self):
        """Class indices, as the dataset encodes them."""
        return np.arange(len(self.model.classes))

    def predict_proba(self, X):
        """Class probabilities."""
        return self.model.predict(X)

    def predict(self, X):
        """The most probable class."""
        return self.model.predict(X).argmax(axis=1)


class SklearnRegressor(RegressorMixin, BaseEstimator):
    """A fitted scikit-learn regressor around a TrainedModel."""

    def __init__(self, model=None):
        self.model = model

    def fit(self, X, y):
        """Check nothing: the model is trained."""
        return self

    def __sklearn_is_fitted__(self):
        """Say the estimator is fitted."""
        return True

    def predict(self, X):
        """The predicted value."""
        return self.model.predict(X)
