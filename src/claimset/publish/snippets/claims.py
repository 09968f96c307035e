# Claim type of a gold claim span: TF-IDF + logistic regression, macro-F1 on test.
from datasets import load_dataset
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

RELEASE = "data/release/claimset-demo"
ds = load_dataset(RELEASE, "claims")
vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
x_train = vec.fit_transform(list(ds["train"]["text"]))
model = LogisticRegression(max_iter=1000, class_weight="balanced")
model.fit(x_train, list(ds["train"]["claim_type"]))
pred = model.predict(vec.transform(list(ds["test"]["text"])))
print(
    "claim_type macro-F1 (test):",
    round(f1_score(list(ds["test"]["claim_type"]), pred, average="macro"), 3),
)
