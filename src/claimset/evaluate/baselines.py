"""Reference baselines: majority class and TF-IDF + logistic regression (scikit-learn).

Single-text tasks (claim type, check-worthiness) use TF-IDF of the text. Pair tasks
(stance: target x text; FNC-1: headline x body) use one TF-IDF vocabulary fitted on both
sides of the training pairs, the two vectors side by side, and their cosine similarity:
the features of Riedel et al. (2017), with logistic regression instead of an MLP.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from claimset.errors import InputError
from claimset.evaluate.bootstrap import bootstrap_ci, metric_functions
from claimset.evaluate.config import EvaluateConfig, LogRegConfig, TfidfConfig
from claimset.evaluate.fnc import FNC_LABELS
from claimset.evaluate.metrics import classification_report, encode
from claimset.io import write_json, write_text
from claimset.labels import LABEL_FIELDS, STANCE_TO_FNC1
from claimset.split.config import SplitConfig
from claimset.stage import StageReport

MODELS = ("majority", "tfidf_logreg")
# (config, label field, input columns): one column = single text, two = pair.
TASKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("claims", "claim_type", ("text",)),
    ("claims", "checkworthy", ("text",)),
    ("stance", "label", ("target", "text")),
)


class PairTfidf:
    """[tfidf(a), tfidf(b), cos(a, b)] for text pairs, one vocabulary for both sides.

    Unique strings are vectorised once (FNC-1 repeats each body ~28 times).
    """

    def __init__(self, cfg: TfidfConfig) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vec = TfidfVectorizer(
            ngram_range=(1, cfg.ngram_max),
            min_df=cfg.min_df,
            max_features=cfg.max_features,
            sublinear_tf=cfg.sublinear_tf,
            lowercase=True,
            dtype=np.float64,
        )

    def fit(self, a: Sequence[str], b: Sequence[str]) -> PairTfidf:
        """Fit the vocabulary on the unique texts of both sides."""
        self.vec.fit(sorted(set(a) | set(b)))
        return self

    def _encode(self, texts: Sequence[str]) -> Any:
        uniq = sorted(set(texts))
        index = {t: i for i, t in enumerate(uniq)}
        return self.vec.transform(uniq)[[index[t] for t in texts]]

    def transform(self, a: Sequence[str], b: Sequence[str]) -> Any:
        """Sparse feature matrix for the pairs (rows are L2-normalised, so a.b is the cosine)."""
        from scipy import sparse

        va, vb = self._encode(a), self._encode(b)
        cos = np.asarray(va.multiply(vb).sum(axis=1))
        return sparse.hstack([va, vb, sparse.csr_matrix(cos)], format="csr")


def _logreg(cfg: LogRegConfig, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=cfg.C,
        max_iter=cfg.max_iter,
        class_weight=None if cfg.class_weight == "none" else cfg.class_weight,
        random_state=seed,
    )


def fit_predict(
    model: str,
    train_x: Sequence[Sequence[str]],
    train_y: Sequence[str],
    test_x: Sequence[Sequence[str]],
    tfidf: TfidfConfig,
    logreg: LogRegConfig,
    seed: int,
) -> tuple[list[str], str | None]:
    """Train ``model`` on (train_x, train_y) and predict test_x; returns (predictions, note).

    ``train_x``/``test_x`` hold one sequence per input column (1 = text, 2 = pair).
    With fewer than two classes in train, logistic regression cannot be fitted and the
    majority prediction is returned with a note saying so.
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer

    n_test = len(test_x[0])
    if model == "majority" or len(set(train_y)) < 2:
        dummy = DummyClassifier(strategy="most_frequent").fit(
            np.zeros((len(train_y), 1)), list(train_y)
        )
        note = (
            None if model == "majority" else "fewer than two classes in train: majority prediction"
        )
        return [str(v) for v in dummy.predict(np.zeros((n_test, 1)))], note
    if model != "tfidf_logreg":
        raise ValueError(f"unknown model {model!r}")
    clf = _logreg(logreg, seed)
    if len(train_x) == 1:
        vec = TfidfVectorizer(
            ngram_range=(1, tfidf.ngram_max),
            min_df=tfidf.min_df,
            max_features=tfidf.max_features,
            sublinear_tf=tfidf.sublinear_tf,
        )
        try:
            xtr = vec.fit_transform(list(train_x[0]))
        except ValueError as exc:  # empty vocabulary, e.g. min_df above the train size
            raise InputError("train split", f"TF-IDF cannot be fitted: {exc}") from exc
        clf.fit(xtr, list(train_y))
        return [str(v) for v in clf.predict(vec.transform(list(test_x[0])))], None
    pair = PairTfidf(tfidf).fit(train_x[0], train_x[1])
    clf.fit(pair.transform(train_x[0], train_x[1]), list(train_y))
    return [str(v) for v in clf.predict(pair.transform(test_x[0], test_x[1]))], None


