"""Per-article attribution: parse cue sentences, resolve their speakers within the article.

Pure Python (no polars), so that it can run in worker processes that start quickly: the
``candidates`` stage cuts the corpus into chunks of whole articles and runs
:func:`attribute_chunk` on them in a process pool (claims/candidates.py). Everything here
depends on one article only; what spans the corpus (canonical speaker names) runs after.
"""

from __future__ import annotations

import gc
import pickle
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from claimset.claims.attribution import Attribution, parse_sentence
from claimset.claims.cues import cue_category
from claimset.claims.speakers import SpeakerMention, analyse_subject, expand_name

# (sentence_id, article_id, paragraph, index, char_start, char_end, cue strings or None)
SentenceRow = tuple[str, str, int, int, int, int, "list[str] | None"]
# (article_id, sentence_id, char_start, char_end, speaker, speaker_role, speaker_text,
#  speaker_start, speaker_end, cue, claim_type, category hint, rule, attribution score,
#  speaker unnamed);
#  see ATTRIBUTED_SCHEMA.
ClaimRow = tuple[
    str, str, int, int, "str | None", "str | None", "str | None", "int | None", "int | None",
    "str | None", str, "str | None", str, "float | None", "bool | None",
]  # fmt: skip
# Everything a worker needs: article texts by id, the cue sentences of those articles in
# (article_id, index) order, max_subject_words, pronoun_window.
Chunk = tuple[dict[str, str], list[SentenceRow], int, int]


def _compatible(pronoun_gender: str | None, kind: str, gender: str | None) -> bool:
    if pronoun_gender in ("m", "f"):
        return kind in ("person", "unnamed_def") and gender in (None, pronoun_gender)
    return kind in ("org", "group", "unnamed")


# A capitalised run opening a sentence and followed by a lower-case word (its verb): the
# sentence's subject, a person an "he"/"she" later may refer to although the sentence reports
# nothing ("Joe Biden joined growing calls ...").
_SUBJECT_RE = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=[.!?][\"”’]\s)|(?<=\n))[ \t]*"
    r"((?:(?:[A-ZÀ-ÖØ-Þ][\w’'.-]*|de|van|von|der|al|da|di|du|le|la|bin)\s+){2,6})(?=[a-z])"
)

SUBJECT_LOOKBACK_CHARS = 320

Resolved = tuple[
    Attribution, "str | None", "str | None", "int | None", "int | None", "str | None", "bool | None"
]


def _subject_persons(
    text: str, lo: int, hi: int, max_words: int
) -> list[tuple[int, int, str, str | None, str | None]]:
    """(start, end, name, role, gender) of person subjects of sentences in text[lo:hi]."""
    out = []
    for m in _SUBJECT_RE.finditer(text, lo, hi):
        sp = analyse_subject(m.group(1), m.start(1), max_words)
        if sp is not None and sp.kind == "person" and sp.n_name_tokens >= 2:
            out.append((sp.start, sp.end, sp.name, sp.role, sp.gender))
    return out


