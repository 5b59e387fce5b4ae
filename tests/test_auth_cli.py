"""`comments moderator ...` and the first moderator made by `comments init`."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from comments_service import store
from comments_service.domain import accounts as auth
from comments_service.cli import main

from .conftest import ROOT

GOOD = "a long enough password"


@pytest.fixture
def database(tmp_path):
    return str(tmp_path / "var" / "comments.db")


@pytest.fixture
def comments(database):
    """Run the `comments` command against the test database; returns click's result."""
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(main, ["--database", database, *args], input=input)

    return run


@pytest.fixture
def accounts(database):
    def read():
        db = store.open_db(database)
        store.migrate(db)
        try:
            return {row["name"]: row for row in store.list_moderators(db)}
        finally:
            db.close()

    return read


def test_add_with_password_on_stdin(comments, accounts, database):
    result = comments("moderator", "add", "ada", "--email", "Ada@Example.org", "--password-stdin",
                      input=GOOD + "\n")
    assert result.exit_code == 0, result.output
    assert "Added moderator ada." in result.output
    ada = accounts()["ada"]
    assert ada["email"] == "ada@example.org"
    assert ada["password_hash"].startswith("scrypt:")
    assert auth.check_login(store.open_db(database), "ada", GOOD)["name"] == "ada"


def test_add_prompts_twice_without_stdin(comments, accounts):
    result = comments("moderator", "add", "grace", input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert GOOD not in result.output
    assert "grace" in accounts()


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["ada"], "short", "at least 10 characters long (it has 5)"),
        (["two words"], GOOD, "1 to 40 letters, digits"),
        (["-rf"], GOOD, "No such option"),
    ],
)
def test_add_refuses_a_bad_name_or_password_with_a_clear_message(comments, accounts, args, password, message):
    result = comments("moderator", "add", *args, "--password-stdin", input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert accounts() == {}


def test_add_refuses_a_second_account_with_the_same_name(comments, accounts):
    comments("moderator", "add", "ada", "--password-stdin", input=GOOD + "\n")
    result = comments("moderator", "add", "ADA", "--password-stdin", input=GOOD + "\n")
    assert result.exit_code == 1
    assert "There is already a moderator named ADA." in result.output
    assert list(accounts()) == ["ada"]


def test_list_shows_names_and_emails(comments):
    assert "No moderators yet" in comments("moderator", "list").output
    comments("moderator", "add", "ada", "--email", "ada@example.org", "--password-stdin", input=GOOD + "\n")
    comments("moderator", "add", "bob", "--password-stdin", input=GOOD + "\n")
    lines = comments("moderator", "list").output.splitlines()
    assert lines[0].split()[:2] == ["ada", "ada@example.org"]
    assert lines[1].split()[:2] == ["bob", "-"]


def test_passwd_replaces_the_password(comments, database):
    comments("moderator", "add", "ada", "--password-stdin", input=GOOD + "\n")
    result = comments("moderator", "passwd", "ada", "--password-stdin", input="another good password\n")
    assert result.exit_code == 0 and "Changed the password of ada." in result.output
    db = store.open_db(database)
    assert auth.check_login(db, "ada", GOOD) is None
    assert auth.check_login(db, "ada", "another good password") is not None
    short = comments("moderator", "passwd", "ada", "--password-stdin", input="tiny\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    missing = comments("moderator", "passwd", "nobody", "--password-stdin", input=GOOD + "\n")
    assert missing.exit_code == 1 and "There is no moderator named nobody." in missing.output


def test_remove_deletes_the_account_and_is_audited(comments, accounts, database):
    comments("moderator", "add", "ada", "--password-stdin", input=GOOD + "\n")
    result = comments("moderator", "remove", "ada")
    assert result.exit_code == 0 and "Removed moderator ada." in result.output
    assert accounts() == {}
    assert "No moderators are left" in result.output
    again = comments("moderator", "remove", "ada")
    assert again.exit_code == 1 and "There is no moderator named ada." in again.output
    actions = [r["action"] for r in store.open_db(database).query("SELECT action FROM audit_log")]
    assert actions == ["add moderator", "remove moderator"]


def test_init_creates_admin_once_and_prints_its_one_time_password(comments, accounts, database):
    first = comments("init")
    assert first.exit_code == 0
    password = re.search(r"one-time password:\s+(\S+)", first.output).group(1)
    assert len(password) >= auth.PASSWORD_MIN
    assert "comments moderator passwd admin" in first.output
    assert auth.check_login(store.open_db(database), "admin", password) is not None
    second = comments("init")
    assert second.exit_code == 0
    assert "one-time password" not in second.output and "passwd" not in second.output
    assert list(accounts()) == ["admin"]


def test_init_leaves_existing_moderators_alone(comments, accounts):
    comments("moderator", "add", "ada", "--password-stdin", input=GOOD + "\n")
    result = comments("init")
    assert result.exit_code == 0 and "one-time password" not in result.output
    assert list(accounts()) == ["ada"]


def test_moderator_add_works_as_a_real_command(database, accounts):
    result = subprocess.run(
        [sys.executable, "-m", "comments_service.cli", "--database", database,
         "moderator", "add", "ops", "--password-stdin"],
        input=GOOD + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Added moderator ops." in result.stdout
    assert "ops" in accounts()
