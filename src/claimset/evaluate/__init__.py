"""Scorer (claim detection, spans, attribution, stance; bootstrap CIs, significance) and baselines."""

# The release configs ``claimset evaluate`` scores (kept here, import-light, for the CLI).
CONFIGS = ("claim_detection", "claims", "attribution", "stance")
