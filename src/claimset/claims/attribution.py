"""Attribution frames: split a sentence into reporting frame (speaker + cue) and claim content.

Handles, in this order:
  1. a direct quote followed by its attribution: ``"...," Varga told the chamber.``
     and the inverted form ``"...," said Bent Jorvik, a retired lorry driver.``;
  2. "according to X" at either end of the sentence;
  3. subject + reporting verb + content: ``Peskov emphasised the inevitability of ...``, with
     lead-in clauses (``In response to ..., Peskov urged ...``), appositives
     (``Dr. Hanne Lykke, a hydrologist ..., warned that ...``), participial continuations
     (``..., warning that ...`` becomes a second claim with the same speaker) and absolute
     constructions (``..., with President Vladimir Putin previously cautioning against ...``);
  4. a bare quote with no attribution in its own sentence (its speaker comes from context).

The claim span is the *content*, not the frame (configs/guidelines/claims.md): no speaker,
no reporting verb, no leading "that"; conditions and hedges stay in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from claimset.claims.cues import (
    ACCORDING_RE,
    FINITE_FORMS,
    FINITE_RE,
    PARTICIPLES,
    find_cues,
    locate_cues,
)
from claimset.claims.editorial import DATELINE_RE
from claimset.claims.speakers import (
    FINITE_VERB_RE,
    LEADING_FUNCTION_WORDS,
    SpeakerMention,
    analyse_subject,
    looks_like_name_part,
    normalise_name,
)

OPEN_QUOTES = '"“‘'
CLOSE_QUOTES = '"”’'
QUOTE_CHARS = '"“”'


@dataclass(frozen=True)
class Attribution:
    """One claim span found in a sentence, with its frame (offsets into the article text)."""

    start: int
    end: int
    speaker: SpeakerMention | None
    cue: str | None
    claim_type: str  # direct_quote | reported_speech | unattributed
    bare_quote: bool = False  # a quote with no attribution of its own: speaker from context
    # The frame's own cue when it introduced no content of its own ("has issued a stark
    # warning, suggesting that ..."): its category (warning) still applies to the content.
    frame_cue: str | None = None
    # Which rule proposed the span (claims.parquet ``rule``; shown to annotators in the
    # prediction's meta): quote_then_attribution | interrupted_quote | subject_cue |
    # trailing_attribution | according_to | bare_quote | transcript.
    rule: str = "subject_cue"


def _alt(forms: frozenset[str]) -> str:
    return "|".join(
        re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=lambda s: (-len(s), s))
    )


_QUOTE_THEN_ATTR = re.compile(
    r"^\s*[\"“]?(?P<q>[^\"“”]+?)[\"”]\s*,?\s*(?P<attr>[^\"“”]+?)\s*[.!]?\s*$"
)
# A quote interrupted by its attribution: "“I think ...,” she told CBC, “so it ...”".
_INTERRUPTED = re.compile(
    r"[\"”],?\s+(?P<attr>[^\"“”]{1,80}?)\s*,\s*[\"“]",
)
_INVERTED = re.compile(rf"^(?P<cue>{_alt(FINITE_FORMS)})\s+(?P<np>.+)$", re.IGNORECASE)
_TRAILING_AUX = re.compile(
    r"(?:\s+(?:has|have|had|also|previously|repeatedly|later|then|again|publicly|privately|firmly|"
    r"strongly|earlier|once|recently|reportedly|allegedly|further|initially|subsequently|already|"
    r"has\s+also|had\s+also|himself|herself|themselves|today|yesterday|"
    # A relative pronoun before the cue: "reports from Mark Gurman that also said ...".
    r"that|who|which))+\s*$",
    re.IGNORECASE,
)
_LEADING_CONJ = re.compile(
    r"^\s*(?:and|but|while|as|with|so|yet|however|meanwhile|then|when)\s+", re.IGNORECASE
)
# Adverbials allowed between a cue and its "that": "told parliament on Thursday that ...".
_THAT_AFTER = re.compile(
    r"^(?P<pre>(?:[\s,]+(?!that\b)[\w’'.-]+){0,7}?)[\s,]+that\s+(?=\S)",
    re.IGNORECASE,
)
_ADVERBIAL_ONLY = re.compile(
    r"^(?:[\s,]+(?:however|recent|past|several|few|two|three|days|weeks|months|years|in|on|at|to|during|after|before|last|this|on|a|an|the|its|their|his|her|statement|"
    r"interview|reporters|journalists|press|conference|briefing|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|week|month|year|night|morning|evening|earlier|later|also|publicly|"
    r"privately|repeatedly|recently|separately|again|further|previously|yesterday|today|"
    r"told|confirmed|by|email|phone|telephone))*$",
    re.IGNORECASE,
)
_SPLIT_FINITE = re.compile(
    rf",?\s+(?:and|but)\s+(?:also\s+)?(?P<cue>{_alt(FINITE_FORMS)})\b(?:\s+that\b)?\s*:?\s*",
    re.IGNORECASE,
)
_SPLIT_PARTICIPLE = re.compile(
    rf",\s+(?:and\s+)?(?P<cue>{_alt(PARTICIPLES)})\b(?:\s+that\b)?\s*:?\s*",
    re.IGNORECASE,
)
# Trailing inverted attribution: "..., said Department of Correction spokesman Jason Kersten."
# / "..., estimates Evan Sparks."
_TRAILING_INVERTED = re.compile(
    rf"^(?P<c>.+?),\s+(?P<cue>{_alt(FINITE_FORMS)})\s+(?P<np>[^,\"“”]{{2,120}}?)\s*[.!]?\s*$",
    re.IGNORECASE,
)
# A transcript turn: "PENCE: Well, look, ...".
_TRANSCRIPT = re.compile(r"^\s*(?P<np>[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,2}):\s+(?P<c>\S.*)$")
# Upper-case labels that are no speaker ("BREAKING: ...").
_LABELS = frozenset(
    ["breaking", "update", "updated", "watch", "read", "exclusive", "photos", "photo", "video",
     "live", "analysis", "opinion", "editor's note", "note", "correction", "related", "more",
     "listen", "warning", "alert", "poll", "q", "a"]
)  # fmt: skip
PRONOUN_WORDS = frozenset(["he", "she", "they", "it", "i", "we", "you", "this", "that"])
_ACCORDING_LEAD = re.compile(r"^\s*According\s+to\s+(?P<np>[^,]+),\s*(?P<c>.+)$", re.IGNORECASE)
_ACCORDING_TAIL = re.compile(
    r"^(?P<c>.+?),?\s+according\s+to\s+(?P<np>[^,.;]+)(?P<tail>[,.;].*)?$", re.IGNORECASE
)


_UTTERANCE_NP = re.compile(
    r"\b(?:remarks?|comments?|statements?|words|warnings?|speech|testimony)\s+(?:made\s+)?(?:by|from|of)\s+[A-Z]"
    r"|[’']s?\s+(?:\w+\s+)?(?:remarks?|comments?|statements?|words|warnings?|speech|testimony)\s*,$",
    re.IGNORECASE,
)
# A capitalised subject followed by a past-tense verb: the main clause before a participle.
_MAIN_SUBJECT = re.compile(
    r"^(?P<np>(?:[A-ZÀ-ÖØ-Þ][\w’'./-]*\s+){1,5})(?:[a-z]+ly\s+|further\s+|also\s+)?"
    r"(?:[a-z]+ed|told|said|gave|made|held|met|wrote|took|were|was|are|is|have|has|had)\b"
)


_NAME_OF = re.compile(r"^\s*[A-Z][\w’'-]+\s+[A-Z][\w’'-]+\s+(?:of|from)\s+[A-Z]")
_PLACE_PART = re.compile(r"^\s*(?:(?:[A-Z][\w’'.-]*|in|of|the)\s*){1,4}$")


def _quote_open(text: str) -> bool:
    """True when ``text`` ends inside an open quotation."""
    straight = text.count('"') % 2 == 1
    curly = text.count("“") > text.count("”")
    return straight or curly


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past spaces, framing punctuation and one balanced pair of quotes."""
    while start < end and text[start] in " \t\n,:;":
        start += 1
    while end > start and text[end - 1] in " \t\n,.;:!":
        end -= 1
    if start < end and text[start] in OPEN_QUOTES:
        start += 1
        while end > start and text[end - 1] in CLOSE_QUOTES + " ,.;:":
            end -= 1
    elif end > start and text[end - 1] in CLOSE_QUOTES and not _quote_open(text[start : end - 1]):
        end -= 1
        while end > start and text[end - 1] in " ,.;:":
            end -= 1
    return start, end


