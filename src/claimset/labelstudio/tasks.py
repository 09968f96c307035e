"""Label Studio task files with pre-annotations (predictions) for the claims and stance projects.

Formats follow docs/architecture.md ("Label Studio tasks"). Every prediction is checked
against the label config it targets (parsed with xml.etree): each ``from_name`` must be a
control of the config, its ``to_name`` the object that control labels, and every label or
choice value one the control declares; every ``$variable`` the config reads must be in the
task data. A mismatch is a :class:`~claimset.errors.ConfigError`, not a task Label Studio
would silently show without its pre-annotation.

Ordering (docs/preannotation.md): articles by ``article_id``; within an article, claims tasks
(one per paragraph) by descending paragraph score = the highest check-worthiness prior of its
candidates (most check-worthy first), ties by paragraph; stance tasks by ascending predictor
score (most uncertain first), ties by ``pair_id``.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from claimset.claims.speakers import PRONOUNS
from claimset.errors import ConfigError, InputError
from claimset.io import write_json
from claimset.labelstudio.config import TasksConfig
from claimset.stage import StageReport

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Control:
    """One control tag of a label config: its kind, the object it labels and its values."""

    name: str
    tag: str
    to_name: str
    values: frozenset[str]


@dataclass(frozen=True)
class LabelConfig:
    """What a label config declares: controls by name, relation labels and data variables."""

    path: str
    controls: dict[str, Control]
    objects: frozenset[str]
    relations: frozenset[str]
    variables: frozenset[str] = field(default_factory=frozenset)


_CONTROL_TAGS = {
    "Labels": "labels",
    "Choices": "choices",
    "TextArea": "textarea",
    "Rating": "rating",
}


def parse_label_config(path: str | Path) -> LabelConfig:
    """Parse a Label Studio XML label config with xml.etree."""
    p = Path(path)
    try:
        root = ET.fromstring(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: file not found") from exc
    except ET.ParseError as exc:
        raise ConfigError(f"{p}: not well-formed XML: {exc}") from exc
    controls: dict[str, Control] = {}
    objects: set[str] = set()
    relations: set[str] = set()
    variables: set[str] = set()
    for el in root.iter():
        for attr in ("value", "title"):
            v = el.get(attr, "")
            variables.update(re.findall(r"\$(\w+)", v))
        if el.tag in ("Text", "HyperText", "Paragraphs") and el.get("name"):
            objects.add(el.get("name", ""))
        if el.tag in _CONTROL_TAGS and el.get("name"):
            values = frozenset(c.get("value", "") for c in el if c.tag in ("Label", "Choice"))
            controls[el.get("name", "")] = Control(
                el.get("name", ""), _CONTROL_TAGS[el.tag], el.get("toName", ""), values
            )
        if el.tag == "Relations":
            relations.update(c.get("value", "") for c in el if c.tag == "Relation")
    return LabelConfig(
        str(p), controls, frozenset(objects), frozenset(relations), frozenset(variables)
    )


def validate_tasks(tasks: list[dict[str, Any]], config: LabelConfig) -> None:
    """Raise ConfigError if any task's data or prediction does not fit ``config``."""
    for task in tasks:
        key = task["data"].get("task_key")
        missing = sorted(v for v in config.variables if v not in task["data"])
        if missing:
            raise ConfigError(
                f"{config.path}: task {key} lacks data field(s) {missing} the config reads"
            )
        for pred in task.get("predictions", []):
            for item in pred["result"]:
                if item["type"] == "relation":
                    bad = set(item.get("labels", [])) - config.relations
                    if bad:
                        raise ConfigError(
                            f"{config.path}: relation label(s) {sorted(bad)} not declared (task {key})"
                        )
                    continue
                ctrl = config.controls.get(item["from_name"])
                if ctrl is None:
                    raise ConfigError(
                        f"{config.path}: no control named {item['from_name']!r} (task {key})"
                    )
                if item["to_name"] != ctrl.to_name or item["to_name"] not in config.objects:
                    raise ConfigError(
                        f"{config.path}: control {ctrl.name!r} labels {ctrl.to_name!r}, prediction targets "
                        f"{item['to_name']!r} (task {key})"
                    )
                if item["type"] != ctrl.tag:
                    raise ConfigError(
                        f"{config.path}: control {ctrl.name!r} is {ctrl.tag}, prediction is {item['type']}"
                    )
                used = set(item["value"].get(ctrl.tag, []))
                bad = used - ctrl.values
                if bad:
                    raise ConfigError(
                        f"{config.path}: value(s) {sorted(bad)} not in control {ctrl.name!r} "
                        f"(allowed: {sorted(ctrl.values)}) (task {key})"
                    )


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph of an article text (blank-line separated; 0 = title)."""
    spans = []
    pos = 0
    for m in PARAGRAPH_BREAK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _key(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def _is_pronoun(speaker_text: str | None) -> bool:
    return bool(speaker_text) and str(speaker_text).lower() in PRONOUNS


def _region_value(text: str, start: int, end: int, **extra: Any) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end], **extra}


def claims_tasks(
    articles: pl.DataFrame, claims: pl.DataFrame, cfg: TasksConfig
) -> list[dict[str, Any]]:
    """One task per paragraph with at least one candidate (or every body paragraph when
    ``claims_paragraphs_without_candidates``), predictions relative to the paragraph.

    The title is never a claims task: annotators see it as the task header. Paragraph numbers
    follow the segmenter's (0 is the title, also when an article has none).
    """
    texts = dict(zip(articles["article_id"].to_list(), articles["text"].to_list(), strict=True))
    title_ends = dict(
        zip(articles["article_id"].to_list(), articles["title_end"].to_list(), strict=True)
    )
    titles = dict(
        zip(
            articles["article_id"].to_list(), articles["title"].fill_null("").to_list(), strict=True
        )
    )
    by_article: dict[str, list[dict[str, Any]]] = {}
    for row in claims.sort("article_id", "char_start", "char_end").iter_rows(named=True):
        by_article.setdefault(row["article_id"], []).append(row)
    tasks: list[dict[str, Any]] = []
    wanted = texts if cfg.claims_paragraphs_without_candidates else by_article
    for aid in sorted(wanted):
        text = texts.get(aid)
        if text is None:
            raise ConfigError(f"claims reference article {aid} that is not in the articles table")
        art_tasks = []
        title_end = title_ends[aid] or 0
        spans = paragraphs(text)
        # Body paragraphs (not the title), the pool the read-only context is taken from.
        body = [(s, e) if not (title_end > 0 and e <= title_end) else None for s, e in spans]
        for pos, (ps, pe) in enumerate(spans):
            if title_end > 0 and pe <= title_end:
                continue
            pidx = pos if title_end > 0 else pos + 1
            rows = [
                r for r in by_article.get(aid, []) if ps <= r["char_start"] and r["char_end"] <= pe
            ]
            if not rows and not cfg.claims_paragraphs_without_candidates:
                continue
            ptext = text[ps:pe]
            result: list[dict[str, Any]] = []
            speaker_regions: dict[tuple[str, int, int], str] = {}
            # A named speaker gets one region at its fullest mention in this paragraph;
            # a pronoun gets its own region (configs/guidelines/claims.md, section 2).
            fullest: dict[str, tuple[int, int]] = {}
            for r in rows:
                s0, s1 = r["speaker_start"], r["speaker_end"]
                if r["speaker_id"] is None or s0 is None or not (ps <= s0 and s1 <= pe):
                    continue
                if _is_pronoun(r["speaker_text"]):
                    continue
                cur = fullest.get(r["speaker_id"])
                if cur is None or (s1 - s0) > (cur[1] - cur[0]):
                    fullest[r["speaker_id"]] = (s0, s1)
            for r in rows:
                cid = "c" + r["claim_id"].rsplit("-c", 1)[1]
                cs, ce = r["char_start"] - ps, r["char_end"] - ps
                score = float(r["checkworthy_score"])
                result.append(
                    {
                        "id": cid,
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "origin": "prediction",
                        "score": score,
                        "value": _region_value(ptext, cs, ce, labels=["CLAIM"]),
                    }
                )
                result.append(
                    {
                        "id": cid,
                        "from_name": "claim_type",
                        "to_name": "text",
                        "type": "choices",
                        "value": _region_value(ptext, cs, ce, choices=[r["category"]]),
                    }
                )
                result.append(
                    {
                        "id": cid,
                        "from_name": "checkworthy",
                        "to_name": "text",
                        "type": "choices",
                        "value": _region_value(
                            ptext,
                            cs,
                            ce,
                            choices=["yes" if score >= cfg.checkworthy_threshold else "no"],
                        ),
                    }
                )
                s0, s1 = r["speaker_start"], r["speaker_end"]
                if r["speaker_id"] is None or s0 is None or not (ps <= s0 and s1 <= pe):
                    continue
                # A pronoun is marked where it stands; a name, by its fullest mention.
                span = (s0, s1) if _is_pronoun(r["speaker_text"]) else fullest[r["speaker_id"]]
                rkey = (r["speaker_id"], span[0], span[1])
                if rkey not in speaker_regions:
                    sid = f"s{len(speaker_regions) + 1:02d}"
                    speaker_regions[rkey] = sid
                    result.append(
                        {
                            "id": sid,
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "origin": "prediction",
                            "value": _region_value(
                                ptext, span[0] - ps, span[1] - ps, labels=["SPEAKER"]
                            ),
                        }
                    )
                    if r["speaker"]:
                        # Who the mention is ("she" -> "Ilse Varga"), pre-filled in the
                        # SPEAKER region's name box; a per-region TextArea value keeps the
                        # region's offsets and puts the typed text where the span text was.
                        result.append(
                            {
                                "id": sid,
                                "from_name": "speaker_name",
                                "to_name": "text",
                                "type": "textarea",
                                "value": {
                                    "start": span[0] - ps,
                                    "end": span[1] - ps,
                                    "text": [str(r["speaker"])],
                                },
                            }
                        )
                result.append(
                    {
                        "type": "relation",
                        "from_id": cid,
                        "to_id": speaker_regions[rkey],
                        "direction": "right",
                        "labels": ["said_by"],
                    }
                )
            pscore = max((float(r["checkworthy_score"]) for r in rows), default=0.0)
            versions = sorted({r["model_version"] for r in rows})
            art_tasks.append(
                (
                    -pscore,
                    pidx,
                    {
                        "data": {
                            "task_key": "claims-" + _key(aid, ps, ptext),
                            "claimset_kind": "claims",
                            "article_id": aid,
                            "paragraph": pidx,
                            "char_offset": ps,
                            "title": titles[aid],
                            "text": ptext,
                            "context": _preceding_context(
                                text, body[:pos], rows, cfg.claims_context_paragraphs
                            ),
                        },
                        "predictions": [
                            {
                                "model_version": "+".join(versions) or "none",
                                "score": round(pscore, 4),
                                "result": result,
                            }
                        ],
                    },
                )
            )
        tasks.extend(t for _, _, t in sorted(art_tasks, key=lambda x: (x[0], x[1])))
    return tasks


FIRST_PARAGRAPH = "(This is the first paragraph of the article.)"


def _preceding_context(
    text: str,
    before: list[tuple[int, int] | None],
    rows: list[dict[str, Any]],
    paragraphs_wanted: int,
) -> str:
    """The body paragraphs before a claims task, shown read-only above it.

    The last ``paragraphs_wanted`` paragraphs, extended further back when a pronoun speaker's
    resolved name is not in them, up to the nearest paragraph that names that speaker, so
    the annotator can check who "he" is. Paragraphs are separated by a blank line.
    """
    pool = [p for p in before if p is not None]
    if not pool:
        return FIRST_PARAGRAPH
    take = min(len(pool), paragraphs_wanted)
    names = {
        str(r["speaker"]) for r in rows if r.get("speaker") and _is_pronoun(r.get("speaker_text"))
    }
    for name in sorted(names):
        shown = "\n\n".join(text[s:e] for s, e in pool[len(pool) - take :])
        if name in shown:
            continue
        for back in range(len(pool) - take - 1, -1, -1):
            s, e = pool[back]
            if name in text[s:e]:
                take = len(pool) - back
                break
    return "\n\n".join(text[s:e] for s, e in pool[len(pool) - take :])


def _context(text: str, start: int, end: int, chars: int) -> str:
    """Article text around [start, end), cut at whitespace, with ellipses where it was cut."""
    a = max(0, start - chars)
    b = min(len(text), end + chars)
    if a > 0:
        sp = text.find(" ", a)
        a = sp + 1 if 0 <= sp < start else a
    if b < len(text):
        sp = text.rfind(" ", end, b)
        b = sp if sp > end else b
    return ("… " if a > 0 else "") + text[a:b].strip() + (" …" if b < len(text) else "")


def stance_tasks(
    articles: pl.DataFrame, pairs: pl.DataFrame, cfg: TasksConfig
) -> list[dict[str, Any]]:
    """One task per stance pair, with the predicted label as a pre-annotation."""
    texts = dict(zip(articles["article_id"].to_list(), articles["text"].to_list(), strict=True))
    titles = dict(
        zip(
            articles["article_id"].to_list(), articles["title"].fill_null("").to_list(), strict=True
        )
    )
    ordered = pairs.sort("article_id", "score", "pair_id")
    tasks = []
    for r in ordered.iter_rows(named=True):
        text = texts.get(r["article_id"])
        if text is None:
            raise ConfigError(
                f"pair {r['pair_id']} references article {r['article_id']} not in the articles table"
            )
        if r["pair_kind"] == "headline":
            context = titles[r["article_id"]]
        else:
            pos = text.find(r["text"])
            context = (
                _context(text, pos, pos + len(r["text"]), cfg.stance_context_chars)
                if pos >= 0
                else ""
            )
        tasks.append(
            {
                "data": {
                    "task_key": "stance-" + _key(r["pair_id"], r["target"], r["text"]),
                    "claimset_kind": "stance",
                    "pair_id": r["pair_id"],
                    "target_id": r["target_id"],
                    "target": r["target"],
                    "article_id": r["article_id"],
                    "text": r["text"],
                    "context": context,
                },
                "predictions": [
                    {
                        "model_version": r["model_version"],
                        "score": float(r["score"]),
                        "result": [
                            {
                                "id": "stance",
                                "from_name": "stance",
                                "to_name": "text",
                                "type": "choices",
                                "value": {"choices": [r["predicted_label"]]},
                            }
                        ],
                    }
                ],
            }
        )
    return tasks


def run_tasks(
    articles_path: str | Path,
    claims_path: str | Path,
    pairs_path: str | Path,
    claims_config_path: str | Path,
    stance_config_path: str | Path,
    out_dir: str | Path,
    cfg: TasksConfig,
) -> StageReport:
    """The ``tasks`` stage: write ``<out_dir>/claims.json`` and ``<out_dir>/stance.json``."""
    report = StageReport("tasks")
    frames = {}
    for name, path in (("articles", articles_path), ("claims", claims_path), ("pairs", pairs_path)):
        try:
            frames[name] = pl.read_parquet(path)
        except FileNotFoundError as exc:
            raise InputError(path, "file not found") from exc
    claims_cfg = parse_label_config(claims_config_path)
    stance_cfg = parse_label_config(stance_config_path)
    ctasks = claims_tasks(frames["articles"], frames["claims"], cfg)
    stasks = stance_tasks(frames["articles"], frames["pairs"], cfg)
    validate_tasks(ctasks, claims_cfg)
    validate_tasks(stasks, stance_cfg)
    out = Path(out_dir)
    write_json(out / "claims.json", ctasks)
    write_json(out / "stance.json", stasks)
    report.records_in = frames["claims"].height + frames["pairs"].height
    report.records_out = len(ctasks) + len(stasks)
    placed = sum(
        1
        for t in ctasks
        for r in t["predictions"][0]["result"]
        if r.get("value", {}).get("labels") == ["CLAIM"]
    )
    report.extra.update(
        {
            "claims_tasks": len(ctasks),
            "claims_in_tasks": placed,
            "claims_not_in_a_paragraph": frames["claims"].height - placed,
            "stance_tasks": len(stasks),
        }
    )
    return report
