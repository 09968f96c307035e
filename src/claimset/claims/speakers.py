"""Speaker phrases: find the name inside a subject phrase, normalise it, give it a canonical id.

"Kremlin spokesman Dmitry Peskov" -> name "Dmitry Peskov", role "Kremlin spokesman".
"Mr. Rolf Ekberg, director of the Brenmark Chamber of Commerce," -> "Rolf Ekberg" with the
appositive as role. "The Kremlin" -> "Kremlin". Pronouns are kept as pronouns here and
resolved later against the article's earlier speakers (see :func:`resolve_pronouns`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

PRONOUNS: dict[str, str] = {
    "he": "m",
    "she": "f",
    "they": "group",
    "it": "group",
}

HONORIFICS: dict[str, str | None] = {
    "mr": "m", "mr.": "m", "sir": "m", "lord": "m", "king": "m", "prince": "m",
    "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f", "dame": "f", "lady": "f",
    "queen": "f", "princess": "f",
    "dr": None, "dr.": None, "prof": None, "prof.": None, "rev": None, "rev.": None,
    "gen.": None, "col.": None, "capt.": None, "sen.": None, "rep.": None, "gov.": None,
}  # fmt: skip

# Words that make a capitalised token a title rather than part of a name
# ("French President Emmanuel Macron", "Harbour Minister Ilse Varga").
ROLE_WORDS: frozenset[str] = frozenset(
    [
        "president",
        "minister",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "secretary",
        "chancellor",
        "mayor",
        "governor",
        "senator",
        "councillor",
        "councilor",
        "manager",
        "coach",
        "director",
        "chairman",
        "chairwoman",
        "chair",
        "chief",
        "executive",
        "leader",
        "official",
        "officer",
        "general",
        "commander",
        "ambassador",
        "envoy",
        "judge",
        "justice",
        "attorney",
        "prosecutor",
        "premier",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "cardinal",
        "bishop",
        "professor",
        "economist",
        "analyst",
        "fellow",
        "colleague",
        "editor",
        "founder",
        "owner",
        "head",
        "deputy",
        "representative",
        "adviser",
        "advisor",
        "commissioner",
        "inspector",
        "sheriff",
        "captain",
        "lieutenant",
        "sergeant",
        "colonel",
        "admiral",
        "candidate",
        "mp",
        "rep",
        "ceo",
        "cfo",
        "lawmaker",
        "legislator",
        "congressman",
        "congresswoman",
        "speaker",
        "superintendent",
        "chancellor",
        "mother",
        "father",
        "wife",
        "husband",
        "son",
        "daughter",
        "brother",
        "sister",
        "spokesmen",
    ]
)

DETERMINERS: frozenset[str] = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "some",
        "several",
        "many",
        "most",
        "other",
        "its",
        "their",
        "his",
        "her",
        "our",
    ]
)

# Heads that turn "remarks by X" / "X's remarks" into speaker X.
_UTTERANCE = (
    r"(?:remarks?|comments?|statements?|words|warnings?|claims?|speech|letter|report|testimony)"
)
REMARKS_BY_RE = re.compile(
    rf"\b{_UTTERANCE}\s+(?:made\s+)?(?:by|from|of)\s+(?P<np>.+)$", re.IGNORECASE
)
POSS_REMARKS_RE = re.compile(rf"^(?P<np>.+?)[’']s?\s+(?:\w+\s+)?{_UTTERANCE}$", re.IGNORECASE)
SPOKESMAN_FOR_RE = re.compile(
    r"^(?:an?\s+|the\s+)?(?P<role>(?:\w+\s+)?(?:spokes(?:man|woman|person)|representative|official|source|lawyer|aide))"
    r"\s+(?:for|of|at|from|close\s+to)\s+(?P<np>.+)$",
    re.IGNORECASE,
)
POST_MODIFIER_RE = re.compile(r"\s+(?:of|at|from|with)\s+(?:the\s+)?[A-Z]")
DOMAIN_RE = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+$", re.IGNORECASE)
FINITE_VERB_RE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had|will|would|could|can|may|might|should|must|did|does|do)\b",
    re.IGNORECASE,
)

_TOKEN_RE = re.compile(r"[^\s,]+")
_CAP_RE = re.compile(r"^[\"“(]?[A-ZÀ-ÖØ-ÞĀ-Ž]")
_INITIAL_RE = re.compile(r"^[A-Z]\.$")
_TAIL_NAME_RE = re.compile(r"(?<=\s)(?:[A-ZÀ-ÖØ-Þ][\w’'.-]*\s*){1,3}$")
_WS_RE = re.compile(r"\s+")
_LEAD_DET_RE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_CONTRACTION_RE = re.compile(r"[’'](?:s|ve|d)$")
_POSS_RE = re.compile(r"[’']s?$")
_TRAILING_LOC_RE = re.compile(r"\s+in\s+[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*$")
_CONNECTORS = frozenset({"of", "for", "and", "&"})
GROUP_SPEAKERS = frozenset(
    [
        "experts",
        "officials",
        "doctors",
        "surgeons",
        "analysts",
        "scientists",
        "researchers",
        "police",
        "witnesses",
        "residents",
        "critics",
        "sources",
        "reports",
        "authorities",
        "observers",
        "economists",
        "investigators",
        "prosecutors",
        "officers",
        "campaigners",
        "activists",
        "protesters",
        "farmers",
        "employers",
        "workers",
        "unions",
        "lawmakers",
        "diplomats",
        "spokesmen",
        "spokespeople",
        "studies",
        "polls",
        "data",
        "figures",
    ]
)
# Words that take a noun phrase, never a clause, as their object.
_PREPOSITIONS = frozenset(
    [
        "despite",
        "in",
        "on",
        "at",
        "during",
        "for",
        "from",
        "without",
        "under",
        "over",
        "amid",
        "amidst",
        "following",
        "unlike",
        "like",
        "by",
        "into",
        "through",
        "against",
    ]
)
# A subject phrase never starts with a preposition or subordinator ("Despite Western pledges").
_NOT_SUBJECT_START = _PREPOSITIONS | frozenset(
    [
        "after",
        "before",
        "since",
        "although",
        "though",
        "because",
        "if",
        "when",
        "while",
        "as",
        "about",
    ]
)
_PARTICLES = frozenset(
    ["de", "van", "von", "der", "den", "al", "bin", "da", "di", "du", "le", "la"]
)


@dataclass(frozen=True)
class SpeakerMention:
    """A speaker phrase as found in one sentence, before corpus-level resolution."""

    name: str  # normalised display name ("Dmitry Peskov", "Kremlin", "He")
    start: int  # offsets of the name (or pronoun, or whole phrase) in the article text
    end: int
    role: str | None
    kind: str  # person | org | pronoun | group
    gender: str | None  # m | f | None
    n_name_tokens: int = 0


def normalise_name(text: str) -> str:
    """Collapse whitespace, straighten apostrophes and drop a leading determiner."""
    text = text.replace("’", "'").replace("‘", "'")
    text = _WS_RE.sub(" ", text).strip(" ,;:\"“”'")
    text = _LEAD_DET_RE.sub("", text)
    return text


def speaker_id(name: str) -> str:
    """Canonical id of a normalised speaker name: the same name gets the same id in any article."""
    key = normalise_name(name).lower()
    return "sp-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def _tokens(text: str, base: int) -> list[tuple[str, int, int]]:
    return [(m.group(0), base + m.start(), base + m.end()) for m in _TOKEN_RE.finditer(text)]


def _is_cap(tok: str) -> bool:
    return bool(_CAP_RE.match(tok)) or tok.lower() in _PARTICLES


def _strip_honorific(
    tokens: list[tuple[str, int, int]],
) -> tuple[list[tuple[str, int, int]], str | None]:
    gender = None
    out = []
    for tok in tokens:
        low = tok[0].lower()
        if low in HONORIFICS:
            gender = HONORIFICS[low] or gender
            continue
        out.append(tok)
    return out, gender


def looks_like_name_part(part: str) -> bool:
    """True when a comma-separated part could be the subject (starts with a capital or pronoun)."""
    words = part.split()
    if not words:
        return False
    first = words[0].strip('"“(')
    if first.lower() in PRONOUNS:
        return True
    return bool(_CAP_RE.match(first)) and first.lower() not in DETERMINERS


# Heads of unnamed sources: "a source", "officials", "a person familiar with the talks".
UNNAMED_HEADS = frozenset(
    [
        "source", "sources", "person", "people", "official", "officials", "aide", "aides",
        "insider", "insiders", "someone", "witness", "witnesses", "spokesperson",
        "spokesman", "spokeswoman", "adviser", "advisers", "advisor", "advisors", "staffer",
        "staffers", "diplomat", "diplomats", "expert", "experts", "analyst", "analysts",
        "critic", "critics", "observer", "observers", "senator", "lawmaker", "lawmakers",
        "official", "employee", "employees", "resident", "residents", "attendee", "attendees",
        "donor", "donors", "lawyer", "lawyers", "attorney", "member", "members",
    ]
)  # fmt: skip
_UNNAMED_RE = re.compile(
    r"^(?P<det>an?|the|one|another|two|three|several|some|many|other|most|senior|top|"
    r"multiple|few|\d+)?\s*(?:[a-z][\w-]*\s+){0,3}?(?P<head>[a-z]+)"
    r"(?P<post>\s+(?:familiar\s+with|close\s+to|at|in|with|from|of|for|on|who)\b.*)?$",
    re.IGNORECASE,
)
# Sentence-initial words that are never part of a name ("But OpenAI", "And Trump").
LEADING_FUNCTION_WORDS = frozenset(
    ["but", "and", "or", "so", "yet", "then", "now", "still", "however", "meanwhile", "when",
     "while", "if", "as", "after", "before", "because", "though", "although", "also"]
)  # fmt: skip
_TRAILING_ACRONYM_RE = re.compile(r"\s*\((?:[A-Z][\w.&-]*)\)$")


def unnamed_mention(phrase: str, base: int) -> SpeakerMention | None:
    """An unnamed source kept as written ("a source", "officials", "the source", "a person at
    the fundraiser"); kind ``unnamed`` (``unnamed_def`` for a definite singular "the source",
    which refers back to an earlier unnamed source)."""
    lead = len(phrase) - len(phrase.lstrip())
    text = phrase.strip().rstrip(" ,;:")
    m = _UNNAMED_RE.match(text)
    if not m or m.group("head").lower() not in UNNAMED_HEADS or any(c.isupper() for c in text[1:]):
        return None
    det = (m.group("det") or "").lower()
    head = m.group("head").lower()
    kind = "unnamed_def" if det == "the" and not head.endswith("s") else "unnamed"
    start = base + lead
    return SpeakerMention(normalise_name(text), start, start + len(text), None, kind, None)


def analyse_subject(phrase: str, base: int, max_words: int) -> SpeakerMention | None:
    """Analyse a subject noun phrase starting at article offset ``base``; None if implausible.

    The phrase must be short, contain no finite verb and start like a noun phrase; otherwise
    the "cue" we found is not the head of a reporting clause (e.g. "the claims were denied").
    """
    lead = len(phrase) - len(phrase.lstrip())
    phrase_s = phrase.strip()
    base += lead
    # Strip trailing punctuation but keep offsets.
    phrase_s = phrase_s.rstrip(" ,;:")
    if not phrase_s or any(q in phrase_s for q in '"“”'):
        return None
    words = phrase_s.split()
    if len(words) > max_words or FINITE_VERB_RE.search(phrase_s):
        return None
    low = phrase_s.lower()
    contracted = _CONTRACTION_RE.sub("", low)
    if low in PRONOUNS or contracted in PRONOUNS:
        pron = low if low in PRONOUNS else contracted
        return SpeakerMention(
            phrase_s[: len(pron)], base, base + len(pron), None, "pronoun", PRONOUNS[pron]
        )
    if words[0].lower() in _NOT_SUBJECT_START:
        # "After the operation Iga said": keep only the trailing capitalised name.
        first_end = len(words[0])
        tail = _TAIL_NAME_RE.search(phrase_s, first_end)
        if not tail:
            return None
        if words[0].lower() in _PREPOSITIONS and not phrase_s[first_end : tail.start()].strip():
            # "Despite Western pledges": a name right after a preposition is its object
            # (after a conjunction it is a subject: "Though Clarke-Murphy says").
            return None
        return analyse_subject(phrase_s[tail.start() :], base + tail.start(), max_words)
    if low in {"i", "we", "you"}:
        return None  # first/second person outside quotes: the writer, not a reported speaker
    if words[0].lower() in LEADING_FUNCTION_WORDS and len(words) > 1:
        # "But OpenAI said": the conjunction is not part of the name.
        first_end = len(words[0])
        rest = phrase_s[first_end:]
        return analyse_subject(rest, base + first_end, max_words)
    unnamed = unnamed_mention(phrase_s, base)
    if unnamed is not None:
        return unnamed
    if _POSS_RE.search(phrase_s) or words[-1].lower() in DETERMINERS | {
        "of",
        "to",
        "for",
        "by",
        "in",
        "on",
    }:
        return None
    if DOMAIN_RE.match(phrase_s):
        # A web site as source: "mirror.co.uk reported".
        return SpeakerMention(phrase_s, base, base + len(phrase_s), None, "org", None)
    m = REMARKS_BY_RE.search(phrase_s)
    if m:
        return analyse_subject(m.group("np"), base + m.start("np"), max_words)
    m = POSS_REMARKS_RE.match(phrase_s)
    if m:
        return analyse_subject(m.group("np"), base + m.start("np"), max_words)
    m = SPOKESMAN_FOR_RE.match(phrase_s)
    if m:
        inner = analyse_subject(m.group("np"), base + m.start("np"), max_words)
        if inner is not None:
            return replace(inner, role=m.group("role").lower(), kind="org")
    # "neurosurgeon Professor Dawid Larysz": a lower-case title before a name is fine;
    # "experts", "officials": a lower-case group of speakers is fine too.
    if (
        not looks_like_name_part(phrase_s)
        and words[0].lower() not in DETERMINERS
        and not (
            words[0].lower() in ROLE_WORDS
            or words[-1].lower() in GROUP_SPEAKERS
            or any(_CAP_RE.match(w) for w in words[1:])
        )
    ):
        return None
    # "the Humane Society of Tampa Bay in Florida": a trailing location is not part of the name.
    loc = _TRAILING_LOC_RE.search(phrase_s)
    if loc and loc.start() > 0:
        phrase_s = phrase_s[: loc.start()]
        words = phrase_s.split()
    orgrole = re.match(
        r"^(?:(?:[Aa]n?|[Tt]he)\s+)?(?P<org>(?:[A-Z][\w’'.&/-]*\s+){1,4}?)(?P<role>[a-z]+)$",
        phrase_s,
    )
    if orgrole and orgrole.group("role") in ROLE_WORDS:
        org = orgrole.group("org").strip()
        return SpeakerMention(
            normalise_name(org),
            base + orgrole.start("org"),
            base + orgrole.start("org") + len(org),
            orgrole.group("role"),
            "org",
            None,
        )
    # "Union leader Tomas Reiner of the General Workers' Federation": the post-modifier is role.
    post = None
    pm = POST_MODIFIER_RE.search(phrase_s)
    head = phrase_s
    if pm:
        cand_head = phrase_s[: pm.start()]
        head_tokens = _tokens(cand_head, base)
        if (
            len(head_tokens) >= 2
            and all(_is_cap(t[0]) for t in head_tokens[-2:])
            and not _looks_like_org(" ".join(t[0] for t in head_tokens[-2:]))
        ):
            head, post = cand_head, phrase_s[pm.start() :].strip()
    tokens = _tokens(head, base)
    tokens, gender = _strip_honorific(tokens)
    if tokens and tokens[0][0].lower() in DETERMINERS:
        det_end = tokens[0][2]
        tokens = tokens[1:]
    else:
        det_end = base
    if not tokens:
        return None
    # The trailing run of capitalised tokens, cut after the last role word, is the name.
    run_start = len(tokens)
    while run_start > 0 and (
        _is_cap(tokens[run_start - 1][0])
        or _INITIAL_RE.match(tokens[run_start - 1][0])
        # "Times of India", "Humane Society of Tampa Bay": a connector between capitals.
        or (
            tokens[run_start - 1][0] in _CONNECTORS
            and run_start >= 2
            and _is_cap(tokens[run_start - 2][0])
        )
    ):
        run_start -= 1
    name_start = run_start
    for i in range(run_start, len(tokens)):
        if tokens[i][0].lower().strip(".") in ROLE_WORDS:
            name_start = i + 1
    name_tokens = tokens[name_start:]
    poss = [i for i, t in enumerate(name_tokens[:-1]) if _POSS_RE.search(t[0])]
    if poss:
        # "KGI Securities' Ming Chi Kuo": the possessive prefix is the affiliation (role).
        name_start += poss[-1] + 1
        name_tokens = tokens[name_start:]
    role_tokens = [t for t in tokens[:name_start] if t[0].lower() not in HONORIFICS]
    role = " ".join(t[0] for t in role_tokens) or None
    if post:
        role = f"{role} {post}" if role else post
    if name_tokens:
        start, end = name_tokens[0][1], name_tokens[-1][2]
        # "Association (UCEA)": the acronym in brackets is not part of the name.
        name = normalise_name(_TRAILING_ACRONYM_RE.sub("", " ".join(t[0] for t in name_tokens)))
        if not name:
            return None  # only a bracketed acronym or punctuation: not a name
        # Several capitalised tokens after a title are a person ("Ilse Varga"); a single one
        # may be a surname ("Peskov") or an organisation ("Kremlin"): decided by resolution.
        kind = "person" if (len(name_tokens) >= 2 and role_tokens) or gender else "unknown"
        if len(name_tokens) >= 2 and not _looks_like_org(name):
            kind = "person"
        elif _looks_like_org(name):
            kind = "org"
        return SpeakerMention(name, start, end, role, kind, gender, len(name_tokens))
    # No capitalised name: an organisation or group described in lower case
    # ("the national infrastructure agency", "Independent economists").
    start = max(det_end, tokens[0][1])
    end = tokens[-1][2]
    head = tokens[-1][0].lower().strip(".,")
    # The head must be a speaker noun ("This follows previous reports" is no subject).
    if not (
        head in GROUP_SPEAKERS
        or head in ROLE_WORDS
        or _looks_like_org(head)
        or head.endswith(("ers", "ists", "ments", "ians", "ors", "ies", "ants", "ents"))
    ):
        return None
    return SpeakerMention(
        normalise_name(phrase_s[start - base : end - base]), start, end, None, "group", None
    )


_ORG_WORDS = re.compile(
    r"\b(?:agency|ministry|department|council|government|company|association|federation|union|"
    r"institute|university|board|committee|commission|chamber|bank|party|office|court|police|"
    r"army|military|kremlin|pentagon|white house|nato|un|eu|group|organisation|organization|"
    r"corporation|inc|ltd|news|times|post|agency|service|authority|parliament|congress|senate|"
    r"society|foundation|observatory|center|centre|securities|journal|network|independent|"
    r"guardian|telegraph|herald|tribune|reuters|press)\b",
    re.IGNORECASE,
)


def _looks_like_org(name: str) -> bool:
    return bool(_ORG_WORDS.search(name))


def surname_index(full_names: Iterable[str]) -> dict[str, str]:
    """Map a surname (or a first name) to the only full name with it; ambiguous keys are left out.

    Surnames win over first names: "Musk" -> "Elon Musk"; "Iga" -> "Iga Jasica" only when no
    full name ends with "Iga".
    """
    last: dict[str, set[str]] = {}
    first: dict[str, set[str]] = {}
    for full in full_names:
        parts = full.split()
        if len(parts) >= 2:
            last.setdefault(parts[-1].lower(), set()).add(full)
            first.setdefault(parts[0].lower(), set()).add(full)
    out = {k: next(iter(v)) for k, v in first.items() if len(v) == 1}
    out.update({k: next(iter(v)) for k, v in last.items() if len(v) == 1})
    return out


_CAPWORD = r"[A-ZÀ-ÖØ-Þ][\w’'-]+"
_BEFORE_RE = re.compile(rf"((?:{_CAPWORD}\s+(?:[A-Z]\.\s+)*){{1,3}})$")
_AFTER_RE = re.compile(rf"^\s+({_CAPWORD})(?=[\s,.;:’']|$)")


def _occurrences(text: str, token: str) -> list[int]:
    """Start offsets of ``token`` as a whole word in ``text`` (plain string search)."""
    out, i, n = [], text.find(token), len(token)
    if n == 0:
        return []
    while i >= 0:
        before = text[i - 1] if i > 0 else " "
        after = text[i + n] if i + n < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            out.append(i)
        i = text.find(token, i + n)
    return out


def expand_name(text: str, token: str) -> str | None:
    """The one fuller person name in ``text`` that ends (or starts) with ``token``, if unique.

    "Peskov" -> "Dmitry Peskov" when the article also says "Kremlin spokesman Dmitry Peskov";
    "Iga" -> "Iga Jasica". Plain string search plus two precompiled patterns, so the cost does
    not grow with the number of names in the article. Surnames win over first names.
    """
    if not token.strip():
        return None  # nothing to expand (and an empty token would match everywhere)
    hits = _occurrences(text, token)
    found: set[str] = set()
    for i in hits:
        m = _BEFORE_RE.search(text[max(0, i - 80) : i])
        if not m:
            continue
        words = [_POSS_RE.sub("", w) for w in m.group(1).split()]
        cut = 0
        for k, w in enumerate(words):
            low = w.lower().strip(".")
            if (
                low in ROLE_WORDS
                or low in DETERMINERS
                or low in LEADING_FUNCTION_WORDS
                or low in _NOT_SUBJECT_START
                or w.lower() in HONORIFICS
                or w.endswith(("'", "’"))
            ):
                cut = k + 1
        words = words[cut:][-2:]
        if words and not _looks_like_org(" ".join([*words, token])):
            found.add(normalise_name(" ".join([*words, token])))
    if len(found) == 1:
        return found.pop()
    if found:
        return None
    firsts = set()
    for i in hits:
        m = _AFTER_RE.match(text[i + len(token) : i + len(token) + 40])
        if (
            m
            and m.group(1).lower() not in ROLE_WORDS
            and not _looks_like_org(f"{token} {m.group(1)}")
        ):
            firsts.add(f"{token} {m.group(1)}")
    return normalise_name(firsts.pop()) if len(firsts) == 1 else None
