import re

import pytest

from comments_service.sanitize import render_comment

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="http://ok.example" onclick="alert(1)">x</a>',
    "<iframe src=http://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>alert(1)//<</script>",
    "<b><i>unclosed <u>broken",
    '"><script>alert(1)</script>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "[x](javascript&#58;alert(1))",
    "<object data=javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
    "`<script>alert(1)</script>`",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_input_is_neutralised(payload):
    html = render_comment(payload).lower()
    assert "<script" not in html
    assert "<iframe" not in html and "<svg" not in html and "<img" not in html
    assert "<style" not in html and "<object" not in html and "<math" not in html
    # Inside real tags (not escaped text) nothing can run script.
    for tag in re.findall(r"<[a-z][^>]*>", html):
        assert " on" not in tag, tag
        assert "style=" not in tag, tag
        for scheme in ("javascript", "data:", "vbscript"):
            assert scheme not in tag, tag


@pytest.mark.parametrize(
    "markdown_text, expected",
    [
        ("*em* and **strong**", "<p><em>em</em> and <strong>strong</strong></p>"),
        ("`code`", "<p><code>code</code></p>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
        ("```\nx < y && z\n```", "<pre><code>x &lt; y &amp;&amp; z\n</code></pre>"),
        ("first\n\nsecond", "<p>first</p>\n<p>second</p>"),
        ("a < b & c", "<p>a &lt; b &amp; c</p>"),
    ],
)
def test_ordinary_markdown_is_preserved(markdown_text, expected):
    assert render_comment(markdown_text) == expected


@pytest.mark.parametrize(
    "text, href",
    [
        ("[site](https://example.com/a?b=1)", "https://example.com/a?b=1"),
        ("see http://example.org/page for more", "http://example.org/page"),
        ("write to [me](mailto:someone@example.com)", "mailto:someone@example.com"),
        ("www.example.net", "http://www.example.net"),
    ],
)
def test_links_survive_with_nofollow_ugc_noopener(text, href):
    html = render_comment(text)
    assert f'href="{href}"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_a_reader_cannot_choose_the_rel_of_a_link():
    html = render_comment('[x](https://example.com "t")')
    assert html.count("rel=") == 1 and 'rel="nofollow ugc noopener"' in html


def test_raw_html_shows_as_text_instead_of_disappearing():
    assert render_comment("I love <b>bold</b> tags") == "<p>I love &lt;b&gt;bold&lt;/b&gt; tags</p>"


LINKLESS_AND_LINKY = HOSTILE + [
    "Thanks, this matches my experience at trade fairs.",
    "I met her at example.com's booth",
    "mail me: someone@example.com",
    "see example.org/page, or EXAMPLE.NET",
    "an entity: example&#46;com and &amp; and &lt;b&gt;",
    "<https://autolink.example>",
    "version 1.2.3 costs 5.50 dollars; e.g. this.",
    "ftp://old.example/file and irc://chat.example",
    "`code with http://x.example inside`",
]


@pytest.mark.parametrize("text", LINKLESS_AND_LINKY)
def test_skipping_the_link_pass_never_changes_the_output(text):
    # render_comment skips bleach's link pass when it has nothing to do: the result must be
    # exactly what the full cleaner gives.
    from comments_service import sanitize

    html = sanitize._markdown().reset().convert(text)
    assert render_comment(text) == sanitize._cleaner.clean(html).strip()


def test_plain_comments_take_the_short_path_and_links_the_full_one():
    from comments_service.sanitize import _may_hold_links

    assert not _may_hold_links("<p>Thanks, see you at the next meetup.</p>")
    assert _may_hold_links("<p>see example.org</p>")
    assert _may_hold_links("<p>me@example.com</p>")
    assert _may_hold_links('<p><a href="https://x.example">x</a></p>')


def _full_path(text: str) -> str:
    from comments_service import sanitize

    return sanitize._cleaner.clean(sanitize._markdown().reset().convert(text)).strip()


PLAIN_PROSE = [
    "Comment 5. I keep a plain spreadsheet of who I met, where, and what we talked about.",
    "Thanks!\n\nI'd add one thing: call (don't e-mail) within 48 hours; it's 100% worth it.",
    "Zweite Zeile folgt\nhier, ohne Absatz. Ça marche? Très bien: 3/4 of my contacts agree.",
    "\n\nLeading and trailing blank lines\n\n\n\nand many between.\n\n",
]


@pytest.mark.parametrize("text", PLAIN_PROSE)
def test_plain_prose_takes_the_short_path_with_the_same_html(text):
    from comments_service.sanitize import _plain_paragraphs

    assert _plain_paragraphs(text) is not None
    assert render_comment(text) == _full_path(text)


@pytest.mark.parametrize("text", [
    "- a list item", "1. first\n2. second", "Title\n---", "Title\n===", "    code", "# heading",
    "line with a break  \nnext", "*em* and _em_", "a [link](https://x.example)", "see example.com",
    "me@example.com", "a < b & c > d", "`code`", "> quoted", "tab\there",
])
def test_anything_markdown_might_shape_takes_the_full_path(text):
    from comments_service.sanitize import _plain_paragraphs

    assert _plain_paragraphs(text) is None


def test_the_short_path_agrees_with_markdown_and_bleach_on_random_text():
    # Random texts over an alphabet rich in the characters at the short path's edges: wherever
    # the short path answers, its answer must be the full path's, byte for byte.
    import random

    from comments_service.sanitize import _plain_paragraphs

    rng = random.Random(7)
    alphabet = list("ab Z9é.,;:'\"?!()%$/-\n") + ["1. ", "\n\n", "  ", "- ", "x.com", "e.g."]
    short = 0
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        plain = _plain_paragraphs(text)
        if plain is not None:
            short += 1
            assert plain == _full_path(text), repr(text)
    assert short > 500  # the comparison really ran on many texts
