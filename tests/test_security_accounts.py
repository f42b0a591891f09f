"""Staff accounts under attack (issue 17, point 11): logins are limited per account too,
in the shared store; passwords must be hard to guess; API tokens may be limited to one
edition and to a time. What a login session opens, and for how long, is in
test_security_sessions.py."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from school.database import utcnow
from school.models import ApiToken, CheckIn, Organiser
from school.services.backoffice import organisers
from tests.support import production
from tests.support.security_world import ADMIN, DOOR, STRONG, edition_id

# -- 11. logins limited per account, in the shared store


@pytest.fixture
def limited_app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    return app_config


def _attempt(client, email: str, password: str, address: str):
    page = client.get("/organiser/login", environ_base={"REMOTE_ADDR": address})
    csrf = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    )
    return client.post(
        "/organiser/login",
        data={"csrf_token": csrf.group(1), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_guesses_at_one_account_from_many_addresses_are_limited(limited_app_config, client, world):
    spellings = ["admin@example.org", " Admin@Example.org", "ADMIN@example.org "]
    for n in range(5):
        wrong = _attempt(client, spellings[n % 3], f"guess number {n}", f"10.0.0.{n + 1}")
        assert wrong.status_code == 200
    # The sixth, from yet another address, is refused, even with the right password.
    assert _attempt(client, *ADMIN, "10.0.0.99").status_code == 429
    # Other accounts are not held up by it.
    assert _attempt(client, *DOOR, "10.0.0.1").status_code == 302


def test_successful_logins_do_not_count_against_the_account(limited_app_config, client, world):
    for n in range(8):
        assert _attempt(client, *DOOR, f"10.0.1.{n + 1}").status_code == 302


_INSTANCE = """
import json, sys
from school import create_app
url, storage, prefix, email, password, address, count = sys.argv[1:]
app = create_app({"DATABASE_URL": url, "SECRET_KEY": "t", "RATELIMIT_ENABLED": True,
                  "RATELIMIT_STORAGE_URL": storage, "RATELIMIT_KEY_PREFIX": prefix,
                  "WTF_CSRF_ENABLED": False})
client = app.test_client()
statuses = [client.post("/organiser/login", data={"email": email, "password": password},
                        environ_base={"REMOTE_ADDR": address}).status_code
            for _ in range(int(count))]
