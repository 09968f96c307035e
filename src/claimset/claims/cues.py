"""Reporting cues: the verbs and phrases that attribute a statement to a speaker.

The lexicon is deliberately explicit so that an annotation lead can read why a sentence was
proposed as reported speech. Each base verb lists its finite forms (past and 3rd person
present, which head a reporting clause) and its participle (which continues one:
"..., warning that ..."). The category hint feeds the claim-type pre-annotation
(warning / prediction / opinion); ``None`` means "decided by the content".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimset.claims.regex import polars_regex


@dataclass(frozen=True)
class Cue:
    """One reporting verb: its finite forms, its participle and its category hint."""

    base: str
    finite: tuple[str, ...]
    participle: str | None
    category: str | None


_CUES: tuple[Cue, ...] = (
    Cue("say", ("said", "says", "say"), "saying", None),
    Cue("think", ("thinks",), None, "opinion"),
    Cue("expect", ("expects", "expected"), None, "prediction"),
    Cue("refute", ("refuted", "refutes"), "refuting", None),
    Cue("tell", ("told", "tells"), "telling", None),
    Cue("warn", ("warned", "warns", "warn"), "warning", "warning"),
    Cue("caution", ("cautioned", "cautions"), "cautioning", "warning"),
    Cue("threaten", ("threatened", "threatens"), "threatening", "warning"),
    Cue("urge", ("urged", "urges"), "urging", "opinion"),
    Cue("emphasise", ("emphasised", "emphasises", "emphasized", "emphasizes"), "emphasising", None),
    Cue("emphasize", (), "emphasizing", None),
    Cue("stress", ("stressed", "stresses"), "stressing", None),
    Cue("suggest", ("suggested", "suggests"), "suggesting", "opinion"),
    Cue("argue", ("argued", "argues", "argue"), "arguing", "opinion"),
    Cue("insist", ("insisted", "insists"), "insisting", "opinion"),
    Cue("claim", ("claimed", "claims", "claim"), "claiming", None),
    Cue("add", ("added", "adds"), "adding", None),
    Cue("state", ("stated",), "stating", None),
    Cue("note", ("noted", "notes"), "noting", None),
    Cue("acknowledge", ("acknowledged", "acknowledges"), "acknowledging", None),
    Cue("highlight", ("highlighted",), "highlighting", None),
    Cue("predict", ("predicted", "predicts"), "predicting", "prediction"),
    Cue("forecast", ("forecast", "forecasts"), "forecasting", "prediction"),
    Cue("estimate", ("estimated", "estimates"), "estimating", None),
    Cue("deny", ("denied", "denies"), "denying", None),
    Cue("confirm", ("confirmed", "confirms"), "confirming", None),
    Cue("announce", ("announced", "announces"), "announcing", None),
    Cue("report", ("reported", "reports", "is reporting", "are reporting"), None, None),
    Cue("explain", ("explained", "explains"), "explaining", None),
    Cue("believe", ("believes",), None, "opinion"),
    Cue("allege", ("alleged", "alleges"), "alleging", None),
    Cue("assert", ("asserted", "asserts"), "asserting", None),
    Cue("maintain", ("maintained", "maintains"), "maintaining", None),
    Cue("reveal", ("revealed", "reveals"), "revealing", None),
    Cue("admit", ("admitted", "admits"), "admitting", None),
    Cue("concede", ("conceded", "concedes"), "conceding", None),
    Cue("contend", ("contended", "contends"), "contending", "opinion"),
    Cue("declare", ("declared", "declares"), "declaring", None),
    Cue("recall", ("recalled", "recalls"), "recalling", None),
    Cue("write", ("wrote", "writes"), "writing", None),
    Cue("tweet", ("tweeted",), "tweeting", None),
    Cue("welcome", ("welcomed", "welcomes"), "welcoming", "opinion"),
    Cue("dismiss", ("dismissed", "dismisses"), "dismissing", "opinion"),
    Cue("describe", ("described", "describes"), "describing", None),
    Cue("promise", ("promised", "promises"), "promising", "prediction"),
    Cue("vow", ("vowed", "vows"), "vowing", "prediction"),
    Cue("pledge", ("pledged", "pledges"), "pledging", "prediction"),
    Cue("recommend", ("recommended", "recommends"), "recommending", "opinion"),
    Cue("propose", ("proposed", "proposes"), "proposing", "opinion"),
    Cue("demand", ("demanded", "demands"), "demanding", "opinion"),
    Cue("accuse", ("accused", "accuses"), "accusing", None),
    Cue("complain", ("complained", "complains"), "complaining", "opinion"),
    Cue("point out", ("pointed out", "points out"), "pointing out", None),
    Cue("call for", ("called for", "calls for"), "calling for", "opinion"),
    # Common in news attribution beyond speech verbs (PolNeAR: evaluations, findings,
    # refusals, endorsements); each was checked to be a cue in most of its uses in PolNeAR
    # train (docs/preannotation.md).
    Cue("ask", ("asked", "asks"), "asking", None),
    Cue("call", ("called", "calls"), "calling", None),
    Cue("find", ("found", "finds"), None, None),
    Cue("show", ("showed", "shows"), "showing", None),
    Cue("decline", ("declined", "declines"), "declining", None),
    Cue("endorse", ("endorsed", "endorses"), "endorsing", "opinion"),
    Cue(
        "criticize",
        ("criticized", "criticizes", "criticised", "criticises"),
        "criticizing",
        "opinion",
    ),
    Cue("respond", ("responded", "responds"), "responding", None),
    Cue("reply", ("replied", "replies"), "replying", None),
    Cue("cite", ("cited", "cites"), "citing", None),
    Cue("agree", ("agreed", "agrees"), "agreeing", "opinion"),
    Cue("question", ("questioned", "questions"), "questioning", None),
    Cue("praise", ("praised", "praises"), "praising", "opinion"),
    Cue("defend", ("defended", "defends"), "defending", None),
    Cue("blast", ("blasted", "blasts"), "blasting", "opinion"),
    Cue("reject", ("rejected", "rejects"), "rejecting", None),
    Cue("attack", ("attacked",), None, "opinion"),
    Cue("refuse", ("refused", "refuses"), None, None),
    Cue("conclude", ("concluded", "concludes"), "concluding", None),
    Cue("indicate", ("indicated", "indicates"), "indicating", None),
    Cue("express", ("expressed", "expresses"), "expressing", None),
    Cue("point to", ("pointed to", "points to"), "pointing to", None),
    Cue("hope", ("hopes", "hoped"), "hoping", "prediction"),
    Cue("mention", ("mentioned", "mentions"), "mentioning", None),
    Cue("condemn", ("condemned", "condemns"), "condemning", "opinion"),
    Cue("post", ("posted",), None, None),
    Cue("seem", ("seemed", "seems"), None, None),
    Cue(
        "issue a warning",
        ("issued a warning", "issued a stark warning", "has issued a warning"),
        None,
        "warning",
    ),
)

CUES: dict[str, Cue] = {}
for _cue in _CUES:
    for _form in (*_cue.finite, *((_cue.participle,) if _cue.participle else ())):
        CUES[_form] = _cue

FINITE_FORMS: frozenset[str] = frozenset(f for c in _CUES for f in c.finite)
PARTICIPLES: frozenset[str] = frozenset(c.participle for c in _CUES if c.participle)


def _alternation(forms: frozenset[str] | set[str]) -> str:
    # Longest first so that "pointed out" wins over a shorter overlapping form.
    return "|".join(
        re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=lambda s: (-len(s), s))
    )


# "issued a stark warning" style phrases: an adjective may sit inside the noun phrase.
WARNING_PHRASE = (
    r"(?:issued|gave|sounded|delivered)\s+(?:a|an)\s+(?:[a-z]+\s+){0,2}?(?:warning|caution)"
)

FINITE_RE = re.compile(
    rf"\b(?P<cue>{WARNING_PHRASE}|{_alternation(FINITE_FORMS)})\b", re.IGNORECASE
)
ACCORDING_RE = re.compile(r"\baccording\s+to\b", re.IGNORECASE)

# A transcript turn opening a sentence: "PENCE: ..." (Rust and Python regex syntax).
TRANSCRIPT_TURN = r"(?-i:^\s*[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,2}:\s)"

# Cheap pre-filter (Rust regex syntax, used by polars over the whole sentence column): only
# sentences matching it go through the per-sentence attribution parser.
PREFILTER = polars_regex(
    r"(?i)\b(?:"
    + _alternation(FINITE_FORMS | PARTICIPLES)
    + r"|according\s+to|issued|gave|sounded|delivered)\b|[\"“”]|"
    + TRANSCRIPT_TURN
)


def cue_category(cue: str | None) -> str | None:
    """Category hint (warning / prediction / opinion) of a cue phrase, if it has one."""
    if not cue:
        return None
    key = re.sub(r"\s+", " ", cue.lower())
    if re.fullmatch(WARNING_PHRASE, key):
        return "warning"
    found = CUES.get(key)
    return found.category if found else None


_WORD_RE = re.compile(r"[A-Za-z]+")
# Every cue form as a word tuple, grouped by its first word, longest first.
_FORMS: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
for _f in FINITE_FORMS | PARTICIPLES:
    _words = tuple(_f.lower().split())
    _FORMS.setdefault(_words[0], []).append((_words, _f in FINITE_FORMS))
for _v in _FORMS.values():
    _v.sort(key=lambda x: -len(x[0]))
_WARN_VERBS = frozenset({"issued", "gave", "sounded", "delivered"})


# Every cue form, for polars ``str.extract_all`` over the whole candidate column (Rust regex:
# leftmost-first alternation, longest forms first, ASCII word boundaries).
CUE_EXTRACT = polars_regex(
    rf"(?i)\b(?:{WARNING_PHRASE}|{_alternation(FINITE_FORMS | PARTICIPLES)})\b"
)


def locate_cues(sent: str, hits: list[str]) -> list[tuple[int, int, str, bool]]:
    """Positions of cue strings already extracted from ``sent`` (in order) by CUE_EXTRACT."""
    out: list[tuple[int, int, str, bool]] = []
    pos = 0
    for h in hits:
        i = sent.find(h, pos)
        if i < 0:
            continue
        key = re.sub(r"\s+", " ", h.lower())
        finite = key in FINITE_FORMS or key not in PARTICIPLES
        out.append((i, i + len(h), h, finite))
        pos = i + len(h)
    return out


def find_cues(sent: str) -> list[tuple[int, int, str, bool]]:
    """Cue occurrences in ``sent`` as (start, end, text, is_finite), in text order.

    A word-by-word lookup instead of one big regex alternation: the attribution parser calls
    this for every candidate sentence, so it must stay cheap.
    """
    toks = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD_RE.finditer(sent)]
    out: list[tuple[int, int, str, bool]] = []
    i, n = 0, len(toks)
    while i < n:
        w = toks[i][2]
        hit = None
        if w in _WARN_VERBS and i + 2 < n and toks[i + 1][2] in ("a", "an"):
            # "issued a (stark) warning": up to two words between the article and the noun.
            for k in range(i + 2, min(i + 5, n)):
                if toks[k][2] in ("warning", "caution"):
                    hit = (toks[i][0], toks[k][1], True, k)
                    break
        if hit is None:
            for words, finite in _FORMS.get(w, ()):
                k = i + len(words)
                if k <= n and all(toks[i + j][2] == words[j] for j in range(1, len(words))):
                    hit = (toks[i][0], toks[k - 1][1], finite, k - 1)
                    break
        if hit is not None:
            s, e, finite, last = hit
            out.append((s, e, sent[s:e], finite))
            i = last + 1
        else:
            i += 1
    return out
