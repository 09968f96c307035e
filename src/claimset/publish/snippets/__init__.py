"""The card's code snippets, one per config, as runnable scripts (tests run them on the demo).

Each reads the release from ``RELEASE``; the card prints them with the release's path.
"""
