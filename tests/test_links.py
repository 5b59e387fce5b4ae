"""What counts as a link (links.py): every form a browser follows off-site, counted once, and
the same hosts for the link limit, the domain lists, the signals and the classifier (issue 14)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments_service import links
from comments_service.rules import Rules, check_rules, count_links, link_domains
from comments_service.sanitize import render_comment
from comments_service.spam import features, signals

# Each form once, with a few words around it (short: the "short with a link" signal fires).
LINK_FORMS = {
    "absolute": "Read https://spam.example/page first",
    "absolute with www (one URL, one link)": "Read https://www.spam.example/page first",
    "upper-case scheme and host": "Read [this](HTTPS://SPAM.Example/x) first",
    "protocol-relative link": "Read [this](//spam.example/x) first",
    "protocol-relative text": "Read //spam.example/x first",
    "backslashed link": r"Read [this](https:\\spam.example\x) first",
    "backslashed text": r"Read https:\\spam.example\x first",
    "scheme without slashes": "Read [this](https:spam.example) first",
    "reference link": "Read [this][1] first\n\n[1]: //spam.example",
    "autolink": "Read <https://spam.example/a> first",
    "bare domain": "Read spam.example/path first",
    "bare www domain": "Read www.spam.example first",
    "percent-encoded host": "Read [this](https://%73pam.example/) first",
    "with user and port": "Read [this](https://me:pw@spam.example:8080/a) first",
    "subdomain": "Read https://shop.spam.example/x first",
}
NOT_LINKS = {
    "a path on our own site": "Read [the rules](/about) first",
    "an email address": "Write to [me](mailto:me@spam.example) or me@spam.example",
    "inside code": "Type `https://spam.example/x` and\n\n    curl https://spam.example/y",
    "a reference never used": "No link here\n\n[1]: https://spam.example",
    "a script": "[x](javascript:alert(1))",
    "not a top-level domain": "version 1.2.3 and file.txt",
}


def as_posted(body: str) -> dict:
    """A comment as the API scores it: rendered before it is judged."""
    return {"author": "Pat", "body": body, "body_html": render_comment(body)}


def as_imported(body: str) -> dict:
    """A comment as the trainer reads it: a labelled row, never rendered."""
    return {"author": "Pat", "body": body}


@pytest.mark.parametrize("comment_of", [as_posted, as_imported])
@pytest.mark.parametrize("body", LINK_FORMS.values(), ids=LINK_FORMS.keys())
def test_every_link_form_counts_once_with_its_host_everywhere(body, comment_of):
    comment = comment_of(body)
    host = "shop.spam.example" if "shop." in body else "spam.example"
    assert count_links(comment) == 1
    assert link_domains(comment) == {host}
    held, spammed = check_rules(comment, Rules(hold_links_at=0, spam_domains=["spam.example"]))
    assert (held, spammed) == ([], [f"domain {host} is on the spam list"])
    held, _ = check_rules(comment, Rules(hold_links_at=1))
    assert held == ["has 1 links (the rules hold comments with 1 or more)"]
    assert signals.short_with_link(comment) is not None
    tokens = features.tokens(comment)
    assert f"domain={host}" in tokens and "links=1" in tokens and "short-with-link" in tokens


@pytest.mark.parametrize("comment_of", [as_posted, as_imported])
@pytest.mark.parametrize("body", NOT_LINKS.values(), ids=NOT_LINKS.keys())
def test_what_a_reader_cannot_follow_off_site_is_not_a_link(body, comment_of):
    comment = comment_of(body)
    assert count_links(comment) == 0
    assert check_rules(comment, Rules(hold_links_at=1, spam_domains=["spam.example"])) == ([], [])
    assert "links=0" in features.tokens(comment)


def test_the_reason_quotes_the_rules_own_number():
    comment = as_posted("Sources: https://a.example/x, https://www.b.example/y and c.example/z")
    held, _ = check_rules(comment, Rules(hold_links_at=2))
    assert held == ["has 3 links (the rules hold comments with 2 or more)"]
    assert check_rules(comment, Rules(hold_links_at=4)) == ([], [])


@pytest.mark.parametrize("listed, written", [
    ("bücher.example", "[shop](https://xn--bcher-kva.example/a)"),
    ("xn--bcher-kva.example", "see bücher.example/a"),
    ("https://www.Spam.example/some/page", "[x](//SPAM.EXAMPLE.)"),
])
def test_hosts_match_the_lists_however_either_side_spells_them(listed, written):
    _, spammed = check_rules(as_posted(written), Rules(spam_domains=[listed]))
    assert len(spammed) == 1 and "is on the spam list" in spammed[0]


def test_the_website_and_email_fields_count_as_domains_but_not_as_links():
    comment = {**as_posted("Nice post"), "website": "pat.example/me", "email": "pat@MAIL.example"}
    assert count_links(comment) == 0
    assert link_domains(comment) == {"pat.example"}
    _, spammed = check_rules(comment, Rules(spam_domains=["mail.example"]))
    assert spammed == ["domain mail.example is on the spam list"]


@pytest.mark.parametrize("href, url, host", [
    ("https://Spam.example/a", "https://Spam.example/a", "spam.example"),
    ("//spam.example/a", "https://spam.example/a", "spam.example"),
    ("\\\\spam.example\\a", "https://spam.example/a", "spam.example"),
    ("/\\spam.example", "https://spam.example", "spam.example"),
    ("https:\\\\\\spam.example", "https://spam.example", "spam.example"),
    (" \thttps://spam.\nexample/a ", "https://spam.example/a", "spam.example"),
    ("http://[2001:db8::1]:80/", "http://[2001:db8::1]:80/", "[2001:db8::1]"),
    ("/about", None, None),
    ("page.html", None, None),
    ("mailto:me@spam.example", None, None),
    ("https://", None, None),
])
def test_hrefs_resolve_as_a_browser_resolves_them(href, url, host):
    link = links.resolve(href)
    assert (link.url, link.host) == (url, host) if url else link is None


MARKDOWN_PIECES = ["[x]", "(", ")", "(//a.example)", "[1]: ", "[1]", "<", ">", "<https://b.example>", "\\",
                   "&#46;", "&amp;", "www.", "c.example", "/path", ".", "`", "    ", "\n", "\n\n", " ", "https:",
                   "//", "http://d.example/x", "-", "@", "*", "_", "e.com", "%20", "\\\\"]
TEXTS = st.one_of(
    st.lists(st.sampled_from(MARKDOWN_PIECES) | st.text(max_size=3), max_size=25).map("".join),
    st.text(max_size=80),
)


@settings(max_examples=500, deadline=None, database=None)
@given(TEXTS)
def test_links_of_unrendered_text_are_those_of_its_rendering(text):
    # Training reads labelled rows that were never rendered; it skips rendering those that
    # cannot hold a link, and must then find exactly what the rendered HTML holds.
    assert links.in_text(text) == links.in_html(render_comment(text))
