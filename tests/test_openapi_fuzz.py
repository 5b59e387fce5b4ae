"""The API's OpenAPI description, and a bounded schemathesis run against the live service.

The service runs as `comments serve` in a subprocess over the real built site. Schemathesis (its
CLI, as a developer would run it) reads the description from GET /api/openapi.json, generates
valid and invalid requests for every operation, and checks each answer: no 5xx, a documented
status, content type and headers, and a body that matches the documented schema.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from comments_service import create_app, store

from .e2e.conftest import ARTIFACTS, record_result
from .e2e.server import ServiceProcess, Site

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "comments_service" / "openapi.json"
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance," \
         "response_headers_conformance,response_schema_conformance"
EXAMPLES_PER_OPERATION = 60
MINIMUM_CASES = 500


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("fuzz"))
    with ServiceProcess(site) as service:
        # Something to read: an approved comment and an approved reply on a real thread.
        url = f"{service.url}/api/threads/say-hello-call/comments"
        first = requests.post(url, json={"author": "Ada", "body": "Hello *there*"}, timeout=10).json()["id"]
        db = store.open_db(site.database)
        store.set_status(db, first, store.APPROVED)
        reply = requests.post(url, json={"author": "Bo", "body": "A reply", "parent_id": first}, timeout=10)
        store.set_status(db, reply.json()["id"], store.APPROVED)
        db.close()
        yield service


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_description(live_api, tmp_path):
    slugs = [t["slug"] for t in json.loads((live_api.site.output / "threads.json").read_text())["threads"]]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="tests.fuzz_hooks", TOUCH_BASE_FUZZ_SLUGS=",".join(slugs),
               PYTHONPATH=str(ROOT))
    report = ARTIFACTS / "schemathesis-junit.xml"
    ARTIFACTS.mkdir(exist_ok=True)
    run = subprocess.run(
        [SCHEMATHESIS, "run", f"{live_api.url}/api/openapi.json", "--checks", CHECKS,
         "--max-examples", str(EXAMPLES_PER_OPERATION), "--workers", "1", "--seed", "20261101",
         "--generation-database", "none", "--no-color",
         "--report", "junit", "--report-junit-path", str(report)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=240,  # its cache stays out of the tree
    )
    output = run.stdout + run.stderr
    generated = re.search(r"(\d+) generated", output)
    cases = int(generated.group(1)) if generated else 0
    record_result("fuzz", "test_cases", cases)
    assert run.returncode == 0, output[-6000:]
    assert cases >= MINIMUM_CASES, output[-3000:]
    assert "Tested: 12" in output or re.search(r"Tested:\s+\d+", output), output[-3000:]
    server_errors = [line for line in live_api.log().splitlines() if '" 5' in line]
    assert server_errors == []


def documented_operations(spec: dict) -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }


def test_the_description_is_served_and_documents_every_public_route(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "c.db"), "SITE_DIR": str(tmp_path),
                      "SECRET_KEY": "x"})
    served = app.test_client().get("/api/openapi.json")
    assert served.status_code == 200 and served.is_json
    spec = json.loads(SPEC.read_text())
    assert served.json == spec
    public = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
            public |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert public == documented_operations(spec)
