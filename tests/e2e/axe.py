"""Run axe-core (from node_modules, installed by `npm ci`) inside a page."""

from __future__ import annotations

from collections import Counter

import pytest

from .conftest import AXE

BLOCKING = ("serious", "critical")


def run_axe(page) -> list[dict]:
    """The page's axe violations: [{"id", "impact", "help", "targets"}]."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` at the repository root (make test does).")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [", ".join(map(str, node["target"])) for node in v["nodes"]][:5],
        }
        for v in result
    ]


def summary(violations: list[dict]) -> dict:
    counts = Counter(v["impact"] for v in violations)
    return {impact: counts.get(impact, 0) for impact in ("critical", "serious", "moderate", "minor")}


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]