def _score(
    gold: Sequence[str],
    pred: Sequence[str],
    labels: Sequence[str],
    to_fnc: Mapping[str, str] | None,
    cfg: EvaluateConfig,
) -> dict[str, Any]:
    rep = classification_report(gold, pred, labels, to_fnc)
    ci = bootstrap_ci(
        encode(gold, labels),
        encode(pred, labels),
        len(labels),
        metric_functions(labels, to_fnc),
        samples=cfg.bootstrap_samples,
        confidence=cfg.confidence,
        seed=cfg.seed,
    )
    out: dict[str, Any] = {
        "n": rep["n"],
        "accuracy": round(rep["accuracy"], 6),
        "macro_f1": round(rep["macro_f1"], 6),
    }
    for name, bounds in sorted(ci.items()):
        out[f"{name}_ci_low"] = round(bounds["low"], 6)
        out[f"{name}_ci_high"] = round(bounds["high"], 6)
    if "fnc" in rep:
        out["fnc_relative"] = round(rep["fnc"]["relative"], 4)
        out["fnc_score"] = rep["fnc"]["score"]
        out["fnc_max"] = rep["fnc"]["max"]
        out["fnc_null"] = rep["fnc"]["null"]
    out["per_class_f1"] = {k: round(v["f1"], 6) for k, v in rep["per_class"].items()}
    return out


def _read_split(release: Path, config: str, split: str) -> pl.DataFrame:
    import pyarrow.parquet as pq
    from datasets import ClassLabel, Features

    path = release / config / f"{split}.parquet"
    if not path.is_file():
        if not (release / "README.md").is_file():
            raise InputError(release, "not a release directory (run `claimset publish` first)")
        # Publish leaves empty splits out; an absent split is an empty one.
        from claimset.publish.features import COLUMNS

        return pl.DataFrame(
            schema={
                n: pl.String if t in ("string", "class_label") else pl.Float64
                for n, t in COLUMNS[config]
            }
        )
    table = pq.read_table(path)
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    # Decode ClassLabel codes back to names with the features stored in the file.
    for name, feat in Features.from_arrow_schema(table.schema).items():
        if isinstance(feat, ClassLabel):
            df = df.with_columns(
                pl.col(name).replace_strict(dict(enumerate(feat.names)), return_dtype=pl.String)
            )
    if "item_id" not in df.columns and "claim_id" in df.columns:
        df = df.rename({"claim_id": "item_id"})  # release 15.1: claims are keyed by claim_id
    return df.sort("item_id")


