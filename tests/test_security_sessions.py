"""Staff sessions under attack (issue 17, points 3, 4 and 10): the login sends only to
this back office's pages; a session ends on the server (log out, a new password, "sign out
everywhere", idle and absolute lifetimes), so a copied cookie dies with it; the check-in
API takes the session cookie only with the page's CSRF token."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from flask_login.utils import encode_cookie

from school.database import utcnow
from school.models import CheckIn, LoginSession, Organiser
from tests.support.security_world import ADMIN, DOOR, STRONG, login

HOME = "/organiser/"


def is_in(client) -> bool:
    """Whether this browser opens the back office (else it is sent to the login)."""
    response = client.get(HOME)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/organiser/login"
    return response.status_code == 200


def copy_of(app, client):
    """Another browser holding a copy of this one's session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def csrf_of(client, path: str = HOME) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post_form(client, path: str, data: dict | None = None, page: str = HOME, **kwargs):
    return client.post(path, data={"csrf_token": csrf_of(client, page)} | (data or {}), **kwargs)


def logins_of(db, email: str) -> list[LoginSession]:
    db.rollback()  # see what the requests wrote
    organiser = db.scalar(sa.select(Organiser).where(Organiser.email == email))
    return list(
        db.scalars(sa.select(LoginSession).where(LoginSession.organiser_id == organiser.id))
    )


def age_logins(db, email: str, *, seen: timedelta = timedelta(0), opened: timedelta | None = None):
    """As if the account's login sessions were last used ``seen`` ago, opened ``opened`` ago."""
    now = utcnow()
    for record in logins_of(db, email):
        record.last_seen_at = now - seen
        record.created_at = now - (opened if opened is not None else seen)
    db.commit()


# -- 3. the login redirects only to this back office


