"""The ``validate`` section of ``params.yaml``: thresholds handed to Great Expectations as
expectation parameters (``{"$PARAMETER": name}``), and per-check severity overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_DEFAULT_MIN_ROWS = {
    "articles": 1,
    "sentences": 1,
    "claims": 1,
    "stance_pairs": 1,
    "annotations": 1,
    "labels_claims": 1,
    "labels_stance": 1,
    "splits": 1,
    "agreement": 1,
}


@dataclass(frozen=True)
class ValidateConfig:
    """Thresholds of the validation gate.

    ``min_rows`` guards every table against being empty (GX passes empty tables by
    default). ``severity`` maps ``"<suite>.<check>"`` (names in docs/validation.md) to
    ``critical`` or ``warning`` to override a check's default severity.
    """

    min_rows: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType(dict(_DEFAULT_MIN_ROWS))
    )
    # Label distribution: no label may hold more than this share of a labels table ...
    max_label_share: float = 0.95
    # ... and every label present should hold at least this share (warning by default).
    min_label_share: float = 0.01
    # Mean per-item agreement of a labels table (critical) and per-item floor (warning).
    min_mean_agreement: float = 0.5
    min_item_agreement: float = 0.5
    min_item_agreement_mostly: float = 0.8
    # Krippendorff's alpha per field from reports/agreement.json (the ``agreement`` table).
    min_alpha: float = 0.4
    # Offending rows quoted per failed expectation in messages and the summary.
    max_offending_rows: int = 5
    severity: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for key, value in self.severity.items():
            if value not in ("critical", "warning"):
                raise ValueError(
                    f"severity[{key!r}] must be 'critical' or 'warning', got {value!r}"
                )
        for name in (
            "max_label_share",
            "min_label_share",
            "min_mean_agreement",
            "min_item_agreement",
            "min_item_agreement_mostly",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if self.max_offending_rows < 1:
            raise ValueError("max_offending_rows must be >= 1")

    def rows_min(self, suite: str) -> int:
        """Minimum row count of ``suite`` (default 1)."""
        return int(self.min_rows.get(suite, 1))
