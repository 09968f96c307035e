"""Scorer (FNC-1 score, macro-F1, bootstrap, significance) and reference baselines."""
