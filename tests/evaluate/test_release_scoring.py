"""Scoring every config of a release in the five-config layout (checked-in fixture)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score

from claimset.cli import main
from claimset.errors import InputError
from claimset.evaluate.attribution import Attribution, score
from claimset.evaluate.baselines import run_baselines
from claimset.evaluate.config import EvaluateConfig, TaggerConfig
from claimset.evaluate.release import present_configs, read_split
from claimset.evaluate.scorer import GoldSpec, evaluate_predictions
from claimset.evaluate.tagger import MemmTagger, link_attributions, repair, tag_spans
from claimset.io import sha256_file

ROOT = Path(__file__).resolve().parents[2]
REL = ROOT / "tests" / "evaluate" / "fixtures" / "release"
PARAMS = ROOT / "params.yaml"
CFG = EvaluateConfig(bootstrap_samples=200, compare_samples=200)


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _run(tmp_path: Path, config: str, pred: Path, *extra: str) -> dict[str, Any]:
    out = tmp_path / f"{pred.stem}.json"
    rc = main(
        [
            "evaluate",
            str(pred),
            "--release",
            str(REL),
            "--config",
            config,
            "--split",
            "test",
            "--json",
            str(out),
            "--params",
            str(PARAMS),
            *extra,
        ]
    )
    assert rc == 0
    return json.loads(out.read_text())["systems"][str(pred)]  # type: ignore[no-any-return]


def test_fixture_release_has_the_five_configs_with_decoded_labels() -> None:
    assert present_configs(REL) == [
        "articles",
        "claim_detection",
        "claims",
        "attribution",
        "stance",
    ]
    cd = read_split(REL, "claim_detection", "train")
    assert cd is not None and set(cd["label"]) == {"claim", "not_claim"}
    # checkworthy -1 (no label, a non-claim) decodes to null.
    not_claims = cd.filter(pl.col("label") == "not_claim")
    assert not_claims.height == 2 and not_claims["checkworthy"].null_count() == 2
    assert cd.filter(pl.col("label") == "claim")["checkworthy"].null_count() == 0
    att = read_split(REL, "attribution", "train")
    assert att is not None and "B-SOURCE" in att["tags"][0].to_list()


def test_claim_detection_f1_of_the_claim_class_matches_sklearn(tmp_path: Path) -> None:
    gold = read_split(REL, "claim_detection", "test")
    assert gold is not None
    ids, labels = gold["sentence_id"].to_list(), gold["label"].to_list()
    pred = ["claim"] * len(ids)  # everything a claim: recall 1, precision = claim share
    pred[0] = "not_claim"
    f = _csv(
        tmp_path / "cd.csv",
        "sentence_id,label",
        [f"{i},{p}" for i, p in zip(ids, pred, strict=True)],
    )
    s = _run(tmp_path, "claim_detection", f)
    assert s["positive"]["label"] == "claim"
    assert s["positive"]["f1"] == pytest.approx(f1_score(labels, pred, pos_label="claim"), abs=1e-6)
    assert s["positive"]["precision"] == pytest.approx(
        precision_score(labels, pred, pos_label="claim"), abs=1e-6
    )
    assert s["positive"]["recall"] == pytest.approx(
        recall_score(labels, pred, pos_label="claim"), abs=1e-6
    )
    assert s["macro_f1"] == pytest.approx(f1_score(labels, pred, average="macro"), abs=1e-6)
    assert s["macro_f1_classes"] == ["not_claim", "claim"]
    # Every figure has an interval, and the interval holds the point estimate.
    for name in ("positive_f1", "positive_precision", "positive_recall", "accuracy", "macro_f1"):
        assert name in s["ci"]
    for label in ("claim", "not_claim"):
        for part in ("precision", "recall", "f1"):
            ci = s["ci"][f"{part}[{label}]"]
            assert ci["low"] <= s["per_class"][label][part] <= ci["high"]


def test_macro_f1_counts_only_present_classes_and_says_which(tmp_path: Path) -> None:
    gold = read_split(REL, "stance", "test")
    assert gold is not None
    rows = [f"{i},{lab}" for i, lab in zip(gold["item_id"], gold["label"], strict=True)]
    s = _run(tmp_path, "stance", _csv(tmp_path / "st.csv", "item_id,label", rows))
    present = [
        lab for lab in ("favor", "against", "neutral", "unrelated") if lab in set(gold["label"])
    ]
    assert len(present) < 4  # the fixture's test split lacks a class: the case of issue 15
    assert s["macro_f1"] == 1.0 and s["macro_f1_classes"] == present


def _claims_rows(split: str = "test") -> pl.DataFrame:
    df = read_split(REL, "claims", split)
    assert df is not None
    return df


def test_claim_spans_exact_and_overlap(tmp_path: Path) -> None:
    claims = _claims_rows()
    rows = claims.select("article_id", "char_start", "char_end").rows()
    (a0, s0, e0), (a1, s1, e1), *_ = rows
    pred = [
        f"{a0},{s0},{e0}",  # exact
        f"{a1},{s1 + 2},{e1}",  # overlaps, not exact
        f"{a1},0,2",  # overlaps nothing
    ]
    s = _run(tmp_path, "claims", _csv(tmp_path / "sp.csv", "article_id,char_start,char_end", pred))
    n_gold = claims.height
    assert (s["n_pred"], s["n_gold"], s["exact"], s["matched"]) == (3, n_gold, 1, 2)
    assert s["exact_precision"] == pytest.approx(1 / 3, abs=1e-6)
    assert s["exact_recall"] == pytest.approx(1 / n_gold, abs=1e-6)
    assert s["overlap_precision"] == pytest.approx(2 / 3, abs=1e-6)
    assert s["overlap_recall"] == pytest.approx(2 / n_gold, abs=1e-6)
    for name in ("exact_f1", "overlap_f1", "exact_precision", "overlap_recall"):
        assert s["ci"][name]["low"] <= s[name] <= s["ci"][name]["high"]
    assert "e2e_f1" not in s


def test_attribution_end_to_end_is_the_polnear_measure(tmp_path: Path) -> None:
    claims = _claims_rows()
    rows = claims.select(
        "article_id", "char_start", "char_end", "speaker_start", "speaker_end"
    ).rows()
    pred_rows = []
    for k, (a, c0, c1, s0, s1) in enumerate(rows):
        if k == 0:
            pred_rows.append(f"{a},{c0},{c1},{s0},{s1}")  # right content, right speaker
        elif k == 1:
            pred_rows.append(f"{a},{c0},{c1},,")  # right content, no speaker: source wrong
        else:
            pred_rows.append(f"{a},{c0 + 1},{c1},{c1 + 1},{c1 + 3}")  # content ok, wrong speaker
    f = _csv(
        tmp_path / "att.jsonl.csv",
        "article_id,char_start,char_end,speaker_start,speaker_end",
        pred_rows,
    )
    s = _run(tmp_path, "attribution", f)
    gold = [Attribution(a, ((c0, c1),), ((s0, s1),)) for a, c0, c1, s0, s1 in rows]
    pred = []
    for k, (a, c0, c1, s0, s1) in enumerate(rows):
        src = ((s0, s1),) if k == 0 else () if k == 1 else ((c1 + 1, c1 + 3),)
        pred.append(Attribution(a, ((c0 + (k > 1), c1),), src))
    ref = score(pred, gold)
    assert s["e2e_precision"] == pytest.approx(ref.e2e_precision, abs=1e-6)
    assert s["e2e_recall"] == pytest.approx(ref.e2e_recall, abs=1e-6)
    assert s["e2e_f1"] == pytest.approx(ref.e2e_f1, abs=1e-6)
    assert s["source_accuracy"] == pytest.approx(ref.source_accuracy, abs=1e-6)
    # Overlap span P/R/F1 is the measure's content P/R/F1.
    assert s["overlap_precision"] == pytest.approx(ref.content_precision, abs=1e-6)
    assert s["overlap_f1"] == pytest.approx(ref.content_f1, abs=1e-6)
    assert s["e2e_f1"] == pytest.approx(2 * (1 / len(rows)) / 2, abs=1e-6)
    assert s["attribution_measure"]["e2e_f1"] == pytest.approx(ref.e2e_f1, abs=1e-6)
    assert "e2e_f1" in s["ci"]


def test_jsonl_and_parquet_predictions_give_the_same_scores(tmp_path: Path) -> None:
    claims = _claims_rows()
    recs = [
        {"article_id": a, "char_start": c0, "char_end": c1, "speaker_start": s0, "speaker_end": s1}
        for a, c0, c1, s0, s1 in claims.select(
            "article_id", "char_start", "char_end", "speaker_start", "speaker_end"
        ).rows()
    ]
    jl = tmp_path / "p.jsonl"
    jl.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    pq = tmp_path / "p.parquet"
    pl.DataFrame(recs).write_parquet(pq)
    a, b = _run(tmp_path, "attribution", jl), _run(tmp_path, "attribution", pq)
    assert a["e2e_f1"] == b["e2e_f1"] == 1.0 and a["exact_f1"] == 1.0


@pytest.mark.parametrize(
    ("config", "header", "row", "expected"),
    [
        (
            "claims",
            "article_id,char_start,char_end",
            "art-04,10,5",
            ":2 (field 'char_end'): char_end 5 must be greater than char_start 10",
        ),
        (
            "claims",
            "article_id,char_start,char_end",
            "art-04,x,5",
            ":2 (field 'char_start'): 'x' is not an integer",
        ),
        (
            "claims",
            "article_id,char_start,char_end",
            "art-00,1,5",
            ":2 (field 'article_id'): article 'art-00' is not in the scored split",
        ),
        (
            "claims",
            "article_id,char_start,char_end",
            "art-04,1,9999",
            ":2 (field 'char_end'): 9999 is past the end of the article text",
        ),
        (
            "claims",
            "article_id,char_start",
            "art-04,1",
            ":2 (field 'char_end'): missing column(s) char_end",
        ),
        (
            "attribution",
            "article_id,char_start,char_end,speaker_start,speaker_end",
            "art-04,1,5,3,",
            ":2 (field 'speaker_end'): give both speaker_start and speaker_end",
        ),
        ("claim_detection", "sentence_id,label", "art-04-s0,maybe", "row 2: 'maybe'"),
    ],
)
def test_bad_prediction_files_exit_2_naming_file_row_and_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    config: str,
    header: str,
    row: str,
    expected: str,
) -> None:
    f = _csv(tmp_path / "bad.csv", header, [row])
    rc = main(
        ["evaluate", str(f), "--release", str(REL), "--config", config, "--params", str(PARAMS)]
    )
    assert rc == 2
    err = capsys.readouterr().err
    assert str(f) in err and expected in err


def test_span_errors_in_jsonl_name_the_line(tmp_path: Path) -> None:
    from claimset.evaluate.predictions import read_span_predictions

    f = tmp_path / "p.jsonl"
    f.write_text(
        '{"article_id": "a", "char_start": 0, "char_end": 3}\n\n{"article_id": "a", "char_start": 2}\n'
    )
    with pytest.raises(InputError, match=r"p\.jsonl:3 \(field 'char_end'\)"):
        read_span_predictions(f, {"a": 10}, with_speaker=False)


def test_baselines_score_every_config_of_the_release(tmp_path: Path) -> None:
    run_baselines(
        REL, tmp_path / "m.json", tmp_path / "plots", CFG, predictions_dir=tmp_path / "pred"
    )
    m = json.loads((tmp_path / "m.json").read_text())
    assert m["configs"]["scored"] == ["claim_detection", "claims", "attribution", "stance"]
    assert m["configs"]["absent"] == []
    cd = m["claim_detection"]["label"]["tfidf_logreg"]["test"]
    assert {"f1", "precision", "recall"} <= set(cd["positive"]) and "positive_f1" in cd["ci"]
    assert (
        "p_value"
        in m["claim_detection"]["label"]["tfidf_logreg_vs_majority"]["test"]["positive_f1"]
    )
    att = m["attribution"]["memm_tagger"]["test"]
    assert set(att["tags"]) == {"CONTENT", "SOURCE", "CUE"}
    assert "e2e_f1" in att["attribution_e2e"] and "e2e_f1" in att["attribution_e2e"]["ci"]
    # The baselines' prediction files go through the scorer unchanged.
    s = _run(tmp_path, "attribution", tmp_path / "pred" / "attribution_memm_tagger_test.csv")
    assert s["e2e_f1"] == att["attribution_e2e"]["e2e_f1"]
    s = _run(
        tmp_path,
        "claim_detection",
        tmp_path / "pred" / "claim_detection_label_tfidf_logreg_test.csv",
    )
    assert s["positive"]["f1"] == cd["positive"]["f1"]
    run_baselines(REL, tmp_path / "m2.json", tmp_path / "plots2", CFG)
    assert sha256_file(tmp_path / "m.json") == sha256_file(tmp_path / "m2.json")


def test_baselines_report_a_config_missing_from_the_release(tmp_path: Path) -> None:
    import shutil

    rel = tmp_path / "rel"
    shutil.copytree(REL, rel)
    shutil.rmtree(rel / "attribution")
    run_baselines(rel, tmp_path / "m.json", tmp_path / "plots", CFG)
    m = json.loads((tmp_path / "m.json").read_text())
    assert m["configs"]["absent"] == ["attribution"] and "attribution" not in m


def _synthetic(n: int) -> tuple[list[list[str]], list[list[str]]]:
    names = ["Anna Berg", "Tom Hale", "Mia Stone", "Paul Ray", "Eva Lind", "Lee Park"]
    verbs = ["said", "warned", "argued"]
    things = ["taxes will rise", "prices fell sharply", "the plan will fail", "rents doubled"]
    seqs, tags = [], []
    for i in range(n):
        name = names[i % len(names)].split()
        verb = verbs[i % len(verbs)]
        thing = things[i % len(things)].split()
        filler = ["The", "day", "was", "calm", "."]
        toks = filler + name + [verb] + thing + ["."]
        tg = (
            ["O"] * 5
            + ["B-SOURCE", "I-SOURCE", "B-CUE", "B-CONTENT"]
            + ["I-CONTENT"] * (len(thing) - 1)
            + ["O"]
        )
        seqs.append(toks)
        tags.append(tg)
    return seqs, tags


def test_memm_tagger_learns_attribution_frames_and_links_source_to_content() -> None:
    seqs, tags = _synthetic(60)
    tagger = MemmTagger(TaggerConfig(), seed=0).fit(seqs[:48], tags[:48])
    pred = tagger.predict(seqs[48:])
    assert pred == tags[48:]
    toks = seqs[48]
    starts = list(range(0, 10 * len(toks), 10))
    ends = [s + 5 for s in starts]
    ((content, source),) = link_attributions(toks, pred[0], starts, ends)
    assert source == (starts[5], ends[6]) and content[0] == starts[8]


def test_bio_repair_and_spans() -> None:
    assert repair(["O", "I-SOURCE", "I-CONTENT", "B-CUE"]) == [
        "O",
        "B-SOURCE",
        "B-CONTENT",
        "B-CUE",
    ]
    assert tag_spans(["B-SOURCE", "I-SOURCE", "O", "B-CONTENT", "I-CONTENT"]) == [
        ("SOURCE", 0, 2),
        ("CONTENT", 3, 5),
    ]
    # A source in another sentence is not linked.
    toks = ["Anna", "said", ".", "Taxes", "rise"]
    linked = link_attributions(
        toks,
        ["B-SOURCE", "B-CUE", "O", "B-CONTENT", "I-CONTENT"],
        [0, 5, 9, 11, 17],
        [4, 9, 10, 16, 21],
    )
    assert linked == [((11, 21), None)]


def test_evaluate_rejects_compare_for_spans(tmp_path: Path) -> None:
    f = _csv(tmp_path / "p.csv", "article_id,char_start,char_end", ["art-04,0,4"])
    with pytest.raises(Exception, match="--compare applies to label scoring"):
        evaluate_predictions(
            [], GoldSpec(release=str(REL), config="claims"), CFG, compare=(str(f), str(f))
        )


def test_batch_metrics_equal_the_point_metrics_on_random_matrices() -> None:
    import numpy as np

    from claimset.evaluate.bootstrap import BatchMetrics
    from claimset.evaluate.fnc import fnc_from_confusion
    from claimset.evaluate.metrics import from_confusion, positive_class
    from claimset.labels import STANCE_LABELS, STANCE_TO_FNC1

    rng = np.random.default_rng(0)
    cms = rng.integers(0, 6, size=(50, 4, 4))
    cms[:5, 2, :] = 0  # classes absent from gold ...
    cms[:5, :, 2] = 0  # ... and predictions
    batch = BatchMetrics(STANCE_LABELS, STANCE_TO_FNC1, "favor")(cms)
    for b, cm in enumerate(cms):
        m = from_confusion(cm)
        assert batch["accuracy"][b] == pytest.approx(m["accuracy"])
        assert batch["macro_f1"][b] == pytest.approx(m["macro_f1"])
        for i, label in enumerate(STANCE_LABELS):
            assert batch[f"f1[{label}]"][b] == pytest.approx(m["f1"][i])
            assert batch[f"recall[{label}]"][b] == pytest.approx(m["recall"][i])
        assert batch["positive_f1"][b] == pytest.approx(positive_class(cm, 0)["f1"])
        assert batch["fnc_relative"][b] == pytest.approx(fnc_from_confusion(cm)["relative"])


def test_span_scoring_works_on_a_release_without_speaker_columns(
    release_dir: Path, tmp_path: Path
) -> None:
    # The publish fixture release (claims with item_id and a speaker string, no spans of it).
    gold = pl.read_parquet(release_dir / "claims" / "test.parquet")
    rows = [
        f"{a},{s},{e}" for a, s, e in gold.select("article_id", "char_start", "char_end").rows()
    ]
    f = _csv(tmp_path / "sp.csv", "article_id,char_start,char_end", rows)
    out = tmp_path / "o.json"
    rc = main(
        [
            "evaluate",
            str(f),
            "--release",
            str(release_dir),
            "--config",
            "claims",
            "--json",
            str(out),
            "--params",
            str(PARAMS),
        ]
    )
    assert rc == 0
    s = json.loads(out.read_text())["systems"][str(f)]
    assert s["exact_f1"] == 1.0 and s["n_gold"] == gold.height


def test_checkworthy_ignores_predictions_for_sentences_without_a_label(tmp_path: Path) -> None:
    gold = read_split(REL, "claim_detection", "test")
    assert gold is not None
    # A prediction for every sentence; the labelled ones (claims) are all "no" in the fixture.
    rows = [f"{i},no" for i in gold["sentence_id"]]
    s = _run(
        tmp_path,
        "claim_detection",
        _csv(tmp_path / "cw.csv", "sentence_id,label", rows),
        "--field",
        "checkworthy",
    )
    labelled = gold.filter(pl.col("checkworthy").is_not_null())
    assert s["n"] == labelled.height < gold.height
    assert s["positive"]["label"] == "yes" and s["accuracy"] == 1.0
    assert s["macro_f1_classes"] == ["no"]


def test_a_config_missing_a_contract_column_is_an_error_naming_file_and_column(
    tmp_path: Path,
) -> None:
    import shutil

    rel = tmp_path / "rel"
    shutil.copytree(REL, rel)
    path = rel / "attribution" / "train.parquet"
    pl.read_parquet(path).drop("tags").write_parquet(path)
    with pytest.raises(InputError, match=r"attribution/train\.parquet: missing column\(s\) tags"):
        run_baselines(rel, tmp_path / "m.json", tmp_path / "plots", CFG)


def test_a_researcher_scores_a_release_without_any_params_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A downloaded release comes without the pipeline's params.yaml: the documented
    # defaults apply, and a --params that is given must exist.
    monkeypatch.chdir(tmp_path)
    gold = read_split(REL, "claim_detection", "test")
    rows = [f"{r['sentence_id']},{r['label']}" for r in gold.to_dicts()]  # decoded names
    pred = _csv(tmp_path / "p.csv", "sentence_id,label", rows)
    out = tmp_path / "r.json"
    args = ["evaluate", str(pred), "--release", str(REL), "--config", "claim_detection"]
    assert main([*args, "--json", str(out)]) == 0
    assert json.loads(out.read_text())["systems"][str(pred)]["positive"]["f1"] == 1.0
    assert main([*args, "--params", str(tmp_path / "nope.yaml")]) == 2
