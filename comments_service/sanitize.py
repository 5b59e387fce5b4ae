"""Comment Markdown -> safe HTML: `markdown` renders, `bleach` cleans with one allow-list.

Everything a reader writes that ends up as HTML passes through `render_comment`. The
output is computed once, when the comment is written, and stored beside the raw text.
"""

import threading
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter

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


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags={"pre", "code"})],
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


def render_comment(text: str) -> str:
    """Render a comment's Markdown and return HTML that is safe to print as is."""
    md = _markdown()
    html = md.reset().convert(text)
    return _cleaner.clean(html).strip()
