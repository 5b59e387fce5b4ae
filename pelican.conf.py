"""Pelican settings for local development (`make html`, `make serve`, `make run`).

Only UPPERCASE names are read by Pelican. Every setting here is visible in the theme's
templates, which is how the comment widget learns where the API lives.
"""

from pathlib import Path

AUTHOR = "Touch Base editors"
SITENAME = "Touch Base"
SITESUBTITLE = "Networking etiquette for people who would rather be remembered than tolerated"
SITEURL = ""
# Feeds need absolute links even while SITEURL is empty in development.
FEED_DOMAIN = "http://127.0.0.1:8000"

PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_EXCLUDES = ["pages"]
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"

# Pretty URLs built from the slug: the slug is also the comment thread key.
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = "pages/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
CATEGORIES_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
# Drafts are not written at all, so nothing unpublished reaches output/ or gets a thread.
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
INDEX_SAVE_AS = "index.html"
DIRECT_TEMPLATES = ["index", "archives", "404"]
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None}
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Atom feeds: all posts, per category, per tag. No RSS, no translations.
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
FEED_ATOM = None
FEED_RSS = None
FEED_ALL_RSS = None
CATEGORY_FEED_RSS = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
CACHE_PATH = "var/pelican-cache"
DELETE_OUTPUT_DIRECTORY = False

THEME = str(Path(__file__).with_name("theme"))
THEME_STATIC_DIR = "theme"
# The build plugin writes the theme's CSS and JavaScript minified; False keeps them as written.
MINIFY_ASSETS = True
PLUGIN_PATHS = []
PLUGINS = ["comments_service.pelican_plugin"]
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.smarty": {},
        "markdown.extensions.toc": {},
    },
    "output_format": "html5",
}

# The comment service. The widget, the plain HTML form and the build plugin read these.
COMMENTS_URL = "/api"
# Where the build plugin reads approved comments to bake into article pages (read-only);
# a missing database simply bakes nothing.
COMMENTS_DATABASE = "var/comments.db"
# Close threads automatically this many days after the post's date (None: never).
COMMENTS_CLOSE_AFTER_DAYS = None

MENUITEMS = []
DISPLAY_PAGES_ON_MENU = True
DISPLAY_CATEGORIES_ON_MENU = False
RELATED_POSTS_MAX = 3
