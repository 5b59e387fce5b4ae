"""Comment text as a reader reads it, and the key that says two comments are "the same text".

Pure and stdlib-only, at the bottom of the layers: the store keeps each comment's key (to count
copies with an index lookup) and the spam filter compares texts with the same function.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]*>")
# Invisible characters that some clients add (byte order marks, zero-width spaces).
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


def clean(text: str) -> str:
    """The text as a reader sees it: entities decoded, tags and invisible characters gone."""
    text = html.unescape(_TAG.sub(" ", text or ""))
    return text.translate(_INVISIBLE)


def same_text_key(body: str) -> str:
    """A text reduced for exact-copy comparison: cleaned, lower-case, single spaces."""
    return " ".join(clean(body).lower().split())
