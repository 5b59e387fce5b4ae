"""Schemathesis hooks for tests/test_openapi_fuzz.py (loaded through SCHEMATHESIS_HOOKS).

Random slugs and comment ids only ever meet 404: half of the generated requests use a slug the
site has (TOUCH_BASE_FUZZ_SLUGS) or a small comment id, so the deeper code paths are fuzzed too.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import strategies as st

SLUGS = [slug for slug in os.environ.get("TOUCH_BASE_FUZZ_SLUGS", "").split(",") if slug]


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    choices = [st.just(path_parameters)]
    if "slug" in path_parameters and SLUGS:
        choices.append(st.sampled_from(SLUGS).map(lambda slug: {**path_parameters, "slug": slug}))
    if "comment_id" in path_parameters:
        choices.append(st.integers(1, 5).map(lambda i: {**path_parameters, "comment_id": i}))
    return st.one_of(choices)
