"""What is answered in front of Flask (school/web/front.py), a calendar app's revalidation
of an agenda and the programme page for a visitor without a cookie, is exactly what the
view would answer, and only then."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school import create_app
from school.database import utcnow
from school.extensions import db as flask_db
from school.extensions import limiter
from school.models import Edition, Registration
from school.services.programme import catalogue
from tests.support.factories import make_registration


@pytest.fixture
def agenda(app, demo):
    with app.app_context():
        edition = catalogue.get_edition(flask_db.session, demo.slug)
        person = make_registration(
            flask_db.session, edition, first_name="Фатима", last_name="آل‌محمد", language="fr"
        )
        flask_db.session.commit()
        return f"/my/{person.manage_token}/agenda.ics"


@pytest.fixture
def view_only(app_config):
    """The same database served by an app that lets the view answer everything."""
    app = create_app(app_config | {"ANSWER_IN_FRONT": False})
    yield app
    with app.app_context():
        flask_db.engine.dispose()


def _revalidate(client, path: str, etag: str, **headers):
    return client.get(path, headers={"If-None-Match": etag, **headers})


def test_the_304_in_front_of_flask_is_the_one_the_view_gives(app, view_only, agenda, monkeypatch):
    client = app.test_client()
    etag = client.get(agenda).headers["ETag"]
    calls = []
    monkeypatch.setattr(app, "full_dispatch_request", lambda: calls.append(1))
    early = _revalidate(client, agenda, etag)
    assert early.status_code == 304 and calls == []  # Flask's dispatch never ran
    monkeypatch.undo()
    view = _revalidate(view_only.test_client(), agenda, etag)
    assert view.status_code == 304
    assert sorted(early.headers.items()) == sorted(view.headers.items())
    assert early.data == view.data == b""


def test_everything_else_is_left_to_the_view(app, agenda, monkeypatch):
    client = app.test_client()
    etag = client.get(agenda).headers["ETag"]
    with app.app_context():
        flask_db.session.execute(
            sa.update(Edition).values(title_fr="École d’été « Ωmega »", changed_at=utcnow())
        )
        flask_db.session.commit()
    # A changed agenda: the view builds it again, with a new ETag.
    changed = _revalidate(client, agenda, etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"BEGIN:VCALENDAR" in changed.data
    etag = changed.headers["ETag"]
    dispatched = []
    real = app.full_dispatch_request
    monkeypatch.setattr(app, "full_dispatch_request", lambda: dispatched.append(1) or real())
    assert _revalidate(client, agenda, '"not-the-etag"').status_code == 200
    assert _revalidate(client, agenda + "?lang=en", etag).status_code == 200
    assert client.post(agenda, headers={"If-None-Match": etag}).status_code == 405
    unknown = "/my/" + "A" * 43 + "/agenda.ics"
    assert _revalidate(client, unknown, etag).status_code == 404
    assert len(dispatched) == 4
    assert _revalidate(client, agenda, etag).status_code == 304
    assert len(dispatched) == 4


def test_a_cancelled_registration_is_not_answered_from_what_was_kept(app, agenda):
    client = app.test_client()
    etag = client.get(agenda).headers["ETag"]
    assert _revalidate(client, agenda, etag).status_code == 304
    with app.app_context():
        flask_db.session.execute(sa.update(Registration).values(status="cancelled"))
        flask_db.session.commit()
    assert _revalidate(client, agenda, etag).status_code != 304


@pytest.fixture
def no_dispatch(app, monkeypatch):
    """Counts the requests Flask's dispatch answers."""
    dispatched = []
    real = app.full_dispatch_request
    monkeypatch.setattr(app, "full_dispatch_request", lambda: dispatched.append(1) or real())
    return dispatched


