"""A small learned attribution tagger: source / cue / content spans, trained on PolNeAR train.

Why a model beside the rules: news attributes far more than speech ("Clinton blasted him for
...", "polls show ...", "Trump promising to ..."). The rules see the reporting verbs they
list; the tagger learns the rest from PolNeAR's annotations.

- Tokens of each paragraph are tagged ``O``, ``B-/I-S`` (source), ``B-/I-C`` (cue),
  ``B-/I-N`` (content). Per-token features are hashed words, shapes and affixes in a +/-2
  window, plus context a linear model cannot see from the window: position relative to the
  nearest reporting-verb of the rules' lexicon in the sentence, inside/outside a quotation,
  first/last token of the sentence.
- A logistic-regression classifier (scikit-learn ``SGDClassifier``, log loss, fixed seed,
  one thread: deterministic) gives tag probabilities; Viterbi decoding with tag-transition
  probabilities counted on train picks the paragraph's best tag sequence.
- Spans become attributions: each content run goes to the nearest cue in its paragraph, each
  source run to the nearest cue; a cue with content is an attribution.

The weights are trained by the ``attribution_model`` stage from ``../shared/data/polnear/``
and are never committed or shipped: the corpus states no licence. Without the corpus there is
no model and the rules serve alone (claims/candidates.py).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import pickle
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claimset.claims.cues import FINITE_FORMS, PARTICIPLES

TAGS = ("O", "B-S", "I-S", "B-C", "I-C", "B-N", "I-N")
_TAG_INDEX = {t: i for i, t in enumerate(TAGS)}
_TOKEN_RE = re.compile(r"\w+(?:[’'.\-]\w+)*|[^\w\s]")
_CUE_WORDS = frozenset(w for f in FINITE_FORMS | PARTICIPLES for w in [f.split()[0].lower()])
_QUOTES_OPEN = frozenset('"“')
_QUOTES_CLOSE = frozenset('"”')
N_FEATURES = 2**18
FORMAT = "claimset-attribution-tagger-1"

Range = tuple[int, int]
# (normalised text, sentences, gold (content, source, cue) ranges per attribution)
TrainingDoc = tuple[
    str, Sequence["Sentence"], Sequence[tuple[Sequence[Range], Sequence[Range], Sequence[Range]]]
]


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article: [start, end) in the article text and its paragraph."""

    start: int
    end: int
    paragraph: int


@dataclass(frozen=True)
class TaggedAttribution:
    """A predicted attribution: content ranges, source ranges, cue range, and a score."""

    content: tuple[Range, ...]
    source: tuple[Range, ...]
    cue: Range | None
    score: float


def _shape(word: str) -> str:
    s = re.sub(r"[A-Z]", "X", word)
    s = re.sub(r"[a-z]", "x", s)
    s = re.sub(r"\d", "d", s)
    return re.sub(r"(.)\1+", r"\1\1", s)


def paragraph_tokens(text: str, sentences: Sequence[Sentence]) -> list[list[tuple[int, int, int]]]:
    """Tokens (start, end, sentence number) of each paragraph, in text order."""
    paras: dict[int, list[tuple[int, int, int]]] = {}
    for k, s in enumerate(sentences):
        toks = paras.setdefault(s.paragraph, [])
        for m in _TOKEN_RE.finditer(text, s.start, s.end):
            toks.append((m.start(), m.end(), k))
    return [paras[p] for p in sorted(paras)]


