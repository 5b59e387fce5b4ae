"""The signed form token: it carries the moment the comment form was shown to the reader."""

from __future__ import annotations

import time
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "touch-base-form-token"


@lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def issue_token(secret_key: str, now: float | None = None) -> str:
    """A token recording `now` (seconds since the epoch), signed with the site's secret."""
    stamp = time.time() if now is None else now
    return _serializer(secret_key).dumps({"shown": round(stamp, 3)})


def token_age(secret_key: str, token: str, now: float | None = None) -> float | None:
    """Seconds since the form was shown, or None when the token is missing or forged."""
    if not token:
        return None
    try:
        payload = _serializer(secret_key).loads(token)
        shown = float(payload["shown"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return (time.time() if now is None else now) - shown
