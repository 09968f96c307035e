"""claimset: news articles to labelled claim and stance datasets."""