def _features(text: str, toks: list[tuple[int, int, int]]) -> list[list[str]]:
    words = [text[s:e] for s, e, _ in toks]
    low = [w.lower() for w in words]
    sent = [k for _, _, k in toks]
    n = len(toks)
    is_cue = [w in _CUE_WORDS for w in low]
    # "according to" counts as a cue too.
    for i in range(n - 1):
        if low[i] == "according" and low[i + 1] == "to":
            is_cue[i] = True
    # Quotation state before each token (within the paragraph).
    inside = []
    state = False
    for w in words:
        if w in _QUOTES_OPEN and w != '"':
            state = True
            inside.append(False)
            continue
        if w in _QUOTES_CLOSE and w != '"':
            state = False
            inside.append(False)
            continue
        if w == '"':
            state = not state
            inside.append(False)
            continue
        inside.append(state)
    # Nearest cue in the same sentence, before and after.
    prev_cue = [-1] * n
    last = -1
    for i in range(n):
        if i > 0 and sent[i] != sent[i - 1]:
            last = -1
        prev_cue[i] = last
        if is_cue[i]:
            last = i
    next_cue = [-1] * n
    last = -1
    for i in range(n - 1, -1, -1):
        if i < n - 1 and sent[i] != sent[i + 1]:
            last = -1
        next_cue[i] = last
        if is_cue[i]:
            last = i
    bounds: dict[int, tuple[int, int]] = {}
    for i, k in enumerate(sent):
        lo, _ = bounds.get(k, (i, i))
        bounds[k] = (lo, i + 1)

    def pc_bucket(pc: int, i: int) -> str:
        return str(min(i - pc, 6)) if pc >= 0 else "none"

    def nc_bucket(nc: int, i: int) -> str:
        return str(min(nc - i, 6)) if nc >= 0 else "none"

    feats: list[list[str]] = []
    for i in range(n):
        w, lw = words[i], low[i]
        f = [
            "b",
            "w=" + lw,
            "sh=" + _shape(w),
            "s3=" + lw[-3:],
            "p2=" + lw[:2],
            f"cue={is_cue[i]}",
            f"q={inside[i]}",
        ]
        for d in (-3, -2, -1, 1, 2, 3):
            j = i + d
            if 0 <= j < n and sent[j] == sent[i]:
                f.append(f"w{d}=" + low[j])
                f.append(f"sh{d}=" + _shape(words[j]))
                f.append(f"cue{d}={is_cue[j]}")
            else:
                f.append(f"w{d}=<edge>")
        f.append("w-1w=" + (low[i - 1] if i > 0 else "") + "|" + lw)
        f.append("ww+1=" + lw + "|" + (low[i + 1] if i + 1 < n else ""))
        # Where in its sentence the token is (by fifths) and whether a quote is open there.
        s_lo, s_hi = bounds[sent[i]]
        f.append(f"pos={(5 * (i - s_lo)) // max(s_hi - s_lo, 1)}")
        f.append(f"q|pc={inside[i]}|{pc_bucket(prev_cue[i], i)}")
        f.append(f"cap|nc={w[:1].isupper()}|{nc_bucket(next_cue[i], i)}")
        if i == 0 or sent[i - 1] != sent[i]:
            f.append("sent_first")
        if i == n - 1 or sent[i + 1] != sent[i]:
            f.append("sent_last")
        if sent[i] == sent[0]:
            f.append("para_first_sentence")
        pc, nc = prev_cue[i], next_cue[i]
        f.append("pc=" + (str(min(i - pc, 6)) if pc >= 0 else "none"))
        f.append("nc=" + (str(min(nc - i, 6)) if nc >= 0 else "none"))
        if pc >= 0:
            f.append("pcw=" + low[pc])
        if nc >= 0:
            f.append("ncw=" + low[nc])
        if is_cue[i]:
            f.append(f"cue_q={inside[i]}|{lw}")
        feats.append(f)
    return feats


def _hash(feats: list[list[str]], n_features: int = N_FEATURES) -> Any:
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False)
    return hasher.transform(feats)


def gold_tags(
    toks: list[tuple[int, int, int]],
    gold: Iterable[tuple[Sequence[Range], Sequence[Range], Sequence[Range]]],
) -> list[str]:
    """BIO tags of ``toks`` from gold (content, source, cue) ranges: source and cue win over
    content (a nested attribution's frame inside another's content)."""
    n = len(toks)
    kind = ["O"] * n
    span = [-1] * n
    starts = [t[0] for t in toks]
    sid = 0

    def mark(ranges: Sequence[Range], k: str) -> None:
        nonlocal sid
        sid += 1
        for s, e in ranges:
            i = bisect.bisect_left(starts, s)
            if i > 0 and toks[i - 1][1] > s:
                i -= 1
            while i < n and toks[i][0] < e:
                kind[i], span[i] = k, sid
                i += 1

    items = list(gold)
    for content, _, _ in items:
        mark(content, "N")
    for _, source, cue in items:
        mark(source, "S")
        mark(cue, "C")
    tags = []
    for i in range(n):
        if kind[i] == "O":
            tags.append("O")
        elif i > 0 and kind[i - 1] == kind[i] and span[i - 1] == span[i]:
            tags.append("I-" + kind[i])
        else:
            tags.append("B-" + kind[i])
    return tags