def _resolve_article(
    text: str,
    items: list[tuple[int, int, Attribution]],
    window: int,
) -> list[Resolved]:
    """Resolve speakers of one article's attributions, in text order.

    ``items`` are (sentence index, paragraph, attribution). Returns per attribution:
    (attribution, speaker name, role, speaker_start, speaker_end, speaker_text, unnamed).
    """
    # Bare names are expanded by a targeted search, cached per article.
    cache: dict[str, str | None] = {}

    def expand(token: str) -> str | None:
        if token not in cache:
            cache[token] = expand_name(text, token)
        return cache[token]

    # The attributions of each sentence, in item order (a look-up instead of a scan of all items).
    by_sentence: dict[int, list[tuple[int, Attribution]]] = {}
    for i, p, a in items:
        by_sentence.setdefault(i, []).append((p, a))
    # Most recent first: (sentence index, paragraph, name, kind, gender, start, end, role)
    history: list[tuple[int, int, str, str, str | None, int, int, str | None]] = []
    genders: dict[str, str] = {}
    out: list[Resolved] = []
    unnamed_kinds = ("unnamed", "unnamed_def")
    for sidx, para, att in items:
        sp: SpeakerMention | None = att.speaker
        if sp is None:
            if not att.bare_quote:
                out.append((att, None, None, None, None, None, None))
                continue
            # A quote with no attribution of its own continues the latest speaker nearby.
            prev = next((h for h in history if sidx - h[0] <= 2 and h[1] == para), None)
            if prev is None:
                # A quote opening a paragraph is often attributed in the next sentence.
                nxt = next(
                    (
                        a
                        for p, a in by_sentence.get(sidx + 1, ())
                        if p == para and a.speaker is not None and a.claim_type == "direct_quote"
                    ),
                    None,
                )
                if nxt is not None and nxt.speaker is not None and nxt.speaker.kind != "pronoun":
                    sp2 = nxt.speaker
                    out.append(
                        (
                            att,
                            sp2.name,
                            sp2.role,
                            sp2.start,
                            sp2.end,
                            text[sp2.start : sp2.end],
                            sp2.kind in unnamed_kinds,
                        )
                    )
                else:
                    out.append((att, None, None, None, None, None, None))
            else:
                out.append(
                    (
                        att,
                        prev[2],
                        prev[7],
                        prev[5],
                        prev[6],
                        text[prev[5] : prev[6]],
                        prev[3] in unnamed_kinds,
                    )
                )
            continue
        mention = text[sp.start : sp.end]
        if sp.kind == "pronoun":
            cand = None
            for h in history:
                if sidx - h[0] > window:
                    break
                if _compatible(sp.gender, h[3], genders.get(h[2], h[4])):
                    cand = h
                    break
            if sp.gender in ("m", "f"):
                # A person named as a sentence's subject after that speaker is nearer.
                # Only the sentence or two just before: farther back, a reported speaker
                # outranks a name that merely opened a sentence.
                lo = max(cand[6] if cand else 0, sp.start - SUBJECT_LOOKBACK_CHARS)
                people = [
                    q
                    for q in _subject_persons(text, lo, sp.start, 14)
                    if genders.get(q[2], q[4]) in (None, sp.gender)
                ]
                if people:
                    person = people[-1]
                    cand = (
                        sidx,
                        para,
                        person[2],
                        "person",
                        person[4],
                        person[0],
                        person[1],
                        person[3],
                    )
                    history.insert(0, cand)
            if cand is None:
                out.append((att, None, None, sp.start, sp.end, mention, None))
                continue
            if sp.gender in ("m", "f"):
                genders.setdefault(cand[2], sp.gender)
            out.append((att, cand[2], cand[7], sp.start, sp.end, mention, cand[3] in unnamed_kinds))
            continue
        if sp.kind in unnamed_kinds:
            # "..., the source added": the unnamed source named before, as written then.
            name = sp.name
            if sp.kind == "unnamed_def":
                earlier = next(
                    (h for h in history if h[3] in unnamed_kinds and sidx - h[0] <= window), None
                )
                name = earlier[2] if earlier else name
            history.insert(0, (sidx, para, name, sp.kind, None, sp.start, sp.end, None))
            out.append((att, name, None, sp.start, sp.end, mention, True))
            continue
        name, kind = sp.name, sp.kind
        full = expand(name) if sp.n_name_tokens == 1 and kind != "org" else None
        if full is not None:
            name, kind = full, "person"
        elif sp.n_name_tokens == 1 and kind == "unknown":
            # A bare capitalised word that is no one's surname here: treat like an organisation.
            kind = "org"
        if kind in ("org", "unknown") and " " in name:
            # "the Humane Society" after "the Humane Society of Tampa Bay": the fuller name.
            longer = next((h[2] for h in history if h[2].startswith(name + " ")), None)
            name = longer or name
        role = sp.role
        if role is None:
            role = next((h[7] for h in history if h[2] == name and h[7]), None)
        if sp.gender:
            genders.setdefault(name, sp.gender)
        history.insert(0, (sidx, para, name, kind, sp.gender, sp.start, sp.end, role))
        out.append((att, name, role, sp.start, sp.end, mention, False))
    return out


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: the parser makes many small acyclic objects
    (tuples, frozen dataclasses) that it would only rescan, again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def attribute_chunk(chunk: Chunk) -> tuple[list[ClaimRow], list[str]]:
    """Attributed claim rows and the ids of the attributed sentences of a chunk of articles.

    Rows come out in the order of the input sentences' articles, then text order; the same
    for a chunk as for the whole corpus restricted to the chunk's articles.
    """
    with no_gc():
        return _attribute_chunk(*chunk)