def _is_quote(text: str, start: int, end: int) -> bool:
    """True when the trimmed content [start, end) of ``text`` was a direct quotation."""
    return start > 0 and text[start - 1] in OPEN_QUOTES


def _words(text: str) -> int:
    return len(text.split())


def _choose_subject(region: str, max_words: int) -> tuple[int, int] | None:
    """Pick the subject phrase inside ``region`` (text before a cue); return its [start, end)."""
    m = _TRAILING_AUX.search(region)
    end = m.start() if m else len(region)
    while end > 0 and region[end - 1] == " ":
        end -= 1
    appositive = end > 0 and region[end - 1] == ","
    body = region[:end].rstrip(", ")
    # Comma-separated parts with their offsets.
    parts: list[tuple[int, int]] = []
    pos = 0
    for piece in body.split(","):
        parts.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    if not parts:
        return None
    if appositive and len(parts) >= 2:
        # "Dr. Hanne Lykke, a hydrologist at ..., warned": the subject is the last part that
        # starts like a name; lower-case parts ("a hydrologist ...") are appositive roles.
        named = [p for p in parts if looks_like_name_part(body[p[0] : p[1]].strip())]
        if not named:
            return None
        s, e = named[-1]
    elif (
        len(parts) >= 2
        and _NAME_OF.match(body[parts[0][0] : parts[0][1]])
        and all(_PLACE_PART.match(body[a:b]) for a, b in parts[1:])
    ):
        # "Colleen Clarke-Murphy of Heart's Desire, Newfoundland in Canada said": the later
        # parts only name places, so the subject runs from the first part.
        s, e = parts[0][0], parts[-1][1]
    else:
        s, e = parts[-1]
    phrase = body[s:e]
    lead = _LEADING_CONJ.match(phrase)
    if lead:
        s += lead.end()
    return (s, e) if _words(body[s:e]) <= max_words else None


