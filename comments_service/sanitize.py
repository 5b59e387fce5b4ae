"""Comment Markdown -> safe HTML: `markdown` renders, `bleach` cleans with one allow-list.

Everything a reader writes that ends up as HTML passes through `render_comment`. The
output is computed once, when the comment is written, and stored beside the raw text.
What counts as a link in a comment is read from this HTML (links.py).
"""

import re
import threading
from functools import partial

import bleach
import markdown
from bleach.linkifier import TLDS, LinkifyFilter, build_url_re

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# Bare domains ("shop.example/offer") the link pass turns into links: bleach's list of
# top-level domains, the newer ones link spam favours, and "example" (RFC 2606), which
# documentation and tests use.
LINKED_TOP_LEVEL_DOMAINS = frozenset(TLDS) | {"xyz", "site", "online", "shop", "top", "club", "example"}


# bleach's URL pattern backtracks badly: 10,000 characters of "a-a-a-..." took 6 s, of "((((..."
# 5 s, on every post. These three changes keep it linear: opening parentheses are read once
# from the first; a link starts at the beginning of a word (not after a hyphen, dot or @; the
# search from the word's start already read whatever follows); the labels of a host are read
# without backtracking (a dot followed by a label always continues the host).
_LINEAR_URL_PATTERN = (
    (r"\(*", r"(?<!\()\(*+"),
    (r"\b(?<![@.])", r"(?<![\w@.-])(?=\w)"),
    (r"([\w-]+\.)+", r"([\w-]++\.(?=[\w-]))++"),
)


def _url_pattern() -> re.Pattern:
    """bleach's URL pattern over our top-level domains, rewritten to run in linear time."""
    pattern = build_url_re(tlds=LINKED_TOP_LEVEL_DOMAINS).pattern
    for slow, linear in _LINEAR_URL_PATTERN:
        if pattern.count(slow) != 1:
            raise RuntimeError(f"bleach's URL pattern changed ({slow} not found): review sanitize.py")
        pattern = pattern.replace(slow, linear)
    return re.compile(pattern, re.IGNORECASE | re.VERBOSE)


URL_RE = _url_pattern()


def _set_link_rel(attrs: dict, new: bool = False) -> dict:
    """Every surviving link gets the same rel, whatever the reader wrote."""
    href = attrs.get((None, "href"), "")
    if not href:
        return None  # an anchor without a target is dropped, its text kept
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags={"pre", "code"}, url_re=URL_RE)],
)

_local = threading.local()


def _markdown() -> markdown.Markdown:
    """A Markdown renderer per thread (instances keep state between calls)."""
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=["fenced_code", "sane_lists"], output_format="html")
        # Raw HTML is not markup we offer: with these off, "<b>" shows as text instead of
        # being passed through (and then stripped, losing what the reader wrote).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        _local.md = md
    return md


# Prose with no character that means anything to Markdown or HTML: letters, digits, spaces and
# everyday punctuation (no "_*`[]<>&#\\@~|=+" and no tab).
_PLAIN_TEXT = re.compile(r"(?:[^\W_]|[ .,;:'\"?!()%$/\n-])*")
# Lines that would start or shape a block (a list, a rule, code) or end in a line break.
_BLOCK_LINE = re.compile(r"^(?: |-|\d+[.)])| $", re.MULTILINE)


def _plain_paragraphs(text: str) -> str | None:
    """The HTML of a comment that is only plain paragraphs, as Markdown and the cleaner would
    give it, or None when the text needs them. Most comments are plain prose, and the full
    path costs a post about as much as the rest of it together. tests/test_sanitize.py holds
    the two equal on arbitrary text (hypothesis)."""
    if not _PLAIN_TEXT.fullmatch(text) or _BLOCK_LINE.search(text) or URL_RE.search(text):
        return None
    paragraphs = [part.strip("\n") for part in re.split(r"\n\n+", text.strip("\n"))]
    return "\n".join(f"<p>{part}</p>" for part in paragraphs if part)


def render_full(text: str) -> str:
    """Markdown, then the one Cleaner (allow-list and link pass in one parse)."""
    return _cleaner.clean(_markdown().reset().convert(text)).strip()


def render_comment(text: str) -> str:
    """Render a comment's Markdown and return HTML that is safe to print as is."""
    plain = _plain_paragraphs(text)
    return plain if plain is not None else render_full(text)
