"""Isso 0.14.0, the nearest peer: installed from PyPI into its own venv under bench/.work/
(its code is never copied into the project), configured, loaded with our data, served."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from . import ROOT

ISSO_VERSION = "0.14.0"
GUNICORN_VERSION = "27.0.1"  # the same gunicorn as ours (pyproject.toml)

CONFIG = """\
[general]
dbpath = {dbpath}
host = {host}
notify = stdout
gravatar = false
latest-enabled = false

[moderation]
; held for a moderator, as ours holds new comments by default
enabled = true

[server]
listen = http://127.0.0.1:8080
reload = false
profile = false

[guard]
; rate limits relaxed for the benchmark (ours: via its configuration)
enabled = false

[markup]
renderer = mistune

[hash]
salt = Eech7co8Ohloopo9Ol6baimi
algorithm = pbkdf2
"""


def venv(work: Path) -> Path:
    return work / "isso-venv"


def install(work: Path, log=print) -> Path:
    """Isso and gunicorn in their own venv; reused when the right version is there already."""
    env = venv(work)
    python = env / "bin" / "python"
    check = [str(python), "-c",
             f"import isso, gunicorn; assert isso.__version__ == '{ISSO_VERSION}'"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return env
    log(f"  installing isso=={ISSO_VERSION} from PyPI into {env}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(env)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"isso=={ISSO_VERSION}", f"gunicorn=={GUNICORN_VERSION}"],
        check=True,
    )
    subprocess.run(check, check=True)
    return env


def configure(folder: Path, host: str) -> Path:
    """Write Isso's config: a fresh database, our site as its host, guard (rate limits) off."""
    db = folder / "isso.db"
    for leftover in (db, Path(f"{db}-journal"), Path(f"{db}-wal")):
        leftover.unlink(missing_ok=True)
    cfg = folder / "isso.cfg"
    cfg.write_text(CONFIG.format(dbpath=db, host=host), encoding="utf-8")
    return cfg


def load(env: Path, cfg: Path, dump: Path) -> None:
    """Fill Isso's database (schema made by Isso itself) with the dumped dataset."""
    python = env / "bin" / "python"
    subprocess.run([str(python), "-I", str(ROOT / "bench" / "isso_load.py"), str(cfg), str(dump)],
                   check=True, capture_output=True)
