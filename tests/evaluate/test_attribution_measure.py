"""The attribution measure against a hand-worked example, and its pairing rules."""

from __future__ import annotations

import pytest

from claimset.evaluate.attribution import (
    Attribution,
    match,
    score,
    scores_from_counts,
    shared_chars,
    source_right,
)


def _example() -> tuple[list[Attribution], list[Attribution]]:
    gold = [
        Attribution("a", ((10, 30),), ((0, 5),)),  # G0
        Attribution("a", ((40, 60),), ((62, 70),)),  # G1
        Attribution("a", ((80, 90), (95, 100))),  # G2: discontinuous, no source
        Attribution("a", ((120, 130),), ((110, 115),)),  # G3: nobody finds it
    ]
    pred = [
        Attribution("a", ((12, 28),), ((0, 3),)),  # P0: 16 chars of G0, source inside G0's
        Attribution("a", ((25, 50),), ((70, 75),)),  # P1: 5 of G0, 10 of G1; source just past
        Attribution("a", ((85, 97),)),  # P2: 5 + 2 chars of G2; no source, like the gold
        Attribution("a", ((200, 210),), ((0, 5),)),  # P3: overlaps nothing
        Attribution("b", ((10, 30),), ((0, 5),)),  # P4: G0's offsets, but another document
    ]
    return pred, gold


def test_hand_worked_example() -> None:
    """Worked by hand (docs/preannotation.md tells the same example in prose).

    Candidate pairs by shared characters: P0-G0 16, P1-G1 10, P2-G2 7, P1-G0 5. Greedy,
    largest first: P0-G0, P1-G1, P2-G2 (P1-G0 is left: both are taken). Sources: P0 right
    (0-3 inside 0-5), P1 wrong ([70, 75) starts where [62, 70) ends), P2 right (neither
    names a source). So 5 predicted, 4 gold, 3 matched, 2 with the right source.
    """
    pred, gold = _example()
    assert match(pred, gold) == [(0, 0), (1, 1), (2, 2)]
    s = score(pred, gold)
    assert (s.n_pred, s.n_gold, s.n_matched, s.n_source_correct) == (5, 4, 3, 2)
    assert s.content_precision == pytest.approx(3 / 5)
    assert s.content_recall == pytest.approx(3 / 4)
    assert s.content_f1 == pytest.approx(2 / 3)  # 2 * 0.6 * 0.75 / 1.35
    assert s.source_accuracy == pytest.approx(2 / 3)
    assert s.e2e_precision == pytest.approx(2 / 5)
    assert s.e2e_recall == pytest.approx(2 / 4)
    assert s.e2e_f1 == pytest.approx(4 / 9)  # 2 * 0.4 * 0.5 / 0.9
    assert s.as_dict()["e2e_f1"] == 0.4444


def test_largest_overlap_wins_over_order() -> None:
    # P0 touches G0 (3 chars) and G1 (7); P1 covers G1 (10). Largest first: P1-G1, then P0-G0.
    gold = [Attribution("d", ((0, 3),)), Attribution("d", ((3, 20),))]
    pred = [Attribution("d", ((0, 10),)), Attribution("d", ((10, 20),))]
    assert match(pred, gold) == [(0, 0), (1, 1)]


def test_ties_break_by_pred_then_gold_index() -> None:
    gold = [Attribution("d", ((0, 5),)), Attribution("d", ((5, 10),))]
    assert match([Attribution("d", ((0, 10),))], gold) == [(0, 0)]
    preds = [Attribution("d", ((0, 5),)), Attribution("d", ((0, 5),))]
    assert match(preds, [Attribution("d", ((0, 10),))]) == [(0, 0)]


def test_one_to_one_and_touching_ranges_do_not_match() -> None:
    gold = [Attribution("d", ((10, 20),))]
    pred = [Attribution("d", ((0, 10),)), Attribution("d", ((20, 30),))]  # touch, share nothing
    assert match(pred, gold) == []
    pred = [Attribution("d", ((10, 20),)), Attribution("d", ((15, 25),))]
    assert match(pred, gold) == [(0, 0)]


def test_shared_chars_counts_each_character_once() -> None:
    assert shared_chars([(0, 10), (5, 15)], [(0, 20)]) == 15
    assert shared_chars([(0, 5), (10, 15)], [(3, 12)]) == 4
    assert shared_chars([(4, 4)], [(0, 10)]) == 0


def test_source_rules() -> None:
    gold = Attribution("d", ((0, 5),), ((10, 15),))
    assert source_right(Attribution("d", ((0, 5),), ((14, 20),)), gold)
    assert not source_right(Attribution("d", ((0, 5),), ((15, 20),)), gold)
    assert not source_right(Attribution("d", ((0, 5),)), gold)
    assert not source_right(gold, Attribution("d", ((0, 5),)))
    assert source_right(Attribution("d", ((0, 5),)), Attribution("d", ((0, 9),)))


def test_empty_inputs_score_zero() -> None:
    s = score([], [])
    assert s.content_f1 == 0.0 and s.e2e_f1 == 0.0 and s.source_accuracy == 0.0
    assert scores_from_counts(4, 4, 4, 4).e2e_f1 == 1.0


def test_bad_ranges_are_rejected() -> None:
    with pytest.raises(ValueError, match="no content"):
        Attribution("d", ())
    with pytest.raises(ValueError, match=r"bad source range \[9, 3\)"):
        Attribution("d", ((0, 1),), ((9, 3),))
