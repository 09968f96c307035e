"""``checksums.sha256`` in the format ``sha256sum -c`` understands."""

from __future__ import annotations

import os
from pathlib import Path

from claimset.io import sha256_file, write_text

CHECKSUMS = "checksums.sha256"


def release_files(release_dir: str | os.PathLike[str]) -> list[str]:
    """Every file of the release except the checksum file, as sorted POSIX relative paths."""
    root = Path(release_dir)
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != CHECKSUMS and not p.name.startswith(".")
    )


def write_checksums(release_dir: str | os.PathLike[str]) -> dict[str, str]:
    """Write ``checksums.sha256`` over :func:`release_files`; return path -> digest."""
    root = Path(release_dir)
    digests = {rel: sha256_file(root / rel) for rel in release_files(root)}
    write_text(root / CHECKSUMS, "".join(f"{d}  {rel}\n" for rel, d in digests.items()))
    return digests


def verify_checksums(release_dir: str | os.PathLike[str]) -> list[str]:
    """Problems found (missing, changed or unlisted files); empty when the release is intact."""
    root = Path(release_dir)
    listed: dict[str, str] = {}
    for line in (root / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, _, rel = line.partition("  ")
        listed[rel] = digest
    problems = []
    for rel, digest in sorted(listed.items()):
        if not (root / rel).is_file():
            problems.append(f"missing: {rel}")
        elif sha256_file(root / rel) != digest:
            problems.append(f"changed: {rel}")
    problems += [f"unlisted: {rel}" for rel in release_files(root) if rel not in listed]
    return problems
