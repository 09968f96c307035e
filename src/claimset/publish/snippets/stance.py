# Stance towards a target: TF-IDF over "target [SEP] text" + logistic regression.
from datasets import load_dataset
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

RELEASE = "data/release/claimset-demo"
ds = load_dataset(RELEASE, "stance")


def pairs(split):
    return [f"{t} [SEP] {x}" for t, x in zip(split["target"], split["text"], strict=True)]


vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
model = LogisticRegression(max_iter=1000, class_weight="balanced")
model.fit(vec.fit_transform(pairs(ds["train"])), list(ds["train"]["label"]))
pred = model.predict(vec.transform(pairs(ds["test"])))
print(
    "stance macro-F1 (test):", round(f1_score(list(ds["test"]["label"]), pred, average="macro"), 3)
)
