"""What the classifier sees of a comment: its words, the hosts it links to, author and website.

`tokens(comment)` is the analyzer handed to scikit-learn's HashingVectorizer: word unigrams
and bigrams, the hosts of its links (links.py: the same links the rules count), the author
and website fields. `plain_text(comment)` is what the character n-grams are read from
(classifier.py): the text a reader sees, lower-case, each address reduced to the word "link",
so that spelling tricks ("subscr1be", "ch3ck") and word endings count without a URL's random
ids becoming vocabulary. `read(comment)` gives both from one pass, for scoring one comment.
"""

from __future__ import annotations

import re

from .. import links
from ..text import clean
from .signals import is_short_with_link, is_shouting

_WORD = re.compile(r"\w+")
def _without_addresses(seen: str) -> str:
    """A cleaned text, lower-case, with each address written in it reduced to the word "link"."""
    return links.replace_addresses(seen, " link ").lower()


def _length_band(length: int) -> str:
    for limit, band in ((20, "tiny"), (60, "short"), (200, "medium"), (1000, "long")):
        if length < limit:
            return band
    return "very-long"


def tokens(comment: dict) -> list[str]:
    """Every feature of one comment, as strings for the hashing vectorizer."""
    return read(comment)[0]


def plain_text(comment: dict) -> str:
    """The comment's text as one lower-case string, each address reduced to the word "link"."""
    return _without_addresses(clean(comment.get("body", "")))


def read(comment: dict) -> tuple[list[str], str]:
    """(tokens(comment), plain_text(comment)) from one pass over the text: scoring a post
    needs both, and cleaning the text is much of the work of each."""
    seen = clean(comment.get("body", ""))
    text = _without_addresses(seen)
    found_links = links.in_comment(comment)
    words = _WORD.findall(text)
    found = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    found += [f"domain={link.host}" for link in found_links]
    found.append(f"links={min(len(found_links), 3)}")
    found.append(f"length={_length_band(len(seen.strip()))}")
    if is_short_with_link(comment):
        found.append("short-with-link")
    if is_shouting(seen):
        found.append("shouting")
    author = " ".join((comment.get("author") or "").lower().split())
    if author:
        found.append(f"author={author}")
    website = links.host_of(comment.get("website") or "") if comment.get("website") else ""
    found.append(f"website={website}" if website else "no-website")
    return found, text