def _role_from_appositive(region: str, chosen: tuple[int, int]) -> str | None:
    """Role text of an appositive right after or before the chosen subject (", a hydrologist ...,")."""
    after_raw = region[chosen[1] :]
    after = _TRAILING_AUX.sub("", " " + after_raw.strip(" ,")).strip(" ,")
    if (
        after_raw.lstrip().startswith(",")
        and after
        and not looks_like_name_part(after)
        and not re.match(r"(?:who|which|whose|whom|that)\b", after, re.IGNORECASE)
    ):
        return (
            re.sub(r"^(?:a|an|the)\s+", "", after.split(",")[0].strip(), flags=re.IGNORECASE)
            or None
        )
    before = region[: chosen[0]].rstrip(" ,")
    if before.strip().lower() in LEADING_FUNCTION_WORDS:
        return None  # "But OpenAI said": a conjunction, not a role
    if before and "," not in before and _words(before) <= 6 and not FINITE_VERB_RE.search(before):
        return before.strip() or None
    return None


def _content_start(text: str, pos: int, cue: str) -> int:
    """Where the content starts after a cue ending at ``pos`` (skip "that" and frame adverbials)."""
    rest = text[pos:]
    m = _THAT_AFTER.match(rest)
    if m and (_ADVERBIAL_ONLY.match(m.group("pre")) or cue.lower().startswith(("told", "tell"))):
        return pos + m.end()
    if cue.lower().startswith(("told", "tell")):
        # "told Tolo news, a 24-hour Afghan news broadcaster, she was awakened ...": skip the
        # addressee (and its appositive) up to the last comma within a short window.
        window = rest[:120]
        commas = [i for i, ch in enumerate(window) if ch == ","]
        if commas and _words(window[: commas[-1]]) <= 12:
            return pos + commas[-1] + 1
    return pos


def _split_content(text: str, start: int, end: int, cue: str) -> list[tuple[int, int, str]]:
    """Split content into propositions at ", warning that" / "and urged" continuations."""
    pieces: list[tuple[int, int, str]] = []
    cur_start, cur_cue = start, cue
    seg = text[start:end]
    cuts = []
    for rx in (_SPLIT_FINITE, _SPLIT_PARTICIPLE):
        for m in rx.finditer(seg):
            if not _quote_open(seg[: m.start()]):
                cuts.append((m.start(), m.end(), m.group("cue")))
    for cs, ce, ccue in sorted(cuts):
        if start + cs < cur_start:
            continue
        pieces.append((cur_start, start + cs, cur_cue))
        cur_start, cur_cue = start + ce, ccue
    pieces.append((cur_start, end, cur_cue))
    out = []
    for s, e, c in pieces:
        s, e = _trim(text, s, e)
        if e > s:
            out.append((s, e, c))
    # A part too short to stand alone ("welcomed the proposal and urged ...") stays joined.
    if len(out) > 1 and any(_words(text[s:e]) < 3 for s, e, _ in out):
        s, e = _trim(text, start, end)
        return [(s, e, cue)]
    return [p for p in out if p[1] > p[0]]


