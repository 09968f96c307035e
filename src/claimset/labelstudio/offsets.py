"""Span offsets between Python code points and Label Studio's UTF-16 code units.

JavaScript strings index UTF-16 code units: a character outside the Basic Multilingual Plane
(an emoji, many CJK extension characters) counts as two. claimset's tables count code points
(Python ``str`` indices). The Label Studio 1.23 editor stores <Text> regions in code points,
but exports from JavaScript-counting tools and older versions carry UTF-16 offsets
(label-studio issue #1347), so pull reads each span both ways and keeps the reading that
reproduces the span text (see :func:`claimset.labelstudio.pull._resolve`).
"""

from __future__ import annotations

import bisect


class OffsetMap:
    """Converts offsets for one text in O(log n) per lookup.

    Only astral characters make the two counts differ, so the map stores their positions
    and nothing else: for plain BMP text both conversions are the identity.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # code-point index of every astral character, ascending
        self._astral_cp = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        # UTF-16 index of every astral character (its high surrogate)
        self._astral_u16 = [cp + k for k, cp in enumerate(self._astral_cp)]
        self.utf16_length = len(text) + len(self._astral_cp)

    def to_utf16(self, cp: int) -> int:
        """UTF-16 offset of code-point offset ``cp`` (0 <= cp <= len(text))."""
        if not 0 <= cp <= len(self.text):
            raise ValueError(f"offset {cp} outside text of {len(self.text)} code points")
        return cp + bisect.bisect_left(self._astral_cp, cp)

    def to_codepoint(self, u16: int) -> int:
        """Code-point offset of UTF-16 offset ``u16``; ValueError inside a surrogate pair."""
        if not 0 <= u16 <= self.utf16_length:
            raise ValueError(f"offset {u16} outside text of {self.utf16_length} UTF-16 units")
        # astral characters that start strictly before u16
        before = bisect.bisect_left(self._astral_u16, u16)
        if before and self._astral_u16[before - 1] + 1 == u16:
            raise ValueError(f"offset {u16} falls inside a surrogate pair")
        return u16 - before


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