@dataclass
class AttributionTagger:
    """A trained tagger (classifier + transition log-probabilities)."""

    classifier: Any
    transitions: np.ndarray  # log P(tag_j | tag_i), shape (T, T)
    start: np.ndarray  # log P(tag at paragraph start)
    version: str
    # Multiplier of P(O) at decoding: below 1 trades precision for recall.
    o_scale: float = 1.0
    n_features: int = N_FEATURES

    def _viterbi(self, logp: np.ndarray) -> list[int]:
        n, t = logp.shape
        score = self.start + logp[0]
        back = np.zeros((n, t), dtype=np.int64)
        for i in range(1, n):
            cand = score[:, None] + self.transitions
            back[i] = np.argmax(cand, axis=0)
            score = cand[back[i], np.arange(t)] + logp[i]
        path = [int(np.argmax(score))]
        for i in range(n - 1, 0, -1):
            path.append(int(back[i][path[-1]]))
        return path[::-1]

    def predict(self, text: str, sentences: Sequence[Sentence]) -> list[TaggedAttribution]:
        """Attributions in one article (offsets into ``text``)."""
        paras = [p for p in paragraph_tokens(text, sentences) if p]
        if not paras:
            return []
        feats = [_features(text, p) for p in paras]
        flat = [f for fs in feats for f in fs]
        proba = self.classifier.predict_proba(_hash(flat, self.n_features))
        # Columns in TAGS order (the classifier may have seen fewer classes).
        full = np.full((proba.shape[0], len(TAGS)), 1e-9)
        for col, cls in enumerate(self.classifier.classes_):
            full[:, int(cls)] = proba[:, col]
        full[:, 0] *= self.o_scale
        logp_all = np.log(np.clip(full, 1e-9, 1.0))
        out: list[TaggedAttribution] = []
        pos = 0
        for toks in paras:
            logp = logp_all[pos : pos + len(toks)]
            probs = full[pos : pos + len(toks)]
            pos += len(toks)
            path = [TAGS[k] for k in self._viterbi(logp)]
            out.extend(_link(toks, path, probs))
        return out

    def save(self, path: str | Path) -> None:
        """Pickle the tagger (an untracked DVC output; never committed)."""
        Path(path).write_bytes(pickle.dumps({"format": FORMAT, "tagger": self}, protocol=5))


def load(path: str | Path) -> AttributionTagger | None:
    """The tagger in ``path``, or None when that file says no model was trained."""
    data = pickle.loads(Path(path).read_bytes())
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a claimset attribution tagger")
    tagger = data.get("tagger")
    return tagger if isinstance(tagger, AttributionTagger) else None


def _runs(toks: list[tuple[int, int, int]], path: list[str]) -> list[tuple[str, int, int]]:
    """(kind, first token, last token + 1) of each tagged run."""
    runs: list[tuple[str, int, int]] = []
    for i, tag in enumerate(path):
        if tag == "O":
            continue
        kind = tag[2]
        if tag.startswith("I-") and runs and runs[-1][0] == kind and runs[-1][2] == i:
            runs[-1] = (kind, runs[-1][1], i + 1)
        else:
            runs.append((kind, i, i + 1))
    return runs


