"""Plain-text articles in the seed layout: title line, blank line, standfirst, blank line, body."""

from __future__ import annotations

import hashlib
import re

from claimset.ingest.config import IngestConfig
from claimset.ingest.fields import FieldProblem, check_value
from claimset.ingest.records import Quarantined, RawRecord, Rejector
from claimset.ingest.sources import InputFile, decode, line_of

_BLOCK_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_NEWLINE = re.compile(r"\r\n?")


def split_layout(
    text: str, standfirst: bool | None, standfirst_max_chars: int
) -> tuple[str, str | None, str]:
    """Split seed-layout text into (title, standfirst, body).

    ``standfirst=None`` means auto: the second block is a standfirst when at least one more
    block follows it and it is at most ``standfirst_max_chars`` long.
    """
    text = _NEWLINE.sub("\n", text).strip()
    first, _, rest = text.partition("\n")
    blocks = [b for b in _BLOCK_BREAK.split(rest.strip()) if b.strip()] if rest.strip() else []
    # If the title block had more than one line, the extra lines open the next block.
    if standfirst is None:
        standfirst = len(blocks) >= 2 and len(blocks[0]) <= standfirst_max_chars
    if standfirst and blocks:
        return first, blocks[0], "\n\n".join(blocks[1:])
    return first, None, "\n\n".join(blocks)


def read_txt(f: InputFile, config: IngestConfig) -> tuple[list[RawRecord], list[Quarantined]]:
    """One article per file."""
    data = f.path.read_bytes()
    q = Rejector(f.rel, "txt", config.excerpt_chars)
    if not data.strip():
        return [], [q("empty_file", "file is empty or whitespace only", data, 1)]
    try:
        text = decode(data, f.encoding)
    except UnicodeDecodeError as exc:
        return [], [
            q(
                "undecodable",
                f"byte {exc.start} is not valid {f.encoding} ({exc.reason}); declare the encoding in a sidecar",
                data,
                line_of(data, exc.start),
            )
        ]
    if not text.strip():
        return [], [q("empty_file", "file holds only a BOM or whitespace", data, 1)]
    title, standfirst, body = split_layout(
        text, _standfirst_mode(f, config), config.standfirst_max_chars
    )
    fields = dict(f.meta)
    try:
        for key in sorted(fields):
            if fields[key] is not None:
                fields[key] = check_value(key, key, fields[key])
    except FieldProblem as exc:
        return [], [q(exc.reason, f"sidecar: {exc.message}", data, 1, exc.field)]
    fields.update(title=title, standfirst=standfirst, body=body)
    rec = RawRecord(f.rel, 1, "txt", hashlib.sha256(data).hexdigest(), fields)
    return [rec], []


def _standfirst_mode(f: InputFile, config: IngestConfig) -> bool | None:
    if f.has_standfirst is not None:
        return f.has_standfirst
    return {"auto": None, "always": True, "never": False}[config.txt_standfirst]
