"""Organiser pages and staff API calls refuse whoever may not use them: walk the URL map,
so a route added later cannot be forgotten."""

from __future__ import annotations

import re

import pytest

from school.database import utcnow
from school.services.backoffice import organisers
from tests.support.backoffice import attempt_login
from tests.support.security_world import ADMIN, DOOR

# The API routes anyone may call. Every other /api/ route must be for staff only.
PUBLIC_API = {
    "/api/v1/openapi.json",
    "/api/v1/editions/<slug>/programme",
    "/api/v1/editions/<slug>/registrations",
    "/api/v1/cites",
    "/api/v1/editions/<slug>/initiatives",
}


def _routes(app, prefix):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


@pytest.fixture
def staff(app, db):
    with app.app_context():
        admin = organisers.create_organiser(db, "admin@example.org", "admin", "correct horse 1")
        scanner = organisers.create_organiser(db, "door@example.org", "checkin", "correct horse 2")
        token = organisers.create_api_token(db, scanner, "door phone")
        db.commit()
    return {"admin": admin, "checkin": scanner, "token": token}


def test_every_organiser_page_requires_login(app, client, world):
    # Without CSRF a POST reaches the login gate itself (with it, the form's check
    # would answer 400 first and hide a route that forgot the gate).
    app.config["WTF_CSRF_ENABLED"] = False
    checked = 0
    for rule, method in _routes(app, "/organiser/"):
        if rule.endpoint == "organiser.login":
            continue
        response = client.open(world.url(rule.rule), method=method)
        assert response.status_code in (302, 401), (rule.rule, method, response.status_code)
        if response.status_code == 302:
            assert "/organiser/login" in response.headers["Location"], rule.rule
        checked += 1
    assert checked >= 2


def test_checkin_staff_see_only_check_in_pages(app, client, world):
    attempt_login(client, *DOOR)
    app.config["WTF_CSRF_ENABLED"] = False  # the gate answers before the form would
    for rule, method in _routes(app, "/organiser/"):
        view = app.view_functions[rule.endpoint]
        if getattr(view, "allow_checkin_staff", False) or getattr(view, "public", False):
            continue
        response = client.open(world.url(rule.rule), method=method)
        assert response.status_code == 403, (rule.rule, method, response.status_code)


def test_the_walks_use_ids_an_admin_reaches(app, client, world):
    # Else the refusals above could be mere 404s for rows that do not exist.
    attempt_login(client, *ADMIN)
    for rule, method in _routes(app, "/organiser/"):
        if method == "GET" and rule.endpoint != "organiser.login":
            response = client.get(world.url(rule.rule))
            assert response.status_code in (200, 302), (rule.rule, response.status_code)


def test_every_staff_api_call_requires_a_token(app, client, world):
    for rule, method in _routes(app, "/api/"):
        if rule.rule in PUBLIC_API:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "staff_roles", None), f"{rule.rule} is neither public nor staff-only"
        for headers in ({}, {"Authorization": "Bearer sch_forged"}):
            response = client.open(world.url(rule.rule), method=method, headers=headers, json={})
            assert response.status_code == 401, (rule.rule, method, headers)
        # The right token gets past the gate: the refusals above are the gate's.
        response = client.open(world.url(rule.rule), method=method, headers=world.auth, json={})
        assert response.status_code != 401, rule.rule


def test_login_logout_and_wrong_password(client, staff):
    wrong = attempt_login(client, "admin@example.org", "wrong password")
    assert wrong.status_code == 200 and "Wrong e-mail or password" in wrong.get_data(as_text=True)
    unknown = attempt_login(client, "nobody@example.org", "correct horse 1")
    assert "Wrong e-mail or password" in unknown.get_data(as_text=True)
    ok = attempt_login(client, "ADMIN@example.org ", "correct horse 1")
    assert ok.status_code == 302 and ok.headers["Location"] == "/organiser/"
    assert client.get("/organiser/").status_code == 200
    page = client.get("/organiser/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/organiser/logout", data={"csrf_token": csrf})
    assert client.get("/organiser/").status_code == 302


def test_login_never_redirects_to_another_site(client, staff):
    page = client.get("/organiser/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/organiser/login?next=//evil.example/steal",
        data={"csrf_token": csrf, "email": "admin@example.org", "password": "correct horse 1"},
    )
    assert response.headers["Location"] == "/organiser/"


def test_passwords_are_hashed_with_scrypt_and_tokens_stored_hashed(app, db, staff):
    from school.models import ApiToken, Organiser

    admin = db.get(Organiser, staff["admin"].id)
    assert admin.password_hash.startswith("scrypt:") and "correct horse" not in admin.password_hash
    stored = db.query(ApiToken).one()
    assert staff["token"] not in stored.token_hash and len(stored.token_hash) == 64
    with app.app_context():
        assert organisers.organiser_for_token(db, staff["token"]).email == "door@example.org"
        organisers.revoke_tokens(db, "door@example.org", now=utcnow())
        db.commit()
        assert organisers.organiser_for_token(db, staff["token"]) is None


@pytest.fixture
def limited_app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    return app_config


def test_login_is_rate_limited(limited_app_config, client, staff):
    # Each guess at another account: the address's own limit, not the account's
    # (tests/test_security_accounts.py), stops the eleventh.
    statuses = [
        attempt_login(client, f"guess{n}@example.org", f"guess {n}").status_code for n in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


def test_cli_creates_accounts_and_tokens(runner, db):
    result = runner.invoke(args=["organiser", "create", "Chef@Example.org", "--role", "admin"])
    assert result.exit_code == 0 and "Password (shown once)" in result.output
    result = runner.invoke(args=["token", "create", "chef@example.org", "--label", "script"])
    assert result.exit_code == 0 and result.output.strip().startswith("sch_")
    result = runner.invoke(args=["organiser", "create", "chef@example.org", "--role", "admin"])
    assert result.exit_code != 0 and "already has an account" in result.output
    result = runner.invoke(args=["organiser", "create", "x@example.org", "--role", "root"])
    assert result.exit_code != 0