print(json.dumps(statuses))
"""


def _instance(database_url, storage, prefix, email, password, address, count) -> list[int]:
    """An app instance of its own (a gunicorn worker, another server): a process."""
    args = [database_url, storage, prefix, email, password, address, str(count)]
    result = subprocess.run(
        [sys.executable, "-c", _INSTANCE, *args],
        capture_output=True,
        text=True,
        check=True,
        env=production.app_environment(),
        cwd=production.ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_app_instances_share_the_account_limit_in_redis(database_url, world):
    production.require_redis()
    prefix = f"school-test-{secrets.token_hex(4)}"
    try:
        first = _instance(
            database_url, production.REDIS_URL, prefix, ADMIN[0], "wrong", "10.1.0.1", 5
        )
        assert first == [200] * 5
        second = _instance(database_url, production.REDIS_URL, prefix, *ADMIN, "10.2.0.1", 1)
        assert second == [429]
        # With memory://, each instance counts alone: what production must not use.
        alone = _instance(database_url, "memory://", prefix, ADMIN[0], "wrong", "10.1.0.1", 5)
        assert alone == [200] * 5
        assert _instance(database_url, "memory://", prefix, *ADMIN, "10.2.0.1", 1) == [302]
    finally:
        store = redis.Redis.from_url(production.REDIS_URL)
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)


# -- 11. passwords that are hard to guess


WEAK = [
    ("short pass", "at least 12 characters"),
    ("password1234", "too easy to guess"),
    ("azertyuiop12", "too easy to guess"),
    ("Password123!", "too easy to guess"),
    ("qwertyuiop123", "too easy to guess"),
    ("chef@example.org", "too easy to guess"),
    ("citedesmetiers2019", "too easy to guess"),
    ("springschool2019", "too easy to guess"),
    (
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "too easy to guess",
    ),
]


@pytest.mark.parametrize(("password", "reason"), WEAK)
def test_the_command_line_refuses_a_weak_password(runner, db, password, reason):
    result = runner.invoke(
        args=["organiser", "create", "chef@example.org", "--role", "admin", "--password", password]
    )
    assert result.exit_code != 0 and reason in result.output
    assert db.scalar(sa.select(sa.func.count()).select_from(Organiser)) == 0


def test_the_command_line_takes_a_strong_password_and_generates_strong_ones(runner, db):
    args = ["organiser", "create", "chef@example.org", "--role", "admin", "--password", STRONG]
    assert runner.invoke(args=args).exit_code == 0
    generated = runner.invoke(args=["organiser", "create", "door@example.org", "--role", "checkin"])
    assert generated.exit_code == 0
    password = generated.output.split("Password (shown once): ")[1].strip()
    organisers.check_password(password, email="door@example.org")  # the rule it must meet


def test_a_new_password_from_the_command_line_follows_the_rule(app, runner, db, world):
    before = db.scalar(sa.select(Organiser.password_hash).where(Organiser.email == DOOR[0]))
    result = runner.invoke(
        args=["organiser", "password", DOOR[0]], input="password1234\npassword1234\n"
    )
    assert result.exit_code != 0 and "too easy to guess" in result.output
    db.rollback()
    assert db.scalar(sa.select(Organiser.password_hash).where(Organiser.email == DOOR[0])) == before


# -- 11. API tokens scoped to an edition, and expiring


def _token(runner, *options: str) -> str:
    result = runner.invoke(args=["token", "create", DOOR[0], *options])
    assert result.exit_code == 0, result.output
    return result.output.split()[0]


def test_a_token_for_one_edition_acts_on_that_edition_only(runner, client, db, world):
    token = _token(runner, "--edition", world.slug, "--label", "door phone 2")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/editions/{world.slug}/roster", headers=auth).status_code == 200
    before = db.scalar(sa.select(sa.func.count()).select_from(CheckIn))
    for method, path in (
        ("GET", f"/api/v1/editions/{world.other_slug}/roster"),
        ("POST", f"/api/v1/editions/{world.other_slug}/checkins"),
        ("GET", "/api/v1/editions/no-such-edition/roster"),
    ):
        scan = {"token": world.alice.badge, "client_id": str(uuid.uuid4()), "day": "2024-12-04"}
        refused = client.open(path + "?lang=en", method=method, headers=auth, json=scan)
        assert refused.status_code == 403, (path, refused.get_json())
        assert refused.get_json() == {
            "code": "token_scope",
            "message": "This API token is for another edition.",
        }
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == before
    stored = db.scalar(sa.select(ApiToken).where(ApiToken.label == "door phone 2"))
    assert stored.edition_id == edition_id(db, world.slug) and token not in stored.token_hash
    # A token made without --edition still opens every edition.
    assert (
        client.get(f"/api/v1/editions/{world.other_slug}/roster", headers=world.auth).status_code
        == 200
    )


def test_a_token_stops_at_its_expiry(runner, client, db, world):
    token = _token(runner, "--expires-in", "30", "--label", "for the day")
    auth = {"Authorization": f"Bearer {token}"}
    roster = f"/api/v1/editions/{world.slug}/roster"
    assert client.get(roster, headers=auth).status_code == 200
    db.rollback()
    stored = db.scalar(sa.select(ApiToken).where(ApiToken.label == "for the day"))
    assert timedelta(days=29) < stored.expires_at - utcnow() <= timedelta(days=30)
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    for lang, message in (
        ("en", "This API token has expired: ask for a new one."),
        ("fr", "Ce jeton d'API a expiré : demandez-en un nouveau."),
    ):
        expired = client.get(f"{roster}?lang={lang}", headers=auth)
        assert expired.status_code == 401
        assert expired.get_json() == {"code": "token_expired", "message": message}
        assert expired.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_options_are_checked(runner, world):
    for options in (["--edition", "no-such-edition"], ["--expires-in", "0"], ["--expires-in", "x"]):
        result = runner.invoke(args=["token", "create", DOOR[0], *options])
        assert result.exit_code != 0, options
