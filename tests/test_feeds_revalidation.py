"""A calendar app revalidating a participant's agenda gets its 304 in front of Flask
(school/web/revalidation.py) exactly as the view would answer it, and only then."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school import create_app
from school.database import utcnow
from school.extensions import db as flask_db
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
    app = create_app(app_config | {"REVALIDATE_BEFORE_FLASK": False})
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
