"""The PolNeAR measure: the brat reader, offset mapping, a few real articles end to end,
the annotators' ceiling, and the stage without the corpus."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from claimset.claims.attribution_model import run_train
from claimset.claims.config import CandidatesConfig, ModelConfig
from claimset.claims.model import FORMAT, load
from claimset.claims.polnear_measure import (
    OffsetMap,
    annotator_ceiling,
    measure,
    run_pipeline,
    training_docs,
)
from claimset.claims.quality import polnear_report
from claimset.corpora import polnear
from claimset.errors import InputError
from claimset.ingest.config import IngestConfig
from claimset.segment.config import SegmentConfig

ROOT = Path(__file__).resolve().parents[2]
POLNEAR = ROOT / ".." / "shared" / "data" / "polnear"
needs_polnear = pytest.mark.skipif(
    not polnear.available(POLNEAR, "dev"),
    reason=f"PolNeAR not present at {POLNEAR} (shared data; not bundled)",
)

ANN = (
    "T1\tSource 0 9\tThe Mayor\n"
    "T2\tCue 10 14\tsaid\n"
    "T3\tContent 15 30;35 40\tthe bridge will open\n"
    "T4\tAttribution 10 14\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "T5\tContent 50 60\tline one\n"
    "\n"
    "continued text of T5\n"
    "T6\tAttribution-no-source 61 65\tcue\n"
    "E2\tAttribution-no-source:T6 Content:T5\n"
)


def test_read_ann_spans_discontinuous_and_wrapped_lines(tmp_path: Path) -> None:
    path = tmp_path / "doc_ab12.ann"
    path.write_text(ANN, encoding="utf-8")
    got = polnear.read_ann(path, "doc")
    assert [(g.content, g.source, g.cue) for g in got] == [
        (((15, 30), (35, 40)), ((0, 9),), ((10, 14),)),
        (((50, 60),), (), ()),
    ]


def test_read_ann_names_file_and_line_of_a_bad_span(tmp_path: Path) -> None:
    path = tmp_path / "doc_ab12.ann"
    path.write_text("T1\tSource 9 x\tbad\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"doc_ab12\.ann:1 \(field 'offsets'\)"):
        polnear.read_ann(path, "doc")
    path.write_text("E1\tAttribution:T9 Content:T3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r":1: Attribution refers to unknown span 'T9'"):
        polnear.read_ann(path, "doc")


def test_articles_list_first_annotator_first(tmp_path: Path) -> None:
    for sub in ("dev/text", "dev/attributions"):
        (tmp_path / sub).mkdir(parents=True)
    (tmp_path / "dev/text/a.txt").write_text("T\n\nBody.", encoding="utf-8")
    (tmp_path / "dev/text/b.txt").write_text("T\n\nBody.", encoding="utf-8")  # no annotation
    for ann in ("a_aaaa.ann", "a_zzzz.ann"):
        (tmp_path / "dev/attributions" / ann).write_text("", encoding="utf-8")
    (tmp_path / "metadata.tsv").write_text(
        "compartment\tfilename\tannotators\ndev\ta\tzzzz|aaaa\n", encoding="utf-8"
    )
    arts = polnear.list_articles(tmp_path, "dev")
    assert [a.doc_id for a in arts] == ["a"]
    assert [p.name for p in arts[0].ann_paths] == ["a_zzzz.ann", "a_aaaa.ann"]


def test_offset_map_skips_whitespace_and_dropped_characters() -> None:
    raw = "Title\n\nA\u00a0b  c\u200bd.\n"
    norm = "Title\n\nA b c d."
    om = OffsetMap(raw, norm)
    assert om.span(7, 10) == (7, 10)  # "A b" -> "A\u00a0b"
    assert raw[slice(*om.span(11, 15))] == "c\u200bd."
    assert om.to_norm(7, 18) == (7, 15)
    assert om.span(9, 10) == (9, 10)


def test_stage_without_the_corpus_skips_with_the_reason(tmp_path: Path) -> None:
    got = polnear_report(
        tmp_path / "absent",
        IngestConfig(),
        SegmentConfig(),
        CandidatesConfig(),
        None,
        [],  # type: ignore[arg-type]
    )
    assert got["status"] == "skipped"
    assert "PolNeAR not found" in got["reason"]
    model, report = tmp_path / "m.pkl", tmp_path / "r.json"
    run_train(tmp_path / "absent", model, report, tmp_path / "no-params.yaml")
    assert load(model) is None
    assert pickle.loads(model.read_bytes())["format"] == FORMAT
    assert json.loads(report.read_text())["status"] == "skipped"


@pytest.fixture(scope="module")
def dev_few() -> list[polnear.PolnearArticle]:
    if not polnear.available(POLNEAR, "dev"):
        pytest.skip(f"PolNeAR not present at {POLNEAR} (shared data; not bundled)")
    arts = polnear.list_articles(POLNEAR, "dev")
    # Four real articles, one of them with several annotators.
    multi = [a for a in arts if len(a.ann_paths) > 1][:1]
    return [*arts[:3], *multi]


@needs_polnear
def test_dev_measure_on_a_few_articles(dev_few: list[polnear.PolnearArticle]) -> None:
    out = run_pipeline(dev_few, IngestConfig(), SegmentConfig(), CandidatesConfig())
    gold = polnear.read_gold(dev_few)
    texts = {a.doc_id: a.text() for a in dev_few}
    # Every prediction's offsets point into the raw .txt at the same words as the claim.
    for pred, row in zip(out.predictions, out.pred_rows, strict=True):
        s, e = pred.content[0]
        assert texts[pred.doc_id][s:e].split()[:3] == row["text"].split()[:3]
    s = measure(out, gold)
    assert s.n_gold == len(gold) > 20
    assert s.n_pred == len(out.predictions) > 10
    assert 0.5 < s.content_precision <= 1.0
    assert 0.0 < s.e2e_f1 <= s.content_f1
    ceiling = annotator_ceiling(dev_few)
    assert ceiling["articles"] == 1 and ceiling["annotator_pairs"] >= 1
    assert ceiling["content_f1"] > 0.6


@needs_polnear
def test_tagger_trains_on_a_few_articles_and_predicts(
    dev_few: list[polnear.PolnearArticle], tmp_path: Path
) -> None:
    train = polnear.list_articles(POLNEAR, "train")[:6]
    cfg = CandidatesConfig(model=ModelConfig(epochs=2, prefer="model"))
    from claimset.claims.model import train as train_tagger

    docs = training_docs(train, IngestConfig(), SegmentConfig(), cfg)
    assert len(docs) == 6 and all(g for _, _, g in docs)
    tagger = train_tagger(docs, epochs=2)
    again = train_tagger(docs, epochs=2)
    assert pickle.dumps(tagger.classifier.coef_) == pickle.dumps(again.classifier.coef_)
    path = tmp_path / "t.pkl"
    tagger.save(path)
    loaded = load(path)
    assert loaded is not None and loaded.version == tagger.version
    out = run_pipeline(dev_few[:2], IngestConfig(), SegmentConfig(), cfg, loaded)
    rules = {r["rule"] for r in out.claims.iter_rows(named=True)}
    assert "model" in rules
    model_rows = out.claims.filter(out.claims["rule"] == "model")
    assert model_rows["model_version"].unique().to_list() == [tagger.version]
    assert model_rows["attribution_score"].is_between(0.0, 1.0).all()


@needs_polnear
def test_beside_the_rules_the_tagger_keeps_every_seed_claim() -> None:
    """prefer=rules (the default): the seed keeps every claim and speaker it has without it."""
    import shutil
    import tempfile

    from claimset.claims.candidates import propose_claims
    from claimset.claims.gold import gold_tables, load_gold
    from claimset.claims.model import train as train_tagger

    train = polnear.list_articles(POLNEAR, "train")[:8]
    tagger = train_tagger(
        training_docs(train, IngestConfig(), SegmentConfig(), CandidatesConfig()), epochs=3
    )
    tmp = Path(tempfile.mkdtemp())
    shutil.copy(ROOT / "tests" / "claims" / "gold" / "seed-kremlin-nato-warning.yaml", tmp)
    docs = load_gold(tmp, None, root=ROOT)
    shutil.rmtree(tmp)
    articles, sentences = gold_tables(docs)
    rules, _ = propose_claims(articles, sentences, CandidatesConfig())
    both, _ = propose_claims(articles, sentences, CandidatesConfig(), tagger=tagger)
    keep = ["text", "speaker", "speaker_text", "char_start", "char_end"]
    assert set(rules.select(keep).rows()) <= set(both.select(keep).rows())
