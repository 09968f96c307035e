"""Great Expectations suites over every table and the gate that stops the pipeline.

Importing this package does not import Great Expectations (that happens on first use).
"""

from claimset.validate.config import ValidateConfig
from claimset.validate.gate import CheckResult, GateFailed, ValidationResult, validate_tables

__all__ = ["CheckResult", "GateFailed", "ValidateConfig", "ValidationResult", "validate_tables"]
