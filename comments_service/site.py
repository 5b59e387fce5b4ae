"""Serves the built site (output/) from the same origin as the API, for `make run`.

In production nginx serves these files and only /api/ and /moderate/ reach Flask.
"""

from pathlib import Path

from flask import Blueprint, current_app, redirect, send_from_directory

bp = Blueprint("site", __name__)


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def page(path: str):
    root = Path(current_app.config["SITE_DIR"]).resolve()
    if path == "" or path.endswith("/"):
        path += "index.html"
    elif (root / path).is_dir():
        return redirect("/" + path + "/", code=301)
    # send_from_directory refuses paths that escape the folder.
    return send_from_directory(root, path, max_age=60)
