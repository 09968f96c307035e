# Sentence-level claim detection (CheckThat!/ClaimBuster style): TF-IDF + logistic regression.
from datasets import load_dataset
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

RELEASE = "data/release/claimset-demo"
ds = load_dataset(RELEASE, "claim_detection")
vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
x_train = vec.fit_transform(list(ds["train"]["text"]))
model = LogisticRegression(max_iter=1000, class_weight="balanced")
model.fit(x_train, list(ds["train"]["label"]))
pred = model.predict(vec.transform(list(ds["test"]["text"])))
claim = ds["train"].features["label"].str2int("claim")
print("claim F1 (test):", round(f1_score(list(ds["test"]["label"]), pred, pos_label=claim), 3))
