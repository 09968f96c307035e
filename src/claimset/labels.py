"""Label fields of the labelled tables and their allowed values, in ClassLabel order.

The order here is the integer encoding of the release's ``ClassLabel`` features, so it
must never be reordered once a release is out (append only).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

STANCE_LABELS: Final = ("favor", "against", "neutral", "unrelated")
CLAIM_TYPES: Final = ("factual", "prediction", "opinion", "warning")
CHECKWORTHY: Final = ("no", "yes")

# config name -> label column -> allowed values (ClassLabel names, in order)
LABEL_FIELDS: Final = MappingProxyType(
    {
        "claims": MappingProxyType({"claim_type": CLAIM_TYPES, "checkworthy": CHECKWORTHY}),
        "stance": MappingProxyType({"label": STANCE_LABELS}),
    }
)

# Documented mappings (configs/guidelines/stance.md section 6).
STANCE_TO_FNC1: Final = MappingProxyType(
    {"favor": "agree", "against": "disagree", "neutral": "discuss", "unrelated": "unrelated"}
)
STANCE_TO_SEMEVAL2016: Final = MappingProxyType(
    {"favor": "FAVOR", "against": "AGAINST", "neutral": "NONE", "unrelated": "NONE"}
)

SPLITS: Final = ("train", "validation", "test")
