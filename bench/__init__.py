"""Benchmarks for Touch Base (`make bench`): the comment service against Isso, the site build
against Pelican's stock theme, and the spam filter (bench.spam_bench, when present).

Scratch files (Isso's venv, generated databases and posts) live in bench/.work/, never in git.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(__file__).resolve().parent / ".work"