@pytest.mark.parametrize("accept", ["fr-FR,fr;q=0.9", "it-IT,it;q=0.9", "ar,zh-CN;q=0.8", ""])
def test_the_programme_page_in_front_of_flask_is_the_one_the_view_gives(
    app, view_only, demo, no_dispatch, accept
):
    page = f"/{demo.slug}/programme"
    visitor = app.test_client(use_cookies=False)
    headers = {"Accept-Language": accept} if accept else {}
    first = visitor.get(page, headers=headers)  # the view builds and keeps it
    again = visitor.get(page, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert no_dispatch == [1]  # the second one never reached Flask's dispatch
    view = view_only.test_client(use_cookies=False).get(page, headers=headers)
    assert again.data == view.data == first.data
    assert sorted(again.headers.items()) == sorted(view.headers.items())
    # Its language is the browser's: no shared cache may give it to another reader.
    assert "Accept-Language" in again.headers["Vary"]
    head = visitor.head(page, headers=headers)
    assert head.status_code == 200 and head.data == b"" and no_dispatch == [1]
    assert head.headers["Content-Length"] == again.headers["Content-Length"]


def test_a_visitor_with_a_cookie_or_a_changed_programme_gets_the_view(app, demo, no_dispatch):
    page = f"/{demo.slug}/programme"
    visitor = app.test_client(use_cookies=False)
    visitor.get(page)
    assert len(no_dispatch) == 1
    visitor.get(page, headers={"Cookie": "session=x"})
    visitor.get(page + "?lang=en")
    assert len(no_dispatch) == 3
    with app.app_context():
        flask_db.session.execute(
            sa.update(Edition).values(title_fr="Printemps « Ωmega »", changed_at=utcnow())
        )
        flask_db.session.commit()
    changed = visitor.get(page)
    assert len(no_dispatch) == 4 and "Ωmega" in changed.get_data(as_text=True)
    assert visitor.get(page).data == changed.data and len(no_dispatch) == 4
    with app.app_context():
        flask_db.session.execute(sa.update(Edition).values(status="draft"))
        flask_db.session.commit()
    assert visitor.get(page).status_code == 404  # a draft is no visitor's


@pytest.mark.parametrize("host", ["localhost", "cites.example.org"])
def test_the_programme_json_in_front_of_flask_is_the_one_the_view_gives(
    app, view_only, demo, no_dispatch, host
):
    path = f"/api/v1/editions/{demo.slug}/programme"
    client = app.test_client(use_cookies=False)
    first = client.get(path, base_url=f"http://{host}")  # the view builds and keeps it
    again = client.get(path, base_url=f"http://{host}")
    assert (first.status_code, again.status_code) == (200, 200)
    assert no_dispatch == [1]
    view = view_only.test_client(use_cookies=False).get(path, base_url=f"http://{host}")
    assert again.data == view.data == first.data
    assert sorted(again.headers.items()) == sorted(view.headers.items())
    assert f"http://{host}/" in again.get_data(as_text=True)  # its links name the address
    # A site that holds it asks whether it changed: 304, weak ETag (a gzip proxy) too.
    etag = again.headers["ETag"]
    for asked in (etag, "W/" + etag):
        kept = client.get(path, base_url=f"http://{host}", headers={"If-None-Match": asked})
        viewed = view_only.test_client(use_cookies=False).get(
            path, base_url=f"http://{host}", headers={"If-None-Match": asked}
        )
        assert (kept.status_code, viewed.status_code) == (304, 304)
        assert sorted(kept.headers.items()) == sorted(viewed.headers.items())
    assert no_dispatch == [1]


def test_the_programme_json_of_a_changed_or_hidden_edition_is_the_view_s(app, demo, no_dispatch):
    path = f"/api/v1/editions/{demo.slug}/programme"
    client = app.test_client(use_cookies=False)
    etag = client.get(path).headers["ETag"]
    client.get(path, headers={"Cookie": "session=x"})
    assert len(no_dispatch) == 2
    with app.app_context():
        flask_db.session.execute(
            sa.update(Edition).values(title_fr="Printemps « Ωmega »", changed_at=utcnow())
        )
        flask_db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Ωmega" in changed.get_data(as_text=True)
    assert len(no_dispatch) == 3
    with app.app_context():
        flask_db.session.execute(sa.update(Edition).values(status="draft"))
        flask_db.session.commit()
    assert client.get(path).status_code == 404


def test_a_limit_set_on_every_route_counts_the_programme_too(app_config, demo):
    every_route = {"RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "2 per minute"}
    limited = create_app(app_config | every_route)
    try:
        visitor = limited.test_client(use_cookies=False)
        for path in (f"/{demo.slug}/programme", f"/api/v1/editions/{demo.slug}/programme"):
            statuses = [visitor.get(path).status_code for _ in range(3)]
            assert statuses == [200, 200, 429], path
    finally:
        # One limiter for every app of the process: it keeps the first app's defaults.
        limiter.limit_manager.set_default_limits([])
        with limited.app_context():
            flask_db.engine.dispose()
