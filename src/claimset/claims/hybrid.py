"""Rules first, the learned tagger for what they miss: one article's attributed claims.

For an article the tagger pre-annotates (claims/model.py), the tagger's attributions become
claims, one per sentence their content covers, with the tagger's source as the speaker
mention (or, when it found none, the rules' speaker of an overlapping claim). A rules claim
stays wherever the tagger proposed nothing that overlaps it. Speakers of both are then
resolved together (pronouns, surnames) by claims/resolve.py, so a tagger's "he" finds the
rules' "Bill de Blasio" and the other way round. (Measured on PolNeAR dev, the tagger's spans
first beat the rules' first: docs/preannotation.md.)
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from claimset.claims.attribution import (
    OPEN_QUOTES,
    Attribution,
    _choose_subject,
    _trim,
    parse_sentence,
)
from claimset.claims.candidates import MODEL_RULE
from claimset.claims.model import AttributionTagger, Sentence
from claimset.claims.resolve import ClaimRow, SentenceRow, rows_of_article
from claimset.claims.speakers import SpeakerMention, analyse_subject, normalise_name


def _mention(text: str, start: int, end: int, max_words: int, prefer: str) -> SpeakerMention | None:
    found = analyse_subject(text[start:end], start, max_words)
    if found is not None or prefer == "rules":
        # Beside the rules, only a source the subject analyser takes ("Kremlin's" and
        # "Despite Western" are not speakers).
        return found
    # A source the subject analyser does not take ("a New York Times article", a long
    # appositive): kept whole, as written.
    return SpeakerMention(normalise_name(text[start:end]), start, end, None, "org", None)


def _subject_before(
    text: str, sentences: Sequence[SentenceRow], cue: tuple[int, int], max_words: int
) -> SpeakerMention | None:
    """The rules' subject of the tagger's cue when the tagger found no source: the noun
    phrase before the cue in its sentence ("Clinton blasted ..."), or right after an
    inverted cue ("..., said Jason Kersten")."""
    k = bisect.bisect_right([s[4] for s in sentences], cue[0]) - 1
    if k < 0:
        return None
    s_start, s_end = sentences[k][4], sentences[k][5]
    region = text[s_start : cue[0]]
    if region.strip(' \t\n,"“”'):
        chosen = _choose_subject(region, max_words)
        if chosen is not None:
            return analyse_subject(region[chosen[0] : chosen[1]], s_start + chosen[0], max_words)
        return None
    after = text[cue[1] : s_end]
    np = after.split(",")[0].rstrip(" .!")
    return analyse_subject(np, cue[1], max_words) if np.strip() else None


def hybrid_article(
    aid: str,
    text: str,
    sentences: Sequence[SentenceRow],
    parse_ids: frozenset[str],
    blocked_ids: frozenset[str],
    tagger: AttributionTagger,
    max_subject_words: int,
    pronoun_window: int,
    prefer: str = "rules",
) -> tuple[list[ClaimRow], list[str]]:
    """Claim rows and attributed sentence ids of one article (sentences in text order).

    ``prefer``: ``rules`` keeps every rules claim and adds the tagger's in sentences the
    rules attributed nothing in; ``model`` lets the tagger's spans win where they overlap.

    ``parse_ids``: sentences the rules parse (the candidates pre-filter); ``blocked_ids``:
    sentences that are never claims (boilerplate, the repeated headline).
    """
    rule_items: list[tuple[int, int, str, Attribution]] = []
    for sid, _aid, para, idx, cs, ce, hits in sentences:
        if sid in parse_ids:
            found = parse_sentence(text, cs, ce, max_subject_words, hits or [])
            rule_items.extend((idx, para, sid, a) for a in found)
    free = [s for s in sentences if s[0] not in blocked_ids]
    starts = [s[4] for s in free]
    tagged = tagger.predict(text, [Sentence(s[4], s[5], s[2]) for s in sentences])
    scores: dict[tuple[int, int], float] = {}
    model_items: list[tuple[int, int, str, Attribution]] = []
    for att in tagged:
        pieces: list[tuple[int, int, str, int, int]] = []
        for start, end in att.content:
            # Cut the content at the sentences it covers (never into a blocked one).
            k = max(bisect.bisect_right(starts, start) - 1, 0)
            while k < len(free) and free[k][4] < end:
                sid, _aid, para, idx, cs, ce, _ = free[k]
                k += 1
                s, e = _trim(text, max(start, cs), min(end, ce))
                # Guidelines: the content without its leading "that".
                if text[s : s + 5].lower() == "that ":
                    s += 5
                if e > s and len(text[s:e].split()) >= 2 and not text[s:e].rstrip().endswith("?"):
                    pieces.append((idx, para, sid, s, e))
        if not pieces:
            continue
        speaker = (
            _mention(text, att.source[0][0], att.source[0][1], max_subject_words, prefer)
            if att.source
            else None
        )
        if speaker is None and att.cue is not None:
            speaker = _subject_before(text, sentences, att.cue, max_subject_words)
        if speaker is None:
            # The rules' speaker of an overlapping claim, when the tagger found no source.
            speaker = next(
                (
                    a.speaker
                    for _, _, _, a in rule_items
                    if a.speaker is not None
                    and any(a.start < e and s < a.end for _, _, _, s, e in pieces)
                ),
                None,
            )
        if prefer == "rules" and (
            speaker is None or (speaker.kind == "unknown" and speaker.n_name_tokens < 2)
        ):
            # Beside the rules, the tagger adds attributions only with a speaker that is a
            # name, a pronoun or an unnamed source (a lone capitalised word is too often
            # not a speaker: "Western pledges").
            continue
        cue = text[att.cue[0] : att.cue[1]] if att.cue else None
        for n, (idx, para, sid, s, e) in enumerate(pieces):
            quote = s > 0 and text[s - 1] in OPEN_QUOTES
            model_items.append(
                (
                    idx,
                    para,
                    sid,
                    Attribution(
                        s,
                        e,
                        speaker,
                        cue if n == 0 else None,
                        "direct_quote" if quote else "reported_speech",
                        bare_quote=speaker is None and quote,
                        rule=MODEL_RULE,
                    ),
                )
            )
            scores[(s, e)] = att.score
    if prefer == "model":
        # The tagger's spans win; a rules claim stays where the tagger proposed nothing.
        winners, others = model_items, rule_items
    else:
        # The rules' claims stay as they are; the tagger adds claims in the sentences the
        # rules attributed nothing in.
        ruled = {sid for _, _, sid, _ in rule_items}
        winners, others = rule_items, [it for it in model_items if it[2] not in ruled]
    taken = sorted((a.start, a.end) for _, _, _, a in winners)
    items = list(winners)
    for it in others:
        a = it[3]
        k = bisect.bisect_left(taken, (a.end, -1))
        if not any(s < a.end and a.start < e for s, e in taken[max(0, k - 8) : k]):
            items.append(it)
    items.sort(key=lambda it: (it[0], it[3].start))
    rows = rows_of_article(aid, text, items, pronoun_window, scores)
    attributed = sorted({sid for _, _, sid, _ in items})
    return rows, attributed