def _parenthetical_end(text: str, pos: int, end: int) -> int:
    """End of a parenthetical participle phrase: the next comma outside quotes, else ``end``."""
    for i in range(pos, end):
        if text[i] == "," and not _quote_open(text[pos:i]):
            return i
    return end


def _frame(
    text: str,
    sent: str,
    s_start: int,
    s_end: int,
    max_subject_words: int,
    cue_hits: list[str] | None = None,
) -> list[Attribution]:
    """Subject + cue + content (see module docstring, case 3)."""
    # 3. Subject + cue + content, first plausible cue wins.
    matches = find_cues(sent) if cue_hits is None else locate_cues(sent, cue_hits)
    for n, (c_start, c_end, cue, finite) in enumerate(matches):
        region = sent[:c_start]
        # "Unconfirmed reports say": a cue form directly followed by another cue is a noun.
        if (
            n + 1 < len(matches)
            and matches[n + 1][0] >= c_end
            and sent[c_end : matches[n + 1][0]].strip() == ""
        ):
            continue
        if n > 0 and c_start < matches[n - 1][1]:
            continue  # "warning" inside "issued a stark warning"
        if _quote_open(region) or not region.strip():
            continue
        out: list[Attribution] = []
        parenthetical = False
        if finite:
            chosen = _choose_subject(region, max_subject_words)
        else:
            stripped = _TRAILING_AUX.sub("", region).rstrip()
            last_comma = stripped.rfind(",")
            last_part = stripped[last_comma + 1 :].strip()
            if re.match(r"^with\s+", last_part, re.IGNORECASE):
                # Absolute construction: "..., with President Vladimir Putin previously cautioning ..."
                ps = region.find(last_part, last_comma + 1 if last_comma >= 0 else 0)
                chosen = (ps + 5, ps + len(last_part))
                lead_s, lead_e = _trim(text, s_start, s_start + max(last_comma, 0))
                if last_comma > 0 and _words(text[lead_s:lead_e]) >= 5:
                    out.append(
                        Attribution(lead_s, lead_e, None, None, "unattributed", rule="lead_clause")
                    )
            elif stripped.endswith(",") and (
                _UTTERANCE_NP.search(stripped) or _words(stripped) <= 5
            ):
                # Parenthetical: "Recent remarks by French President Emmanuel Macron, suggesting ..., have ..."
                chosen = (0, len(stripped) - 1)
                parenthetical = True
            elif stripped.endswith(",") and (sm := _MAIN_SUBJECT.match(stripped)):
                # Participle continuing a main clause: "Labour Minister Annika Lovdahl presented the
                # draft law ..., describing it as ...": the speaker is the main clause's subject.
                chosen = (sm.start("np"), sm.end("np"))
            else:
                continue
        if chosen is None:
            continue
        speaker = analyse_subject(
            region[chosen[0] : chosen[1]], s_start + chosen[0], max_subject_words
        )
        if speaker is None:
            continue
        if speaker.role is None and finite:
            role = _role_from_appositive(region, chosen)
            if role and speaker.kind != "pronoun":
                speaker = SpeakerMention(
                    speaker.name,
                    speaker.start,
                    speaker.end,
                    role,
                    speaker.kind,
                    speaker.gender,
                    speaker.n_name_tokens,
                )
        content_from = _content_start(text, s_start + c_end, cue)
        content_to = _parenthetical_end(text, content_from, s_end) if parenthetical else s_end
        after = text[content_from:s_end].strip()
        front_end = region[: chosen[0]].rstrip().rstrip(",").rstrip()
        if finite and (not after.strip(".!") or after[:1] in ",—–-") and _words(front_end) >= 4:
            # Trailing or parenthetical attribution: "..., mirror.co.uk reported." /
            # "Apple will offer ..., Kuo says, which ..." / "..., experts said — but ...".
            fs, fe = _trim(text, s_start, s_start + len(front_end))
            ctype = "direct_quote" if sent.lstrip()[:1] in OPEN_QUOTES else "reported_speech"
            return [Attribution(fs, fe, speaker, cue, ctype, rule="trailing_attribution")]
        pieces = _split_content(text, content_from, content_to, cue)
        frame_cue = cue if pieces and all(p[2] != cue for p in pieces) else None
        for cs, ce, ccue in pieces:
            if _words(text[cs:ce]) < 2:
                continue
            if text[cs:ce].rstrip().endswith("?"):
                continue
            # _trim stripped the opening quote of a quoted content: it sits right before cs.
            ctype = "direct_quote" if cs > 0 and text[cs - 1] in OPEN_QUOTES else "reported_speech"
            out.append(Attribution(cs, ce, speaker, ccue, ctype, frame_cue=frame_cue))
        if any(a.speaker is not None for a in out):
            return out
    return []


