# Token tagging (BIO over CONTENT / SOURCE / CUE): a per-token logistic regression on the
# word and its neighbours; a CRF or a transformer trains on the same columns.
from datasets import load_dataset
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

RELEASE = "data/release/claimset-demo"
ds = load_dataset(RELEASE, "attribution")


def features(split):
    x, y = [], []
    for row in split:
        toks = row["tokens"]
        for i, tag in enumerate(row["tags"]):
            prev = toks[i - 1].lower() if i else "<s>"
            nxt = toks[i + 1].lower() if i + 1 < len(toks) else "</s>"
            x.append(
                {"w": toks[i].lower(), "prev": prev, "next": nxt, "cap": toks[i][:1].isupper()}
            )
            y.append(tag)
    return x, y


vec = DictVectorizer()
x_train, y_train = features(ds["train"])
model = LogisticRegression(max_iter=1000).fit(vec.fit_transform(x_train), y_train)
x_test, y_test = features(ds["test"])
pred = model.predict(vec.transform(x_test))
names = ds["train"].features["tags"].feature.names
tagged = [i for i, n in enumerate(names) if n != "O"]
print(
    "token macro-F1 over B-/I- tags (test):",
    round(f1_score(y_test, pred, labels=tagged, average="macro", zero_division=0), 3),
)
