"""Auditing a trained model: predictions, importance, effects, errors."""