def parse_sentence(
    text: str, s_start: int, s_end: int, max_subject_words: int, cue_hits: list[str] | None = None
) -> list[Attribution]:
    """Find the attributed claims of the sentence ``text[s_start:s_end]`` (article offsets).

    ``cue_hits``: the cue strings of the sentence in order, when already extracted in bulk
    (polars); found here otherwise. Returns an empty list when the sentence has no
    attribution frame; the caller then decides whether it is an unattributed assertion.
    A lede's dateline ("LOS ANGELES (Reuters) - ") is cut from a content span it opens, as
    it is from unattributed claims: the place and agency are not part of what is claimed.
    """
    found = _parse_sentence(text, s_start, s_end, max_subject_words, cue_hits)
    dateline = DATELINE_RE.match(text, s_start, s_end)
    if not dateline or not found:
        return found
    cut = dateline.end()
    out = []
    for a in found:
        if s_start <= a.start < cut < a.end:
            a = replace(a, start=cut)
        sp = a.speaker
        if sp is not None and s_start <= sp.start < cut < sp.end:
            a = replace(a, speaker=replace(sp, start=cut, name=text[cut : sp.end]))
        out.append(a)
    return out


def _parse_sentence(
    text: str, s_start: int, s_end: int, max_subject_words: int, cue_hits: list[str] | None = None
) -> list[Attribution]:
    """Find the attributed claims of the sentence ``text[s_start:s_end]`` (article offsets).

    ``cue_hits``: the cue strings of the sentence in order, when already extracted in bulk
    (polars); found here otherwise. Returns an empty list when the sentence has no
    attribution frame; the caller then decides whether it is an unattributed assertion.
    """
    sent = text[s_start:s_end]
    transcript = _transcript(text, sent, s_start)
    if transcript:
        return transcript
    # Cheap substring gates first: most sentences have no quote or no "according to".
    has_quote = '"' in sent or "“" in sent or "”" in sent
    if cue_hits is not None and not cue_hits:
        # No reporting cue anywhere in the sentence (the bulk extraction is a superset of
        # FINITE_RE / _INVERTED matches, whose spans are bounded by non-word characters):
        # cases 1 and 3 cannot match, only "according to" and a bare quote remain.
        return _according(text, sent, s_start, max_subject_words) or _bare_quote(
            text, sent, s_start, s_end
        )
    # 1. Direct quote, then attribution.
    m = _QUOTE_THEN_ATTR.match(sent) if has_quote else None
    if m:
        attr, a0 = m.group("attr"), s_start + m.start("attr")
        speaker: SpeakerMention | None = None
        cue = None
        inv = _INVERTED.match(attr)
        if inv:
            np = inv.group("np").split(",")[0]
            speaker = analyse_subject(np, a0 + inv.start("np"), max_subject_words)
            cue = inv.group("cue")
        else:
            fm = FINITE_RE.search(attr)
            if fm:
                speaker = analyse_subject(attr[: fm.start()], a0, max_subject_words)
                cue = fm.group("cue")
        if speaker is not None and cue is not None:
            qs, qe = _trim(text, s_start + m.start("q"), s_start + m.end("q"))
            if text[qs:qe].rstrip().endswith("?") or _words(text[qs:qe]) < 2:
                return []
            return [
                Attribution(qs, qe, speaker, cue, "direct_quote", rule="quote_then_attribution")
            ]
    im = _INTERRUPTED.search(sent) if has_quote else None
    if im and any(q in sent[: im.start()] for q in '"“'):
        attr, a0 = im.group("attr"), s_start + im.start("attr")
        fm = FINITE_RE.search(attr)
        if fm and fm.end() >= len(attr.rstrip()) - 25:
            speaker = analyse_subject(attr[: fm.start()], a0, max_subject_words)
            if speaker is not None:
                first_q = min(i for i in (sent.find('"'), sent.find("“")) if i >= 0)
                qs, qe = _trim(text, s_start + first_q, s_end)
                return [
                    Attribution(
                        qs, qe, speaker, fm.group("cue"), "direct_quote", rule="interrupted_quote"
                    )
                ]
    tm = _TRAILING_INVERTED.match(sent)
    if (
        tm
        and not _quote_open(tm.group("c"))
        and _words(tm.group("c")) >= 4
        # The inverted subject is a name ("said Jason Kersten") or an unnamed source ("said
        # a senior official"), never a clause ("said he isn't surprised").
        and (tm.group("np")[:1].isupper() or tm.group("np").lower().startswith(("a ", "an ")))
        and tm.group("np").split()[0].lower() not in PRONOUN_WORDS
    ):
        speaker = analyse_subject(tm.group("np"), s_start + tm.start("np"), max_subject_words)
        if speaker is not None and speaker.kind != "pronoun":
            cs, ce = _trim(text, s_start + tm.start("c"), s_start + tm.end("c"))
            ctype = "direct_quote" if _is_quote(text, cs, ce) else "reported_speech"
            return [
                Attribution(cs, ce, speaker, tm.group("cue"), ctype, rule="trailing_attribution")
            ]
    frame = _frame(text, sent, s_start, s_end, max_subject_words, cue_hits)
    if frame:
        return frame
    return _according(text, sent, s_start, max_subject_words) or _bare_quote(
        text, sent, s_start, s_end
    )


