"""Touch Base comment service: `create_app()` is the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import store
from .config import DEFAULTS, load_secret_key
from .threads import ThreadManifest

# Our pages load nothing from elsewhere and run no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app: defaults, then `COMMENTS_*` environment variables, then overrides."""
    app = Flask(__name__)
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

    from . import api

    app.register_blueprint(api.bp)

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

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
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
