"""Stance pairs (target x claim sentence, headline x body) and a transparent stance predictor."""
