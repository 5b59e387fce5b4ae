"""Pelican settings for production: the development settings with absolute URLs.

Loaded by path, because a file name with a dot in it cannot be imported as a module.
"""

import os
from pathlib import Path

from pelican.settings import get_settings_from_file

globals().update(get_settings_from_file(str(Path(__file__).with_name("pelican.conf.py"))))

SITEURL = os.environ.get("SITEURL", "https://touchbase.example")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
COMMENTS_DATABASE = os.environ.get("COMMENTS_DATABASE", "var/comments.db")
