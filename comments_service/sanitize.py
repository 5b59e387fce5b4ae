"""Comment Markdown -> safe HTML: `markdown` renders, `bleach` cleans with one allow-list.

Everything a reader writes that ends up as HTML passes through `render_comment`. The
output is computed once, when the comment is written, and stored beside the raw text.
"""

import re
import threading
from functools import partial

import bleach
import markdown
from bleach.linkifier import URL_RE, LinkifyFilter

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


def _set_link_rel(attrs: dict, new: bool = False) -> dict:
    """Every surviving link gets the same rel, whatever the reader wrote."""
    href = attrs.get((None, "href"), "")
    if not href:
        return None  # an anchor without a target is dropped, its text kept
    attrs[(None, "rel")] = LINK_REL
    return attrs


_CLEANER_OPTIONS = dict(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_cleaner = bleach.sanitizer.Cleaner(
    **_CLEANER_OPTIONS,
    filters=[partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags={"pre", "code"})],
)
# The same allow-list without the link pass, for HTML in which that pass has nothing to do.
_cleaner_without_links = bleach.sanitizer.Cleaner(**_CLEANER_OPTIONS)


def _may_hold_links(html: str) -> bool:
    """Whether the link pass could change anything: an anchor to give its rel, an address or a
    URL to turn into a link, or an entity that might spell one once decoded. Searching the
    whole HTML (tags included) finds at least what the pass finds in its text."""
    return "<a" in html or "@" in html or "&" in html or URL_RE.search(html) is not None


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
    path costs a post about as much as the rest of it together."""
    if not _PLAIN_TEXT.fullmatch(text) or _BLOCK_LINE.search(text) or URL_RE.search(text):
        return None
    paragraphs = [part.strip("\n") for part in re.split(r"\n\n+", text.strip("\n"))]
    return "\n".join(f"<p>{part}</p>" for part in paragraphs if part)


def render_comment(text: str) -> str:
    """Render a comment's Markdown and return HTML that is safe to print as is."""
    plain = _plain_paragraphs(text)
    if plain is not None:
        return plain
    md = _markdown()
    html = md.reset().convert(text)
    # Most comments hold no link, and the link pass is a third of the cleaning time.
    cleaner = _cleaner if _may_hold_links(html) else _cleaner_without_links
    return cleaner.clean(html).strip()
