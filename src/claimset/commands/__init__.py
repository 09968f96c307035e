"""Command groups of the ``claimset`` CLI; each module defines ``register(subparsers)``."""