HOSTILE_NEXT = [
    "/%09/evil.example",  # a tab, which browsers drop: //evil.example
    "/%0D%0AX:1",  # a header split: was a 500
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "\\/evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "https://evil.example/organiser/",
    "https:/evil.example",
    "javascript:alert(1)",
    "%09//evil.example",
    "/%E3%80%80/evil.example",  # an ideographic space
    "/organiser/%0A",
    "/no/such/page",
    "/static/css/school.css",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_login_never_sends_elsewhere(client, world, target):
    page = client.get("/organiser/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/organiser/login",
        query_string=f"next={target}",
        data={"csrf_token": csrf, "email": ADMIN[0], "password": ADMIN[1]},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == HOME, location
    assert urlsplit(urljoin("http://localhost/organiser/login", location)).netloc == "localhost"


def test_the_login_follows_a_page_of_the_back_office(client, world):
    page = client.get("/organiser/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    target = f"/organiser/{world.slug}/registrations?q=Liddell"
    response = client.post(
        "/organiser/login",
        query_string={"next": target},
        data={"csrf_token": csrf, "email": ADMIN[0], "password": ADMIN[1]},
    )
    assert response.headers["Location"] == target


# -- 4. a session ends on the server


def test_a_cookie_copied_before_logout_opens_nothing_after(app, client, world):
    login(client, *ADMIN)
    thief = copy_of(app, client)
    assert is_in(thief)
    post_form(client, "/organiser/logout")
    assert not is_in(client) and not is_in(thief)


def test_logging_out_ends_only_that_browsers_session(app, client, world):
    login(client, *DOOR)
    other_phone = app.test_client()
    login(other_phone, *DOOR)
    post_form(client, "/organiser/logout")
    assert not is_in(client) and is_in(other_phone)


def test_a_new_password_from_the_command_line_ends_every_session(app, client, runner, db, world):
    login(client, *DOOR)
    thief = copy_of(app, client)
    result = runner.invoke(args=["organiser", "password", DOOR[0]], input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "1 login session(s) ended" in result.output
    assert not is_in(client) and not is_in(thief)
    login(client, DOOR[0], STRONG)
    assert is_in(client)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_changing_ones_password_signs_out_the_other_devices(app, client, db, world, lang):
    login(client, *ADMIN)
    laptop = app.test_client()
    login(laptop, *ADMIN)
    thief = copy_of(app, client)
    before = db.scalar(sa.select(Organiser.password_hash).where(Organiser.email == ADMIN[0]))

    weak = post_form(
        client,
        f"/organiser/account/password?lang={lang}",
        {"current": ADMIN[1], "password": "password1234", "confirm": "password1234"},
        page="/organiser/account",
    )
    assert weak.status_code == 422
    text = weak.get_data(as_text=True)
    expected = {"en": "This password is too easy to guess", "fr": "Ce mot de passe est trop facile"}
    assert expected[lang] in text and 'aria-invalid="true"' in text
    db.rollback()
    assert (
        db.scalar(sa.select(Organiser.password_hash).where(Organiser.email == ADMIN[0])) == before
    )
    assert is_in(laptop) and is_in(thief)  # a refused change ends nothing

    wrong = post_form(
        client,
        f"/organiser/account/password?lang={lang}",
        {"current": "not my password", "password": STRONG, "confirm": STRONG},
        page="/organiser/account",
    )
    assert wrong.status_code == 422 and is_in(laptop)

    changed = post_form(
        client,
        "/organiser/account/password",
        {"current": ADMIN[1], "password": STRONG, "confirm": STRONG},
        page="/organiser/account",
    )
    assert changed.status_code == 302
    assert is_in(client)  # this browser goes on, in a new session
    assert not is_in(laptop) and not is_in(thief)
    assert login(laptop, ADMIN[0], STRONG)


def test_an_admin_signs_a_staff_member_out_everywhere(app, client, db, world):
    door_phone = app.test_client()
    login(door_phone, *DOOR)
    second_phone = copy_of(app, door_phone)
    login(client, *ADMIN)
    page = client.get("/organiser/staff?lang=en").get_data(as_text=True)
    assert DOOR[0] in page and "1 device" in page
    door_id = world.params["organiser_id"]
    response = post_form(
        client, f"/organiser/staff/{door_id}/sign-out?lang=en", page="/organiser/staff"
    )
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "door@example.org is signed out everywhere (1 session ended)" in shown
    assert not is_in(door_phone) and not is_in(second_phone)
    assert is_in(client)  # the admin's own session goes on
    # Check-in staff may not do it.
    login(door_phone, *DOOR)
    assert door_phone.get("/organiser/staff").status_code == 403
    admin_id = db.scalar(sa.select(Organiser.id).where(Organiser.email == ADMIN[0]))
    refused = post_form(door_phone, f"/organiser/staff/{admin_id}/sign-out")
    assert refused.status_code == 403 and is_in(client)


def test_signing_oneself_out_everywhere(app, client, world):
    login(client, *ADMIN)
    laptop = app.test_client()
    login(laptop, *ADMIN)
    response = post_form(client, "/organiser/account/sign-out", page="/organiser/account")
    assert response.status_code == 302 and response.headers["Clear-Site-Data"] == '"storage"'
    assert not is_in(client) and not is_in(laptop)


def test_the_command_line_signs_an_account_out_everywhere(app, client, runner, world):
    login(client, *DOOR)
    result = runner.invoke(args=["organiser", "sign-out", DOOR[0]])
    assert result.exit_code == 0 and "1 login session(s) ended" in result.output
    assert not is_in(client)
    assert runner.invoke(args=["organiser", "sign-out", "nobody@example.org"]).exit_code != 0


def test_a_session_ends_after_its_idle_time(app, client, db, world):
    login(client, *DOOR)
    age_logins(db, DOOR[0], seen=timedelta(hours=7, minutes=50))
    assert is_in(client)  # used within the 8 hours: and that use counts as activity
    (record,) = logins_of(db, DOOR[0])
    assert utcnow() - record.last_seen_at < timedelta(minutes=5)
    age_logins(db, DOOR[0], seen=timedelta(hours=8, minutes=1))
    assert not is_in(client)


def test_a_session_ends_after_its_absolute_time_however_busy(app, client, db, world):
    login(client, *DOOR)
    age_logins(db, DOOR[0], opened=timedelta(days=7, minutes=1))
    assert not is_in(client)


def test_session_lifetimes_are_settings(app, client, db, world):
    app.config |= {"STAFF_SESSION_IDLE_HOURS": 0.5, "STAFF_SESSION_MAX_DAYS": 1}
    login(client, *DOOR)
    age_logins(db, DOOR[0], seen=timedelta(minutes=20))
    assert is_in(client)
    age_logins(db, DOOR[0], seen=timedelta(minutes=40))
    assert not is_in(client)
    login(client, *DOOR)
    age_logins(db, DOOR[0], opened=timedelta(hours=25))
    assert not is_in(client)


def test_a_remember_me_cookie_obeys_the_same_session(app, client, db, world):
    login(client, *DOOR)
    with client.session_transaction() as session:
        user_id = session["_user_id"]
    door_id = world.params["organiser_id"]
    assert user_id.startswith(f"{door_id}:") and len(user_id) > 40
    with app.app_context():
        remembered, bare = encode_cookie(user_id), encode_cookie(str(door_id))
    browser = app.test_client()
    browser.set_cookie("remember_token", remembered)
    assert is_in(browser)
    # A cookie naming the account alone (as before sessions were kept) opens nothing.
    old = app.test_client()
    old.set_cookie("remember_token", bare)
    assert not is_in(old)
    age_logins(db, DOOR[0], opened=timedelta(days=8))
    later = app.test_client()
    later.set_cookie("remember_token", remembered)
    assert not is_in(later)


def test_a_session_cookie_of_the_old_form_opens_nothing(app, client, world):
    with client.session_transaction() as session:
        session["_user_id"] = str(world.params["organiser_id"])
        session["_fresh"] = True
    assert not is_in(client)


def test_a_switched_off_account_is_out_at_once(app, client, db, world):
    login(client, *DOOR)
    db.rollback()
    db.execute(sa.update(Organiser).where(Organiser.email == DOOR[0]).values(is_active=False))
    db.commit()
    assert not is_in(client)


# -- 10. the check-in API takes the cookie only with the page's CSRF token


def _scanner_csrf(client, slug: str) -> str:
    page = client.get(f"/organiser/{slug}/checkin/entrance:2019-06-19").get_data(as_text=True)
    config = re.search(r'<script type="application/json" id="scanner-config">(.*?)</script>', page)
    return json.loads(config.group(1))["csrf_token"]


def _standing(db, checkin_id: int) -> bool:
    db.rollback()
    return db.get(CheckIn, checkin_id).undone_at is None


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_cross_site_undo_with_the_cookie_alone_is_refused(client, db, world, lang):
    checkin_id = world.params["checkin_id"]
    login(client, *DOOR)
    undo = f"/api/v1/editions/{world.slug}/checkins/{checkin_id}/undo?lang={lang}"
    # What another site can make a logged-in browser send: a form post, or a fetch
    # without our header; the ids are sequential, so guessing one is easy.
    for forged in (
        client.post(undo),
        client.post(undo, data={"x": "1"}),
        client.post(undo, json={}),
        client.post(undo, headers={"X-CSRFToken": "forged"}),
    ):
        assert forged.status_code == 403, forged.get_data(as_text=True)
        body = forged.get_json()
        assert set(body) == {"code", "message"} and body["code"] == "csrf_missing"
        assert ("Reload" if lang == "en" else "Rechargez") in body["message"]
    assert _standing(db, checkin_id)
    # The scanner page's own token, sent as the page does, undoes it.
    done = client.post(undo, headers={"X-CSRFToken": _scanner_csrf(client, world.slug)})
    assert done.status_code == 200 and not _standing(db, checkin_id)


def test_a_scan_with_the_cookie_alone_is_refused_and_records_nothing(client, db, world):
    login(client, *DOOR)
    url = f"/api/v1/editions/{world.slug}/checkins"
    scan = {"token": world.alice.badge, "client_id": str(uuid.uuid4()), "day": "2019-06-20"}
    before = db.scalar(sa.select(sa.func.count()).select_from(CheckIn))
    assert client.post(url, json=scan).status_code == 403
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == before
    sent = client.post(url, json=scan, headers={"X-CSRFToken": _scanner_csrf(client, world.slug)})
    assert sent.status_code == 200 and sent.get_json()["verdict"] == "ok"
    # Reading needs no token: another site cannot read the answer.
    assert client.get(f"/api/v1/editions/{world.slug}/roster").status_code == 200
    # The bearer token needs none either: no browser sends it by itself.
    script = client.application.test_client()
    other = scan | {"client_id": str(uuid.uuid4())}
    assert script.post(url, json=other, headers=world.auth).status_code == 200
