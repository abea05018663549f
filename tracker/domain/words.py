"""The product's words for counts: "1 risk", "3 risks", "1 mitigation moved"."""

from __future__ import annotations

# Words whose plural is not the word with an "s".
IRREGULAR = {"match": "matches", "batch": "batches", "was": "were", "is": "are", "has": "have"}


def plural_word(word: str, count: int) -> str:
    """`word` as it reads after `count`: singular for exactly one, plural otherwise."""
    if count == 1:
        return word
    return IRREGULAR.get(word, word + "s")


def plural(count: int, word: str, plural_form: str | None = None) -> str:
    """ "1 risk", "0 risks", "2 mitigations"; `plural_form` for irregular words
    ("1 person", "3 people"). Numbers are written with thousands separators."""
    noun = word if count == 1 else plural_form or plural_word(word, count)
    return f"{count:,} {noun}"
