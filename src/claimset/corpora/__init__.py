"""Readers of public corpora (one module per corpus, one reader per file kind)."""
