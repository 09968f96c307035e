"""Stance targets declared in configs/targets.yaml (id, text, keywords, optional description)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from claimset.claims.regex import polars_regex
from claimset.errors import ConfigError


@dataclass(frozen=True)
class Target:
    """A proposition annotators judge texts against."""

    id: str
    text: str
    keywords: tuple[str, ...]
    description: str | None = None

    def keyword_pattern(self) -> str:
        """Case-insensitive Rust/Python regex matching any keyword at a word start.

        Longest keywords first so "deployment" is reported rather than "deploy"; multi-word
        keywords ("sea wall") allow any whitespace between words.
        """
        kws = sorted({k.lower() for k in self.keywords}, key=lambda k: (-len(k), k))
        alts = "|".join(r"\s+".join(re.escape(w) for w in k.split()) for k in kws)
        return polars_regex(rf"(?i)\b(?:{alts})")

    def keyword_patterns(self) -> list[str]:
        """One pattern per distinct keyword, so overlapping keywords ("four-day" and
        "four-day week") each count when present."""
        kws = sorted({k.lower() for k in self.keywords})
        return [polars_regex(r"(?i)\b" + r"\s+".join(re.escape(w) for w in k.split())) for k in kws]


def load_targets(path: str | Path) -> list[Target]:
    """Read and check the targets file; ids must be unique and every target needs keywords."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    items = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{p}: expected a non-empty list under 'targets'")
    out: list[Target] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"{p}: targets[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected a mapping")
        unknown = set(item) - {"id", "text", "keywords", "description"}
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {sorted(unknown)[0]!r} (valid: id, text, keywords, description)"
            )
        tid, text, kws = item.get("id"), item.get("text"), item.get("keywords")
        if not isinstance(tid, str) or not tid:
            raise ConfigError(f"{where}: 'id' must be a non-empty string")
        if tid in seen:
            raise ConfigError(f"{where}: duplicate id {tid!r}")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"{where} ({tid}): 'text' must be a non-empty string")
        if (
            not isinstance(kws, list)
            or not kws
            or not all(isinstance(k, str) and k.strip() for k in kws)
        ):
            raise ConfigError(f"{where} ({tid}): 'keywords' must be a non-empty list of strings")
        desc = item.get("description")
        if desc is not None and not isinstance(desc, str):
            raise ConfigError(f"{where} ({tid}): 'description' must be a string")
        seen.add(tid)
        out.append(Target(tid, text.strip(), tuple(k.strip() for k in kws), desc))
    return sorted(out, key=lambda t: t.id)