def _transcript(text: str, sent: str, s_start: int) -> list[Attribution]:
    """A transcript turn "PENCE: ..." (upper-case speaker, colon): the turn is the content."""
    m = _TRANSCRIPT.match(sent) if ":" in sent[:40] else None
    if m is None or m.group("np").lower() in _LABELS:
        return []
    cs, ce = _trim(text, s_start + m.start("c"), s_start + len(sent))
    if _words(text[cs:ce]) < 2 or text[cs:ce].rstrip().endswith("?"):
        return []
    raw = m.group("np")
    name = " ".join(w.capitalize() for w in raw.split())
    start = s_start + m.start("np")
    speaker = SpeakerMention(name, start, start + len(raw), None, "person", None, len(raw.split()))
    return [Attribution(cs, ce, speaker, ":", "direct_quote", rule="transcript")]


def _according(text: str, sent: str, s_start: int, max_subject_words: int) -> list[Attribution]:
    """Case 2: "According to X, ..." / "..., according to X."."""
    acc = ACCORDING_RE.search(sent) if "ccording" in sent else None
    if acc is not None and not _quote_open(sent[: acc.start()]):
        for rx in (_ACCORDING_LEAD, _ACCORDING_TAIL):
            am = rx.match(sent)
            if not am:
                continue
            np_start = s_start + am.start("np")
            speaker = analyse_subject(am.group("np"), np_start, max_subject_words)
            np_text = am.group("np").strip()
            if speaker is None and 0 < _words(np_text) <= 8 and not _quote_open(np_text):
                # "according to the Labor Department report": a document, kept as written.
                lead = len(am.group("np")) - len(am.group("np").lstrip())
                speaker = SpeakerMention(
                    normalise_name(np_text), np_start + lead, np_start + lead + len(np_text),
                    None, "org", None,
                )  # fmt: skip
            if speaker is None or speaker.kind == "pronoun":
                continue
            cs, ce = _trim(text, s_start + am.start("c"), s_start + am.end("c"))
            if _words(text[cs:ce]) >= 3:
                ctype = "direct_quote" if _is_quote(text, cs, ce) else "reported_speech"
                return [Attribution(cs, ce, speaker, "according to", ctype, rule="according_to")]
    return []


def _bare_quote(text: str, sent: str, s_start: int, s_end: int) -> list[Attribution]:
    """Case 4: a bare quote (or a quote continuing from the previous sentence)."""
    stripped = sent.strip()
    if stripped and (stripped[0] in '"“' or stripped.rstrip(".").endswith(("”", '"'))):
        if stripped.rstrip('"”').rstrip().endswith("?"):
            return []
        qs, qe = _trim(text, s_start + (len(sent) - len(sent.lstrip())), s_end)
        # A one-word reply ("Yeah.") asserts nothing a reader could check.
        if qe > qs and _words(text[qs:qe]) >= 2:
            return [
                Attribution(qs, qe, None, None, "direct_quote", bare_quote=True, rule="bare_quote")
            ]
    return []