def run_baselines(
    release_dir: str | os.PathLike[str],
    metrics_path: str | os.PathLike[str],
    plots_dir: str | os.PathLike[str],
    cfg: EvaluateConfig,
    *,
    predictions_dir: str | os.PathLike[str] | None = None,
) -> StageReport:
    """Train every baseline on train, score on ``cfg.eval_splits``; write metrics and plots.

    Metrics JSON (DVC metrics): ``{config: {field: {model: {split: {...}}}}}``. Plots: one CSV
    per config/field/model/split with ``item_id,actual,predicted`` rows (DVC confusion
    template). With ``predictions_dir``, also ``<config>_<field>_<model>_<split>.csv`` files
    with ``item_id,label`` that ``claimset evaluate`` accepts.
    """
    report = StageReport("baselines")
    release = Path(release_dir)
    metrics: dict[str, Any] = {
        "params": {"tfidf": asdict(cfg.tfidf), "logreg": asdict(cfg.logreg), "seed": cfg.seed}
    }
    plots = Path(plots_dir)
    frames = {
        c: {s: _read_split(release, c, s) for s in ("train", *cfg.eval_splits)}
        for c in LABEL_FIELDS
    }
    for config, field, cols in TASKS:
        train = frames[config]["train"]
        labels = LABEL_FIELDS[config][field]
        to_fnc = STANCE_TO_FNC1 if config == "stance" else None
        report.records_in += train.height
        for model in MODELS:
            for split in cfg.eval_splits:
                test = frames[config][split]
                entry: dict[str, Any]
                if test.height == 0 or train.height == 0:
                    entry = {
                        "n": test.height,
                        "note": "empty train or evaluation split: not scored",
                    }
                    pred: list[str] = []
                else:
                    pred, note = fit_predict(
                        model,
                        [train[c].to_list() for c in cols],
                        train[field].to_list(),
                        [test[c].to_list() for c in cols],
                        cfg.tfidf,
                        cfg.logreg,
                        cfg.seed,
                    )
                    entry = _score(test[field].to_list(), pred, labels, to_fnc, cfg)
                    if note:
                        entry["note"] = note
                metrics.setdefault(config, {}).setdefault(field, {}).setdefault(model, {})[
                    split
                ] = entry
                rows = (
                    list(zip(test["item_id"].to_list(), test[field].to_list(), pred, strict=False))
                    if pred
                    else []
                )
                write_text(
                    plots / f"{config}_{field}_{model}_{split}.csv",
                    "item_id,actual,predicted\n" + "".join(f"{i},{a},{p}\n" for i, a, p in rows),
                )
                if predictions_dir is not None:
                    write_text(
                        Path(predictions_dir) / f"{config}_{field}_{model}_{split}.csv",
                        "item_id,label\n" + "".join(f"{i},{p}\n" for i, _, p in rows),
                    )
                report.records_out += len(pred)
    write_json(metrics_path, metrics)
    st = metrics["stance"]["label"]["tfidf_logreg"].get("test", {})
    if "macro_f1" in st:
        report.extra["stance_test_macro_f1"] = st["macro_f1"]
    return report


