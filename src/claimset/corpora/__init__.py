"""Readers of public corpora used for measurement (PolNeAR; FNC-1)."""
