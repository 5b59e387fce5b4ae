"""What the classifier sees of a comment: its words, the domains it links to, author and website.

`tokens(comment)` is the analyzer handed to scikit-learn's HashingVectorizer: word unigrams
and bigrams, links replaced by their domains, and the author and website fields.
`plain_text(comment)` is what the character n-grams are read from (classifier.py): the text a
reader sees, lower-case, each link reduced to the word "link", so that spelling tricks
("subscr1be", "ch3ck") and word endings count without a URL's random ids becoming vocabulary.
`read(comment)` gives both from one pass, for scoring one comment.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

# Links written out. A literal start and one character class: linear time on any input.
_EXPLICIT_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# Bare domains people type to dodge link filters ("example.com/offer") are found word by word,
# never by one regex over the whole text (that backtracks badly on "a.a.a.a...").
_TOP_LEVEL = frozenset(
    "com net org info biz ly be co me io tv gl us uk de ru pl br tk xyz site online shop".split()
)
_LABEL = re.compile(r"[a-z0-9-]+")
_EDGES = "()[]<>\"'.,;:!?*"
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
# Invisible characters that some clients add (byte order marks, zero-width spaces).
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


def clean(text: str) -> str:
    """The text as a reader sees it: entities decoded, tags and invisible characters gone."""
    text = html.unescape(_TAG.sub(" ", text or ""))
    return text.translate(_INVISIBLE)


def domain_of(url: str) -> str:
    """The host of a link, lower-case, without www. ("" when there is none)."""
    if "://" not in url:
        url = "http://" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _is_bare_domain(word: str) -> bool:
    labels = word.split("/", 1)[0].split(".")
    return (
        len(labels) >= 2
        and labels[-1] in _TOP_LEVEL
        and all(_LABEL.fullmatch(label) for label in labels[:-1])
    )


def split_links(text: str) -> tuple[list[str], str]:
    """The links in a text, and the text with each link replaced by the word "link"."""
    links: list[str] = []

    def keep(match: re.Match) -> str:
        links.append(match.group(0))
        return " link "

    words = []
    for word in _EXPLICIT_LINK.sub(keep, text).split():
        candidate = word.strip(_EDGES).lower()
        if candidate != "link" and _is_bare_domain(candidate):
            links.append(candidate)
            word = "link"
        words.append(word)
    return links, " ".join(words)


def _length_band(length: int) -> str:
    for limit, band in ((20, "tiny"), (60, "short"), (200, "medium"), (1000, "long")):
        if length < limit:
            return band
    return "very-long"


def tokens(comment: dict) -> list[str]:
    """Every feature of one comment, as strings for the hashing vectorizer."""
    return read(comment)[0]


def plain_text(comment: dict) -> str:
    """The comment's text as one lower-case string, each link reduced to the word "link"."""
    _, text = split_links(clean(comment.get("body", "")))
    return text.lower()


def read(comment: dict) -> tuple[list[str], str]:
    """(tokens(comment), plain_text(comment)) from one pass over the text: scoring a post
    needs both, and cleaning and finding links is most of the work of each."""
    body = clean(comment.get("body", ""))
    links, text = split_links(body)
    domains = [domain_of(link) for link in links]
    # Links become one word each ("link") so that ids in URLs do not become vocabulary.
    words = [w.lower() for w in _WORD.findall(text)]
    found = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    found += [f"domain={d}" for d in domains if d]
    found.append(f"links={min(len(links), 3)}")
    found.append(f"length={_length_band(len(body.strip()))}")
    if links and len(body.strip()) < 60:
        found.append("short-with-link")
    letters = [ch for ch in body if ch.isalpha()]
    if len(letters) >= 12 and sum(ch.isupper() for ch in letters) / len(letters) > 0.6:
        found.append("shouting")
    author = " ".join((comment.get("author") or "").lower().split())
    if author:
        found.append(f"author={author}")
    website = domain_of(comment.get("website") or "") if comment.get("website") else ""
    found.append(f"website={website}" if website else "no-website")
    return found, text.lower()


def normalized_text(body: str) -> str:
    """A text reduced for exact-copy comparison: cleaned, lower-case, single spaces."""
    return " ".join(clean(body).lower().split())