def read_fnc1(
    bodies_csv: str | os.PathLike[str], stances_csv: str | os.PathLike[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """FNC-1 CSVs -> (pairs: item_id, article_id, headline, text(body), label; bodies: article_id, text)."""
    from claimset.evaluate.inputs import read_table

    bodies = read_table(bodies_csv)
    stances = read_table(stances_csv)
    for df, path, cols in (
        (bodies, bodies_csv, ("Body ID", "articleBody")),
        (stances, stances_csv, ("Headline", "Body ID", "Stance")),
    ):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise InputError(path, f"missing FNC-1 column(s) {', '.join(missing)}")
    bodies = bodies.select(
        pl.concat_str(pl.lit("body-"), pl.col("Body ID").str.strip_chars()).alias("article_id"),
        pl.col("articleBody").alias("text"),
    )
    dup = (
        bodies.filter(pl.col("article_id").is_duplicated())["article_id"].unique().sort().to_list()
    )
    if dup:
        raise InputError(bodies_csv, f"duplicate Body ID(s): {', '.join(dup[:10])}")
    pairs = stances.with_row_index("row", offset=1).select(
        pl.format("fnc-{}", pl.col("row").cast(pl.String).str.zfill(6)).alias("item_id"),
        pl.concat_str(pl.lit("body-"), pl.col("Body ID").str.strip_chars()).alias("article_id"),
        pl.col("Headline").alias("headline"),
        pl.col("Stance").alias("label"),
    )
    unknown = pairs.filter(~pl.col("article_id").is_in(bodies["article_id"].implode()))
    if unknown.height:
        raise InputError(
            stances_csv,
            f"Body ID(s) not in {bodies_csv}: {', '.join(unknown['article_id'].unique().sort().to_list()[:10])}",
        )
    bad = pairs.filter(~pl.col("label").is_in(list(FNC_LABELS)))
    if bad.height:
        raise InputError(
            stances_csv,
            f"labels outside {list(FNC_LABELS)} at {', '.join(bad['item_id'].to_list()[:10])}",
        )
    pairs = pairs.join(bodies, on="article_id", how="left")
    return pairs, bodies


def run_fnc1_baseline(
    bodies_csv: str | os.PathLike[str],
    stances_csv: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    cfg: EvaluateConfig,
    split_cfg: SplitConfig,
) -> StageReport:
    """Split FNC-1 by body (plus MinHash near-duplicate bodies) 80/20 with claimset's split code,
    train the baselines on the 80%, and report FNC-1 scores and macro-F1 on the 20%."""
    from dataclasses import replace

    from claimset.split.leakage import shared_keys
    from claimset.split.stage import distribution, split_frames

    report = StageReport("fnc1-baseline")
    pairs, bodies = read_fnc1(bodies_csv, stances_csv)
    report.records_in = pairs.height
    fcfg = cfg.fnc1
    scfg = replace(
        split_cfg, seed=fcfg.seed, group_by_source=False, date_window_days=None, temporal=False
    )
    # Headlines repeat across bodies by design, so only bodies (not rows) are near-duplicate checked.
    result = split_frames(
        {"fnc1": pairs.select("item_id", "article_id", pl.col("headline").alias("text"), "label")},
        bodies,
        scfg,
        {"fnc1": {"label": FNC_LABELS}},
        ratios=[fcfg.train_share, 0.0, 1.0 - fcfg.train_share],
        merge_row_duplicates=False,
    )
    assigned = result.frames["fnc1"].select("item_id", "split", "group_id")
    data = pairs.join(assigned, on="item_id").sort("item_id")
    train = data.filter(pl.col("split") == "train")
    hold = data.filter(pl.col("split") == "test")
    out: dict[str, Any] = {
        "data": {
            "bodies": str(bodies_csv),
            "stances": str(stances_csv),
            "rows": pairs.height,
            "bodies_n": bodies.height,
        },
        "split": {
            "method": "claimset.split (groups: body + MinHash near-duplicate bodies)",
            "train_share": fcfg.train_share,
            "seed": fcfg.seed,
            "groups": result.grouping.n_groups,
            "near_duplicate_body_merges": result.grouping.merges["near_duplicate_article"],
            "search": result.assignment.method,
            "train_rows": train.height,
            "holdout_rows": hold.height,
            "train_bodies": train["article_id"].n_unique(),
            "holdout_bodies": hold["article_id"].n_unique(),
            "shared_bodies": len(shared_keys({"fnc1": data}, "article_id")),
            "label_distribution": {
                k: v["label"]
                for k, v in distribution(data, {"label": FNC_LABELS}, ("train", "test")).items()
            },
        },
        "params": {"tfidf": asdict(fcfg.tfidf), "logreg": asdict(fcfg.logreg)},
        "reference": {
            "official_baseline_fnc_relative_holdout": 79.53,
            "official_baseline_fnc_relative_competition_test": 75.20,
        },
        "models": {},
    }
    for model in MODELS:
        pred, note = fit_predict(
            model,
            [train["headline"].to_list(), train["text"].to_list()],
            train["label"].to_list(),
            [hold["headline"].to_list(), hold["text"].to_list()],
            fcfg.tfidf,
            fcfg.logreg,
            fcfg.seed,
        )
        entry = _score(hold["label"].to_list(), pred, FNC_LABELS, None, cfg)
        if note:
            entry["note"] = note
        out["models"][model] = entry
        report.records_out += len(pred)
    write_json(out_path, out)
    tl = out["models"]["tfidf_logreg"]
    report.extra.update(
        {
            "fnc_relative": tl["fnc_relative"],
            "macro_f1": tl["macro_f1"],
            "holdout_rows": hold.height,
        }
    )
    return report