def _link(
    toks: list[tuple[int, int, int]], path: list[str], probs: np.ndarray
) -> list[TaggedAttribution]:
    runs = _runs(toks, path)
    cues = [r for r in runs if r[0] == "C"]
    contents = [r for r in runs if r[0] == "N"]
    sources = [r for r in runs if r[0] == "S"]

    def dist(a: tuple[str, int, int], b: tuple[str, int, int]) -> int:
        if a[2] <= b[1]:
            return b[1] - a[2]
        if b[2] <= a[1]:
            return a[1] - b[2]
        return 0

    def nearest(r: tuple[str, int, int], pool: list[tuple[str, int, int]]) -> int | None:
        if not pool:
            return None
        return min(range(len(pool)), key=lambda k: (dist(r, pool[k]), pool[k][1]))

    by_cue: dict[int, list[tuple[str, int, int]]] = {}
    src_of: dict[int, list[tuple[str, int, int]]] = {}
    orphans: list[tuple[str, int, int]] = []
    for c in contents:
        k = nearest(c, cues)
        if k is None:
            orphans.append(c)
        else:
            by_cue.setdefault(k, []).append(c)
    for s in sources:
        k = nearest(s, cues)
        if k is not None:
            src_of.setdefault(k, []).append(s)

    def rng(r: tuple[str, int, int]) -> Range:
        return toks[r[1]][0], toks[r[2] - 1][1]

    def conf(rs: list[tuple[str, int, int]]) -> float:
        vals = [float(probs[i, _TAG_INDEX[path[i]]]) for r in rs for i in range(r[1], r[2])]
        return float(math.fsum(vals) / len(vals)) if vals else 0.0

    out = []
    for k, cue in enumerate(cues):
        cs = by_cue.get(k)
        if not cs:
            continue
        srcs = src_of.get(k, [])
        if not srcs and sources:
            # Two cues, one source ("X said ... and added ..."): the cue without a source of
            # its own takes the nearest one, preferring one in its own sentence.
            same = [s for s in sources if toks[s[1]][2] == toks[cue[1]][2]]
            srcs = [min(same or sources, key=lambda s: (dist(s, cue), s[1]))]
        if len(srcs) > 1:  # the one nearest the cue
            srcs = [min(srcs, key=lambda s: dist(s, cue))]
        out.append(
            TaggedAttribution(
                tuple(rng(c) for c in cs),
                tuple(rng(s) for s in srcs),
                rng(cue),
                round(conf([*cs, cue, *srcs]), 4),
            )
        )
    for c in orphans:
        k_src = nearest(c, sources)
        srcs = [sources[k_src]] if k_src is not None else []
        out.append(
            TaggedAttribution((rng(c),), tuple(rng(x) for x in srcs), None, round(conf([c]), 4))
        )
    out.sort(key=lambda a: a.content[0])
    return out


def train(
    docs: Iterable[TrainingDoc],
    seed: int = 13,
    epochs: int = 8,
    alpha: float = 2e-6,
    class_weight: dict[str, float] | None = None,
    o_scale: float = 1.0,
) -> AttributionTagger:
    """Train on (text, sentences, gold (content, source, cue) ranges) per article."""
    from sklearn.linear_model import SGDClassifier

    feats: list[list[str]] = []
    labels: list[int] = []
    trans = np.ones((len(TAGS), len(TAGS)))
    start = np.ones(len(TAGS))
    digest = hashlib.sha256()
    for text, sentences, gold in docs:
        digest.update(text.encode("utf-8"))
        for toks in paragraph_tokens(text, sentences):
            if not toks:
                continue
            tags = gold_tags(toks, gold)
            feats.extend(_features(text, toks))
            idx = [_TAG_INDEX[t] for t in tags]
            labels.extend(idx)
            start[idx[0]] += 1
            for a, b in itertools.pairwise(idx):
                trans[a, b] += 1
    x = _hash(feats)
    y = np.asarray(labels)
    clf = SGDClassifier(
        loss="log_loss",
        alpha=alpha,
        max_iter=epochs,
        tol=None,
        random_state=seed,
        shuffle=True,
        average=True,
        class_weight=(
            {_TAG_INDEX[t]: w for t, w in class_weight.items()} if class_weight else None
        ),
    )
    clf.fit(x, y)
    transitions = np.log(trans / trans.sum(axis=1, keepdims=True))
    start_lp = np.log(start / start.sum())
    version = f"attribution-tagger-1+{digest.hexdigest()[:8]}"
    return AttributionTagger(clf, transitions, start_lp, version, o_scale)
