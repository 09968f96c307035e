"""Hand-made claims gold files (tests/claims/gold/*.yaml) and scoring candidates against them.

A gold file lists every sentence of one document with a hand judgement: claim or not, the
speaker's normalised name (null for the article's own assertions) and the claim type.
The document text comes from a file in the repository (``source: {kind: file, path: ...}``)
or from FNC-1's bodies CSV (``source: {kind: fnc1, body_id: ...}``), so no FNC-1 text is
copied into the project beyond the judged sentences themselves.

Scoring is per gold sentence: a sentence is *predicted a claim* when at least one candidate
span overlaps it. Precision and recall are over sentences. Speaker accuracy is over gold
attributed claims that were predicted: correct when the gold speaker (or an accepted
alternative, for sentences with two speakers) is among the candidates' speakers, compared
case-insensitively without a leading article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from claimset.claims.candidates import propose_claims
from claimset.claims.config import CandidatesConfig
from claimset.corpora.fnc1 import bodies_by_int_id
from claimset.errors import ConfigError, InputError


@dataclass(frozen=True)
class GoldSentence:
    """One judged sentence."""

    text: str
    claim: bool
    speaker: str | None
    also_speakers: tuple[str, ...]
    type: str | None


@dataclass(frozen=True)
class GoldDocument:
    """A judged document: its text (resolved from its source) and judged sentences."""

    name: str
    title: str
    text: str
    has_title: bool
    sentences: tuple[GoldSentence, ...]


def read_fnc1_bodies(path: str | Path) -> dict[int, str]:
    """FNC-1 bodies CSV -> {Body ID: articleBody} (read by :mod:`claimset.corpora.fnc1`)."""
    return bodies_by_int_id(path)


def _normalise_file_text(raw: str) -> tuple[str, str]:
    paras = [
        re.sub(r"[ \t]+\n", "\n", p).strip()
        for p in re.split(r"\n\s*\n", raw.replace("\r\n", "\n"))
    ]
    paras = [p for p in paras if p]
    return (paras[0] if paras else ""), "\n\n".join(paras)


def load_gold(
    gold_dir: str | Path, fnc1_bodies: dict[int, str] | None, root: str | Path = "."
) -> list[GoldDocument]:
    """Load every ``*.yaml`` gold file in ``gold_dir`` (sorted by name)."""
    docs = []
    files = sorted(Path(gold_dir).glob("*.yaml"))
    if not files:
        raise InputError(gold_dir, "no *.yaml gold files")
    for f in files:
        data: dict[str, Any] = yaml.safe_load(f.read_text(encoding="utf-8"))
        src = data.get("source") or {}
        if src.get("kind") == "file":
            title, text = _normalise_file_text(
                (Path(root) / src["path"]).read_text(encoding="utf-8")
            )
            has_title = True
        elif src.get("kind") == "fnc1":
            if fnc1_bodies is None:
                raise ConfigError(f"{f}: needs FNC-1 bodies")
            body = fnc1_bodies.get(int(src["body_id"]))
            if body is None:
                raise ConfigError(f"{f}: FNC-1 body {src['body_id']} not found")
            title, text, has_title = "", body, False
        else:
            raise ConfigError(f"{f}: source.kind must be 'file' or 'fnc1'")
        sents = tuple(
            GoldSentence(
                text=s["text"],
                claim=bool(s["claim"]),
                speaker=s.get("speaker"),
                also_speakers=tuple(s.get("also_speakers") or ()),
                type=s.get("type"),
            )
            for s in data["sentences"]
        )
        docs.append(GoldDocument(str(data["document"]), title, text, has_title, sents))
    return docs


def gold_tables(docs: list[GoldDocument]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Articles and sentences tables (per the contracts) built from gold documents.

    Sentences are located in the text in order; paragraph numbers count blank-line breaks
    (starting at 1 when the document has no title, so no sentence is mistaken for a title).
    """
    arts, sents = [], []
    for d in docs:
        aid = f"a-gold-{d.name}"
        arts.append(
            {
                "article_id": aid,
                "source": "gold",
                "title": d.title,
                "standfirst": None,
                "body": d.text[len(d.title) :].lstrip() if d.has_title else d.text,
                "text": d.text,
                "title_end": len(d.title) if d.has_title else 0,
            }
        )
        breaks = [m.start() for m in re.finditer(r"\n\s*\n", d.text)]
        pos = 0
        for i, s in enumerate(d.sentences):
            start = d.text.find(s.text, pos)
            if start < 0:
                raise ConfigError(
                    f"gold {d.name}: sentence {i} not found in the text: {s.text[:60]!r}"
                )
            end = start + len(s.text)
            pos = end
            para = sum(1 for b in breaks if b < start) + (0 if d.has_title else 1)
            sents.append(
                {
                    "sentence_id": f"{aid}-s{i:04d}",
                    "article_id": aid,
                    "paragraph": para,
                    "index": i,
                    "char_start": start,
                    "char_end": end,
                    "text": s.text,
                }
            )
    return pl.DataFrame(arts), pl.DataFrame(sents)


