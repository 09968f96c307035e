"""Label Studio exports -> long annotation table -> gold labels, agreement and adjudication."""

from claimset.annotations.config import AggregateConfig

__all__ = ["AggregateConfig"]
