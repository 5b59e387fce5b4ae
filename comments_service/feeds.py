"""Atom feeds of approved comments, built with ElementTree (which escapes every value)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def comments_feed(
    *, title: str, feed_url: str, site_url: str, comments: list[dict], links: dict[str, str],
    titles: dict[str, str], updated: str,
) -> bytes:
    """An Atom document; `links`/`titles` map a thread slug to its article URL and title."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", title)
    _sub(feed, "id", feed_url)
    _sub(feed, "link", href=feed_url, rel="self")
    _sub(feed, "link", href=site_url, rel="alternate")
    _sub(feed, "updated", comments[0]["updated_at"] if comments else updated)
    for comment in comments:
        thread = comment["thread"]
        link = f"{links.get(thread, site_url)}#c{comment['id']}"
        entry = _sub(feed, "entry")
        _sub(entry, "title", f"{comment['author']} on {titles.get(thread, thread)}")
        _sub(entry, "id", link)
        _sub(entry, "link", href=link, rel="alternate")
        _sub(entry, "published", comment["created_at"])
        _sub(entry, "updated", comment["updated_at"])
        author = _sub(entry, "author")
        _sub(author, "name", comment["author"])
        if comment.get("website"):
            _sub(author, "uri", comment["website"])
        _sub(entry, "content", comment["body_html"], type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
