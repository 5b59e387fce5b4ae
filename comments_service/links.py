r"""What counts as a link in a comment: the links its sanitized HTML holds, as a browser follows them.

The one definition used by the link limit and the domain lists (rules.py), the signals and the
classifier's features (spam/). A link is an `<a href>` in the HTML that sanitize.py produces
(Markdown links, reference links, autolinks, and the addresses and bare domains its link pass
turns into links), resolved as a browser resolves it against our own pages: "//host/x" and
"https:\\host\x" leave the site as surely as "https://host/x" does. Links within the site
(relative paths) and other schemes (mailto:) are not counted. One anchor is one link.

Hosts are lower-case, IDNA-encoded (so "bücher.example" and "xn--bcher-kva.example" are one
host) and without "www.".
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import unquote

from .sanitize import URL_RE, render_comment

WEB_SCHEMES = ("http", "https")
# WHATWG URL: leading and trailing C0 controls and spaces are stripped, tabs and newlines
# removed anywhere, and in web URLs a backslash is a slash.
_STRIPPED = "".join(map(chr, range(0x21)))
_TABS_AND_NEWLINES = str.maketrans("", "", "\t\n\r")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_AUTHORITY_END = re.compile(r"[/?#]")
_AUTOLINK_START = re.compile(r"<[hHfF]")  # Markdown's autolinks: <http...>, <ftp...>


@dataclass(frozen=True)
class Link:
    url: str  # where the browser goes: scheme, "//", host as written, and the rest
    host: str  # lower-case, IDNA, without "www."


def in_comment(comment: dict) -> tuple[Link, ...]:
    """The links of a comment: from its body_html when it has been rendered (a post is, before
    it is scored), else from rendering its body (training examples, imports)."""
    body_html = comment.get("body_html")
    if body_html:
        return in_html(body_html)
    return in_text(comment.get("body") or "")


@lru_cache(maxsize=1024)  # scoring one post asks the rules, a signal and the classifier
def in_html(body_html: str) -> tuple[Link, ...]:
    """The links in HTML produced by sanitize.render_comment."""
    return _links_of(body_html)


def _links_of(body_html: str) -> tuple[Link, ...]:
    if "<a" not in body_html:
        return ()
    reader = _Anchors()
    reader.feed(body_html)
    reader.close()
    return tuple(link for link in map(resolve, reader.hrefs) if link is not None)


def in_text(body: str) -> tuple[Link, ...]:
    """The links of a comment's Markdown, as rendering it would give them."""
    return _rendered(body) if _may_link(body) else ()


@lru_cache(maxsize=2**14)  # each retraining reads the whole corpus again
def _rendered(body: str) -> tuple[Link, ...]:
    return _links_of(render_comment(body))


def _may_link(body: str) -> bool:
    """Whether rendering could give a link: Markdown link syntax ("[", an autolink "<http",
    a backslash escape that could join a domain), or what the link pass would link once
    entities are decoded. tests/test_links.py holds this to rendering on arbitrary text."""
    return (
        "[" in body or "\\" in body or _AUTOLINK_START.search(body) is not None
        or URL_RE.search(body) is not None
        # Emphasis marks go when rendered, leaving an address they touched ("_e.com_"), and
        # the HTML parser drops control characters ("0\x03-c.example" links "0-c.example").
        or URL_RE.search(body.translate(_AS_RENDERED)) is not None
        # An entity may spell part of an address once decoded, or end just before one.
        or ("&" in body and URL_RE.search(html.unescape(body)) is not None)
    )


_AS_RENDERED = {
    **str.maketrans("_*", "  "),
    **dict.fromkeys([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), *range(0x7F, 0xA0)]),
}


def replace_addresses(text: str, replacement: str) -> str:
    """The text with every address the link pass would turn into a link replaced."""
    return URL_RE.sub(replacement, text)


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def resolve(href: str) -> Link | None:
    """The off-site web address a browser goes to for this href, or None (a link within the
    site, another scheme, no host)."""
    href = href.strip(_STRIPPED).translate(_TABS_AND_NEWLINES)
    scheme = _SCHEME.match(href)
    if scheme:
        name = scheme.group(1).lower()
        if name not in WEB_SCHEMES:
            return None
        rest = href[scheme.end():].replace("\\", "/")
        # A web scheme ignores any number of slashes before the host. "https:host" with none
        # is a path where the page has that same scheme: counted anyway, as the page's
        # scheme is not known here and a spammer gains nothing from writing it so.
        rest = rest.lstrip("/")
    else:
        rest = href.replace("\\", "/")
        if not rest.startswith("//"):
            return None  # a path on our own site
        name, rest = "https", rest.lstrip("/")
    authority = _AUTHORITY_END.split(rest, 1)[0]
    host = host_of_authority(authority)
    return Link(url=f"{name}://{rest}", host=host) if host else None


def host_of_authority(authority: str) -> str:
    """The host of "user:password@host:port", normalized (see normalize_host)."""
    host = authority.rsplit("@", 1)[-1]
    # The port goes; an IPv6 address ("[2001:db8::1]:80") keeps its own colons.
    host = host.split("]", 1)[0] + "]" if host.startswith("[") else host.split(":", 1)[0]
    return normalize_host(unquote(host))


@lru_cache(maxsize=4096)  # the moderators' domain lists are read on every post
def host_of(url: str) -> str:
    """The host of an address written in a form field (scheme optional), normalized."""
    link = resolve(url if "//" in url.replace("\\", "/") else "//" + url)
    return link.host if link else ""


def normalize_host(host: str) -> str:
    """Lower-case, IDNA-encoded, without a final dot or a leading "www." ("" if unusable)."""
    host = host.strip().rstrip(".").lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:  # not a name DNS could hold: keep it as written, for matching
            pass
    return host.removeprefix("www.")
