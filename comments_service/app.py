"""The Flask application factory of the Touch Base comment service."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix

from . import store
from .config import DEFAULTS, load_secret_key
from .threads import ThreadManifest

csrf = CSRFProtect()

STORAGE_UNAVAILABLE = (
    "The comment service cannot use its storage right now (the server's disk is full or"
    " read-only). Nothing was changed; please try again in a few minutes."
)

# Our pages load nothing from elsewhere and run no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key.

    Flask builds it on every request, the API's included, which costs more than serving a
    cached thread; the serializer keeps no per-request state, so one per key is the same."""

    _kept: tuple | None = None

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._kept is None or self._kept[0] != key:
            self._kept = (key, super().get_signing_serializer(app))
        return self._kept[1]


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app: defaults, then `COMMENTS_*` environment variables, then overrides."""
    app = Flask(__name__)
    app.session_interface = SessionInterface()
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("COMMENTS")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.config["DATABASE"])
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    app.extensions["threads"] = ThreadManifest(app.config["SITE_DIR"])

    from . import api, moderation, unsubscribe

    app.register_blueprint(api.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(unsubscribe.bp)
    # Every form post needs a CSRF token, except the public JSON API, which has no session.
    csrf.init_app(app)
    csrf.exempt(api.bp)

    @app.get("/healthz")
    def healthz():
        try:
            healthy = store.is_healthy(store.connection(app.config["DATABASE"]))
        except Exception:  # any failure to answer means unhealthy, which is what we report
            healthy = False
        status = 200 if healthy else 503
        return jsonify({"status": "ok" if healthy else "unavailable"}), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/") or request.path == "/healthz":
            return api.json_error_for_api(error)
        return site_error_page(app, error)

    @app.errorhandler(store.StorageUnavailable)
    def storage_unavailable(error: store.StorageUnavailable):
        # A full or read-only disk: a clear 503, never a stack trace (SQLite rolled back the write).
        # Any other database error is a bug: Flask logs it with its traceback and answers 500.
        app.logger.error("storage unavailable: %s", error)
        return http_error(ServiceUnavailable(STORAGE_UNAVAILABLE))

    @app.after_request
    def security_headers(response):
        # Like headers.setdefault for each, in one pass (setdefault is slow on a miss).
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        return response

    if app.config["SERVE_SITE"]:
        from . import site

        app.register_blueprint(site.bp)

    return app


def site_error_page(app: Flask, error: HTTPException):
    """HTML errors: the site's own 404 page when the build has one, a short text otherwise."""
    page = Path(app.config["SITE_DIR"]) / "404.html"
    if error.code == 404 and page.is_file():
        return page.read_text(encoding="utf-8"), 404, {"Content-Type": "text/html; charset=utf-8"}
    return (
        f"<!doctype html><title>{error.code} {error.name}</title>"
        f"<h1>{error.code} {error.name}</h1><p>{error.description}</p>",
        error.code,
        {"Content-Type": "text/html; charset=utf-8"},
    )
