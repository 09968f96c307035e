# Every offset in the other configs points into articles.text.
from datasets import load_dataset

RELEASE = "data/release/claimset-demo"
articles = load_dataset(RELEASE, "articles")
claims = load_dataset(RELEASE, "claims")
text = {row["article_id"]: row["text"] for split in articles.values() for row in split}
claim = claims["train"][0]
assert text[claim["article_id"]][claim["char_start"] : claim["char_end"]] == claim["text"]
print(claim["speaker_name"], "->", claim["text"])
