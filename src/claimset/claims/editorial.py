"""Sentences that are not claims: editorial framing, scene colour, boilerplate, questions.

Guidelines (configs/guidelines/claims.md): a claim is something a reader could reasonably
answer with "that's not true" or "I disagree". Writers' framing ("underscores the gravity"),
mood ("remains on edge") and scene-setting ("a small crowd stood in the drizzle") are not.
These patterns are Rust-regex syntax so polars can apply them to the whole sentence column.
"""

from __future__ import annotations

import re

from claimset.claims.regex import polars_regex

# Journalistic framing: the writer interprets or dramatises rather than asserting a fact.
FRAMING = (
    r"(?i)\b(?:underscor(?:e|es|ed|ing)|serves?\s+as\s+an?\s+(?:\w+\s+)?reminder|a\s+stark\s+reminder|"
    r"looms?\s+large|loom(?:s|ed|ing)\s+over|(?:remains?|remained|is|are)\s+on\s+edge|on\s+tenterhooks|"
    r"hangs?\s+in\s+the\s+balance|remains?\s+to\s+be\s+seen|only\s+time\s+will\s+tell|"
    r"(?:comes?|came)\s+amid(?:st)?|all\s+eyes\s+(?:are|will\s+be)\s+on|holds?\s+(?:its|their)\s+breath|"
    r"the\s+stakes\s+(?:are|could\s+not\s+be)\s+high|the\s+spectre\s+of|a\s+sign\s+of\s+the\s+times|"
    r"it\s+is\s+(?:worth|important)\s+(?:noting|to\s+note)|the\s+gravity\s+of\s+the\s+situation)"
)

# Scene colour: weather, crowds, sounds and small physical detail with no checkable content.
SCENE = (
    r"(?i)(?:^\s*(?:outside|inside|long\s+after|as\s+the\s+(?:tide|sun|light|rain|evening|night|day)\b)|"
    r"\b(?:drizzle|drizzling|downpour|in\s+the\s+(?:rain|cold|snow|sunshine|wind)|"
    r"(?:half|nearly|almost)\s+(?:full|empty)|only\s+half\s+full|drifted\s+(?:out|off|away)|"
    r"turned\s+up\s+their\s+collars|walked\s+home|horns\s+sounding|pastries|"
    r"(?:still\s+)?singing\s+on\s+the\s+terraces|talking\s+quietly|broke\s+formation)\b)"
)

# Page furniture that survives HTML extraction.
BOILERPLATE = (
    r"(?i)^\s*(?:read\s+more|click\s+here|subscribe|follow\s+us|share\s+this|advertisement|"
    r"image\s*:|photo\s*:|caption\s*:|pictured\s*:|copyright|©|\(?ap\s+photo|getty\s+images|"
    r"sign\s+up|related\s*:|watch\s*:|video\s*:|see\s+also\b|"
    r"this\s+(?:article|story)\s+(?:first|originally)\s+appeared|.*reproduced\s+with\s+permission|"
    # Bylines: "By Nada Tawfik, BBC News, New York" (names are capitalised: case-sensitive).
    r"(?-i:By\s+(?:[A-Z][\w.’'-]*\s*){1,4}(?:$|[,|/]|and\s+[A-Z]))|"
    # Credit lines: "Alex Isenstadt contributed to this report.", "Reporting by ...".
    r".*\bcontributed\s+(?:to\s+this\s+(?:report|story|article)|reporting)|"
    r"(?:additional\s+)?(?:reporting|editing|writing)\s+by\b|"
    # "Source: CDC ...", "Sources: ...", "Credit: ...", "(Photo: ...)".
    r"(?:sources?|credits?|photograph|file\s+photo|\(photo|\(image)\s*[:(]|"
    # Link and teaser lists: "- AVOIDING CONTACT: The rules on ...", "• ...".
    r"[-•–—*]\s|"
    # Newsletter and subscription prompts.
    r".*\b(?:newsletter|our\s+app|download\s+the\s+app|sign\s+up\s+(?:here|now|for|to)|"
    r"get\s+(?:the\s+latest|our)\b|follow\s+(?:us|him|her|the\s+author)\s+on|"
    r"read\s+the\s+(?:rest|full\s+story)|click\s+(?:here|to)|watch\s+the\s+(?:video|full))|"
    # Captions: "(AP Photo/...)", "Photo by ...", "Image copyright ...".
    r".*\((?:ap|afp|reuters|getty)?\s*(?:photo|image)s?\b|(?:photo|image)s?\s+(?:by|copyright|credit)\b)"
)

# A dateline opening a lede: "LOS ANGELES (Reuters) - ", "WASHINGTON — ", "BEIRUT, Lebanon (AP) — ".
# Cut from the claim span (the place and agency are not part of what is claimed).
DATELINE = (
    r"^\s*(?:[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,3}(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?"
    r"\s*(?:\([^)]{1,40}\))?\s*[-–—]+\s+|\([A-Z][\w ]{1,30}\)\s*[-–—]+\s+)"
)

# The same dateline for Python's re (attributed ledes are parsed sentence by sentence).
DATELINE_RE = re.compile(DATELINE)

# Polars (Rust regex) versions: ASCII word boundaries are much faster (claims/regex.py).
FRAMING = polars_regex(FRAMING)
SCENE = polars_regex(SCENE)
BOILERPLATE = polars_regex(BOILERPLATE)
DATELINE = polars_regex(DATELINE)