def _norm_speaker(name: str) -> str:
    name = name.replace("’", "'").strip().lower()
    return re.sub(r"^(?:the|a|an)\s+", "", name)


def score_claims(docs: list[GoldDocument], cfg: CandidatesConfig) -> dict[str, Any]:
    """Precision/recall of candidates and speaker accuracy against the gold documents."""
    articles, sentences = gold_tables(docs)
    claims, _ = propose_claims(articles, sentences, cfg)
    by_sentence: dict[str, list[dict[str, Any]]] = {}
    sent_rows = sentences.iter_rows(named=True)
    spans = {
        (r["article_id"], r["index"]): (r["char_start"], r["char_end"], r["sentence_id"])
        for r in sent_rows
    }
    claim_rows = list(claims.iter_rows(named=True))
    per_doc: dict[str, dict[str, int]] = {}
    errors: list[dict[str, Any]] = []
    tp = fp = fn = tn = 0
    sp_total = sp_ok = 0
    type_total = type_ok = 0
    for d in docs:
        aid = f"a-gold-{d.name}"
        counts = per_doc.setdefault(d.name, {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
        for i, g in enumerate(d.sentences):
            s0, s1, sid = spans[(aid, i)]
            hits = [
                c
                for c in claim_rows
                if c["article_id"] == aid and c["char_start"] < s1 and c["char_end"] > s0
            ]
            by_sentence[sid] = hits
            predicted = bool(hits)
            speakers = sorted({c["speaker"] for c in hits if c["speaker"]})
            types = sorted({c["claim_type"] for c in hits})
            if predicted and g.claim:
                tp += 1
                counts["tp"] += 1
            elif predicted:
                fp += 1
                counts["fp"] += 1
                errors.append(
                    {
                        "document": d.name,
                        "sentence": g.text,
                        "error": "false_positive",
                        "predicted_speakers": speakers,
                    }
                )
            elif g.claim:
                fn += 1
                counts["fn"] += 1
                errors.append(
                    {
                        "document": d.name,
                        "sentence": g.text,
                        "error": "missed_claim",
                        "gold_speaker": g.speaker,
                    }
                )
            else:
                tn += 1
                counts["tn"] += 1
            if predicted and g.claim:
                type_total += 1
                type_ok += int(g.type in types)
            if predicted and g.claim and g.speaker:
                sp_total += 1
                accepted = {_norm_speaker(x) for x in (g.speaker, *g.also_speakers)}
                # A common-noun group ("surgeons") matches with its adjectives ("Shocked surgeons").
                ok = any(
                    _norm_speaker(x) in accepted
                    or any(a == a.lower() and _norm_speaker(x).endswith(" " + a) for a in accepted)
                    for x in speakers
                )
                sp_ok += int(ok)
                if not ok:
                    errors.append(
                        {
                            "document": d.name,
                            "sentence": g.text,
                            "error": "wrong_speaker",
                            "gold_speaker": g.speaker,
                            "predicted_speakers": speakers,
                        }
                    )
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "documents": len(docs),
        "sentences": tp + fp + fn + tn,
        "gold_claims": tp + fn,
        "candidates_sentences": tp + fp,
        "candidates": claims.height,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "speaker_accuracy": round(sp_ok / sp_total, 4) if sp_total else 0.0,
        "speaker_evaluated": sp_total,
        "claim_type_accuracy": round(type_ok / type_total, 4) if type_total else 0.0,
        "per_document": per_doc,
        "errors": errors,
    }
