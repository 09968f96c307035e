"""Attribution frames on single sentences (demo-style text, no data files needed)."""

from __future__ import annotations

from claimset.claims.attribution import parse_sentence


def _parse(sentence: str):
    return parse_sentence(sentence, 0, len(sentence), 14)


def test_quote_then_attribution():
    s = "“We have run out of sandbags and we have run out of excuses,” Varga told the chamber."
    [a] = _parse(s)
    assert a.claim_type == "direct_quote" and a.speaker is not None and a.speaker.name == "Varga"
    assert s[a.start : a.end] == "We have run out of sandbags and we have run out of excuses"


def test_appositive_role_and_that_clause():
    s = "Mr. Rolf Ekberg, director of the Brenmark Chamber of Commerce, cautioned that small businesses could not absorb a rise."
    [a] = _parse(s)
    assert a.speaker is not None and a.speaker.name == "Rolf Ekberg"
    assert (
        a.speaker.role == "director of the Brenmark Chamber of Commerce" and a.speaker.gender == "m"
    )
    assert s[a.start : a.end] == "small businesses could not absorb a rise"


def test_according_to_and_no_frame():
    s = "According to the national infrastructure agency, a decision on funding is expected before the end of the year."
    [a] = _parse(s)
    assert (
        a.cue == "according to"
        and a.speaker is not None
        and a.speaker.name == "national infrastructure agency"
    )
    assert (
        _parse(
            "The estuary flooded 14 times between 1998 and 2025, the most of any river in the region."
        )
        == []
    )


def test_two_propositions_split():
    s = "He emphasised the need for diplomatic solutions to the crisis, warning that any military escalation could have dire consequences."
    found = _parse(s)
    assert [a.cue for a in found] == ["emphasised", "warning"]
    assert all(a.speaker is not None and a.speaker.kind == "pronoun" for a in found)