def _attribute_chunk(
    texts: dict[str, str], sentences: list[SentenceRow], max_subject_words: int, pronoun_window: int
) -> tuple[list[ClaimRow], list[str]]:
    attributed_ids: list[str] = []
    per_article: dict[str, list[tuple[int, int, str, Attribution]]] = {}
    for sid, aid, para, idx, cs, ce, hits in sentences:
        found = parse_sentence(texts[aid], cs, ce, max_subject_words, hits or [])
        if found:
            attributed_ids.append(sid)
            per_article.setdefault(aid, []).extend((idx, para, sid, a) for a in found)
    rows: list[ClaimRow] = []
    for aid, items in per_article.items():
        rows.extend(rows_of_article(aid, texts[aid], items, pronoun_window))
    return rows, attributed_ids


def rows_of_article(
    aid: str,
    text: str,
    items: list[tuple[int, int, str, Attribution]],
    pronoun_window: int,
    scores: dict[tuple[int, int], float] | None = None,
) -> list[ClaimRow]:
    """Resolve the speakers of one article's attributions (text order) into claim rows.

    ``items``: (sentence index, paragraph, sentence id, attribution); ``scores``: the
    attribution score of a span, where a model gave one.
    """
    rows: list[ClaimRow] = []
    if not items:
        return rows
    resolved = _resolve_article(text, [(i, p, a) for i, p, _, a in items], pronoun_window)
    for (_, _, sid, _), (att, name, role, s_start, s_end, s_text, unnamed) in zip(
        items, resolved, strict=True
    ):
        hint = cue_category(att.cue)
        frame_hint = cue_category(att.frame_cue)
        if frame_hint == "warning" or (hint is None and frame_hint):
            hint = frame_hint
        rows.append(
            (
                aid,
                sid,
                att.start,
                att.end,
                name,
                role,
                s_text,
                s_start,
                s_end,
                att.cue,
                att.claim_type,
                hint,
                att.rule,
                scores.get((att.start, att.end)) if scores else None,
                unnamed,
            )
        )
    return rows


def run_in_workers(chunks: list[Chunk]) -> Iterator[tuple[list[ClaimRow], list[str]]]:
    """:func:`attribute_chunk` of each chunk, one worker process per chunk, results in order.

    Plain subprocesses (``python -m claimset.claims.resolve``) fed by pickle over pipes:
    unlike a multiprocessing pool they neither fork the caller (a forked polars thread pool
    can deadlock) nor re-import its ``__main__`` module, so they start in a fraction of a
    second and need no ``if __name__ == "__main__"`` guard in the calling script.
    """
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "claimset.claims.resolve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for _ in chunks
    ]
    try:
        # Each worker reads its whole chunk before it writes anything: no pipe deadlock.
        for proc, chunk in zip(procs, chunks, strict=True):
            assert proc.stdin is not None
            pickle.dump(chunk, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.close()
        for proc in procs:
            assert proc.stdout is not None
            result: tuple[list[ClaimRow], list[str]] = pickle.load(proc.stdout)
            if proc.wait() != 0:
                raise RuntimeError(f"attribution worker failed with exit code {proc.returncode}")
            yield result
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _serve() -> None:
    """Worker side of :func:`run_in_workers`: one chunk from stdin, its result to stdout."""
    gc.disable()  # a short-lived process of acyclic data
    chunk: Chunk = pickle.load(sys.stdin.buffer)
    pickle.dump(attribute_chunk(chunk), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve()
