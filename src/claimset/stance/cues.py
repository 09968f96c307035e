"""Lexical stance cues (Rust-regex syntax so polars can count them over a whole column).

Target pairs (a proposition such as "X should be built"):
  SUPPORT  explicit support for doing it ("welcomed", "urged lawmakers to pass", "should be sent");
  OPPOSE   explicit opposition ("rejected", "ruled out", "campaign against", "should not");
  HARM     consequences raised as an argument ("conflict", "dire consequences", "destroy");
           against the proposal by default, *for* it when the harm follows its absence
           ("without it, repeated flooding would ...", "doing nothing is not free") -> FLIP;
  BALANCE  both sides or no position ("divided", "did not take a position") -> neutral.
Headline x body pairs (FNC-1 style): REFUTE ("hoax", "denied", "fake") and HEDGE
("reportedly", "allegedly", "unconfirmed") words, after the FNC-1 baseline's word lists.
"""

from __future__ import annotations

from claimset.claims.regex import polars_regex

SUPPORT = (
    r"(?i)\b(?:support(?:s|ed|ing)?|backs|backed|backing|welcom(?:e|es|ed|ing)|endors(?:e|es|ed|ing)|"
    r"in\s+favou?r\s+of|vot(?:e|ed)\s+(?:to\s+(?:support|endorse|approve)|for)|"
    r"urg(?:e|es|ed|ing)\s+(?:\S+\s+){0,4}?to\s+(?:pass|approve|adopt|build|send|deploy|back|support)|"
    r"should\s+be\s+(?:sent|built|approved|adopted|deployed|passed)|"
    r"(?:only|best)\s+(?:realistic\s+)?(?:way|hope)|first\s+real\s+jobs|would\s+(?:create|bring|raise|protect)|"
    r"(?:less|lower)\s+risk\s+than|cleaner\s+than|bring\s+(?:her|him|them)\s+back|carry\s+the\s+ore|"
    r"approve\s+the\s+application\s+without|must\s+act|deterrence\s+works)"
)
OPPOSE = (
    r"(?i)\b(?:oppos(?:e|es|ed|ing|ition)|against\s+(?:the|any|it|a)\b|reject(?:s|ed|ing)?|"
    r"rul(?:e|es|ed|ing)\s+out|(?:will|would)\s+not\s+(?:send|be\s+part|support|approve)|"
    r"not\s+be\s+part\s+of|refus(?:e|es|ed|ing)|protest(?:s|ed|ing)?|campaign\s+against|"
    r"should\s+not|wrong\s+tool|premature|driven\s+by\s+panic|no\s+clear\s+legal\s+basis|"
    r"unconvinced|dismiss(?:ed|es)?|pause|scrap(?:ped)?|halt(?:ed)?|firmly\s+rejected|"
    r"could\s+not\s+absorb|underestimated|raised\s+alarm|(?:urged|urges)\s+caution|"
    r"(?:carefully\s+)?consider\s+whether|trust\s+a\s+model|shift\s+the\s+risk|cost\s+(?:\S+\s+){0,4}jobs|"
    r"more\s+expensive|fantasy|pretends)"
)
HARM = (
    r"(?i)\b(?:warn(?:s|ed|ing)?|caution(?:s|ed|ing)?|conflict|confrontation|escalat\w*|dire|danger\w*|"
    r"risk(?:s|y)?|destroy\w*|ruin\w*|damage\w*|dry\s+out|flood(?:ing|s|ed)?|uninsurable|"
    r"consequences|ramifications|threat\w*|catastroph\w*|disaster\w*|lose|losses?|cut\s+off|"
    r"inevitab\w*|war\b)"
)
FLIP = r"(?i)\b(?:without\s+(?:it|them|the\s+\w+)|doing\s+nothing|if\s+(?:it|the\s+\w+)\s+(?:is|are)\s+not\s+built|continued\s+flooding)\b"
BALANCE = (
    r"(?i)\b(?:divided|both\s+sides|undecided|(?:did|does)\s+not\s+take\s+a\s+position|somewhere\s+between|"
    r"not\s+everyone|remains?\s+unclear|would\s+not\s+exclude)\b"
)

REFUTE = (
    r"(?i)\b(?:fake|fraud|hoax|false|falsely|deny|denies|denied|denial|nope|doubts?|bogus|debunk\w*|"
    r"pranks?|retract\w*|untrue|fabricat\w*|misleading|myth|satir\w*|not\s+true|no\s+evidence|"
    r"never\s+happened|rumou?rs?\s+(?:are|were)\s+(?:false|untrue))\b"
)
HEDGE = (
    r"(?i)\b(?:allegedly|reportedly|reports?|claims?|claimed|according\s+to|apparently|purportedly|"
    r"unconfirmed|rumou?rs?|may|might|could|suggests?|believed|appears?|unclear|unverified|"
    r"said\s+to|thought\s+to|supposedly|possibly|speculat\w*)\b"
)

# Polars (Rust regex) versions: ASCII word boundaries are much faster (claims/regex.py).
SUPPORT = polars_regex(SUPPORT)
OPPOSE = polars_regex(OPPOSE)
HARM = polars_regex(HARM)
FLIP = polars_regex(FLIP)
BALANCE = polars_regex(BALANCE)
REFUTE = polars_regex(REFUTE)
HEDGE = polars_regex(HEDGE)
