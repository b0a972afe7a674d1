"""Time-to-event (survival) outcomes: the time/event pair, Cox and AFT models, their metrics.

The submodules import nothing from the training, evaluation or pipeline modules
except :mod:`explainers._survival.explain`, so those modules may import the rest.
"""
