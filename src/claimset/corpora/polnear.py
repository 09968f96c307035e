"""PolNeAR (Political News Attribution Relations) reader: texts and brat standoff attributions.

The one place that knows the corpus layout (``../shared/data/polnear/ABOUT.md``):
``<split>/text/<name>.txt`` and ``<split>/attributions/<name>_<annotator>.ann``, plus
``metadata.tsv`` (the ``annotators`` column lists an article's annotators, ``|``-separated,
first annotator first). In an ``.ann`` file, ``T`` lines are spans
(``T1<TAB>Source 89 106<TAB>The New York Post``; discontinuous spans list ``start end`` ranges
separated by ``;``) and ``E`` lines tie one attribution's spans together
(``E1<TAB>Attribution:T4 Content:T3 Cue:T2 Source:T1``). Offsets are character offsets into
the ``.txt`` file as read (UTF-8, newlines kept).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from claimset.errors import InputError
from claimset.evaluate.attribution import Attribution, Range

SPLITS = ("train", "dev")
# A brat annotation line starts with its id (T12, E3, A1, #1, ...) and a tab.
_ID = re.compile(r"^[TERAMN#*]\d*$")


@dataclass(frozen=True)
class GoldAttribution:
    """One PolNeAR attribution: content, source and cue ranges in the article's ``.txt``."""

    doc_id: str
    content: tuple[Range, ...]
    source: tuple[Range, ...]
    cue: tuple[Range, ...]

    def measured(self) -> Attribution:
        """The attribution as the measure sees it (content and source)."""
        return Attribution(self.doc_id, self.content, self.source)


@dataclass(frozen=True)
class PolnearArticle:
    """One article: its text file and its annotation files, first annotator first."""

    doc_id: str
    text_path: Path
    ann_paths: tuple[Path, ...]

    def text(self) -> str:
        """The article text exactly as the offsets count it."""
        with self.text_path.open(encoding="utf-8", newline="") as fh:
            return fh.read()


def available(root: str | Path, split: str) -> bool:
    """True when ``root`` holds the split's texts and attributions."""
    base = Path(root) / split
    return (base / "text").is_dir() and (base / "attributions").is_dir()


def _annotator_order(root: Path) -> dict[str, list[str]]:
    meta = root / "metadata.tsv"
    if not meta.is_file():
        return {}
    order: dict[str, list[str]] = {}
    with meta.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            name, annotators = row.get("filename"), row.get("annotators")
            if name and annotators:
                order[name] = [a for a in annotators.split("|") if a]
    return order


def list_articles(root: str | Path, split: str) -> list[PolnearArticle]:
    """The split's articles sorted by name, each with its annotation files in annotator order.

    The annotator order is metadata.tsv's (its first is "the first annotator"); annotators
    the metadata does not list follow in file-name order.
    """
    base = Path(root) / split
    if not available(root, split):
        raise InputError(base, "PolNeAR split not found (expected text/ and attributions/)")
    order = _annotator_order(Path(root))
    anns: dict[str, list[Path]] = {}
    for path in sorted((base / "attributions").glob("*.ann")):
        name, _, _annotator = path.stem.rpartition("_")
        anns.setdefault(name, []).append(path)
    out = []
    for text_path in sorted((base / "text").glob("*.txt")):
        name = text_path.stem
        files = anns.get(name, [])
        rank = {a: i for i, a in enumerate(order.get(name, []))}
        files.sort(key=lambda p: (rank.get(p.stem.rpartition("_")[2], len(rank)), p.name))
        if files:
            out.append(PolnearArticle(name, text_path, tuple(files)))
    return out


def _ranges(path: Path, line_no: int, spec: str) -> tuple[Range, ...]:
    out = []
    for part in spec.split(";"):
        bits = part.split()
        try:
            start, end = int(bits[0]), int(bits[1])
        except (IndexError, ValueError):
            raise InputError(
                path, f"bad span offsets {part!r}", line=line_no, field="offsets"
            ) from None
        if start < 0 or end < start:
            raise InputError(path, f"bad span [{start}, {end})", line=line_no, field="offsets")
        out.append((start, end))
    return tuple(out)


def read_ann(path: str | Path, doc_id: str) -> list[GoldAttribution]:
    """The attributions of one ``.ann`` file, in ``E`` line order.

    Attributions without a Content span (one in dev) are skipped: nothing can match them.
    """
    path = Path(path)
    spans: dict[str, tuple[str, tuple[Range, ...]]] = {}
    events: list[tuple[int, dict[str, str]]] = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            cols = line.split("\t")
            if not _ID.match(cols[0]):
                continue  # the rest of a previous span's text, which had a line break in it
            if line.startswith("T"):
                if len(cols) < 2 or " " not in cols[1]:
                    raise InputError(
                        path, "span line needs 'T<n>\\t<type> <offsets>'", line=line_no
                    )
                kind, _, spec = cols[1].partition(" ")
                spans[cols[0]] = (kind, _ranges(path, line_no, spec))
            elif line.startswith("E"):
                if len(cols) < 2:
                    raise InputError(path, "event line needs 'E<n>\\t<role>:<T>...'", line=line_no)
                roles: dict[str, str] = {}
                for item in cols[1].split():
                    role, _, ref = item.partition(":")
                    roles[role] = ref
                events.append((line_no, roles))
    out = []
    for line_no, roles in events:
        refs = {role: spans.get(ref) for role, ref in roles.items()}
        for role, ref in roles.items():
            if refs[role] is None:
                raise InputError(path, f"{role} refers to unknown span {ref!r}", line=line_no)

        def ranges(role: str, refs: dict[str, tuple[str, tuple[Range, ...]] | None] = refs):
            got = refs.get(role)
            return got[1] if got else ()

        content = ranges("Content")
        if not content:
            continue
        out.append(GoldAttribution(doc_id, content, ranges("Source"), ranges("Cue")))
    return out


def read_gold(articles: Sequence[PolnearArticle], annotator: int = 0) -> list[GoldAttribution]:
    """Attributions of the ``annotator``-th annotation file of each article (0 = first)."""
    out: list[GoldAttribution] = []
    for art in articles:
        if annotator < len(art.ann_paths):
            out.extend(read_ann(art.ann_paths[annotator], art.doc_id))
    return out
