"""Touch Base comment service.

`create_app()` builds the Flask app (see app.py). Importing the package loads nothing else,
so the Pelican plugin, the storage layer and the spam filter work without Flask.
"""


def create_app(test_config: dict | None = None):
    """The application factory: `gunicorn 'comments_service:create_app()'`."""
    from .app import create_app as build

    return build(test_config)
