"""How a form's action ends, the same on every page: a rule's refusal keeps nothing of
what the action began and says why, beside the field it names; a success commits, and
the e-mail it queued leaves at once, without ``flask mail send``."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.extensions import db as app_db
from school.models import (
    AuditEntry,
    Choice,
    Edition,
    OutboxMessage,
    Person,
    Registration,
    Session,
)
from school.services.mail import notifications, outbox
from tests.support.backoffice import (
    Organiser,
    csrf_token,
    flashes,
    fresh,
    make_admin,
    page_title,
)
from tests.support.factories import make_choice, make_registration
from tests.support.servers import Inbox


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


def stamps(db, edition_id: int) -> tuple:
    """What any change of seats or of the programme moves on the edition."""
    edition = fresh(db).get(Edition, edition_id)
    return edition.seats_changed_at, edition.changed_at


def session_by_key(db, key: str) -> Session:
    return fresh(db).scalar(sa.select(Session).where(Session.key == key))


def test_inviting_speakers_from_the_back_office_delivers_their_links(organiser, demo, db, smtp):
    speakers = (
        fresh(db)
        .scalars(sa.select(Person).where(Person.sessions.any()).order_by(Person.id).limit(2))
        .all()
    )
    for n, person in enumerate(speakers):
        person.email = f"speaker{n}@example.org"
    db.commit()
    page = f"/organiser/{demo.slug}/speakers"

    response = organiser.submit(f"{page}/invite", {}, page=page)

    assert response.status_code == 302
    smtp.inbox.wait_for(2)
    for n, person in enumerate(speakers):
        [mail] = smtp.inbox.to(f"speaker{n}@example.org")
        token = fresh(db).get(Person, person.id).speaker_token
        assert f"/speaker/{token}" in Inbox.text(mail)
    outbox.wait_idle()
    sent = fresh(db).scalars(sa.select(OutboxMessage.sent_at)).all()
    assert len(sent) == 2 and None not in sent


def test_a_refused_registration_keeps_nothing_and_says_why(client, demo, db):
    explora = session_by_key(db, "d1-visit-explora").id  # on the first day
    before = stamps(db, demo.id)
    url = f"/{demo.slug}/register?lang=en"
    form = client.get(url).get_data(as_text=True)
    assert not page_title(form).startswith("Error")
    answers = {
        "csrf_token": csrf_token(form),
        "first_name": "Majda", "last_name": "Jelenčić", "email": "majda@example.org",
        "country": "HR", "category": "partner", "language": "en", "privacy_consent": "y",
        "days": ["2019-06-20"], "sessions": [explora],
    }  # fmt: skip

    response = client.post(url, data=answers)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please correct the highlighted fields." in flashes(html)
    # Said first, before the page's name, to whoever hears the page rather than sees it.
    assert page_title(html) == f"Error: {page_title(form)}"
    errors = re.search(r'<ul class="field-errors" id="sessions-errors">(.*?)</ul>', html, re.S)
    assert errors and "is on a day you do not attend" in errors.group(1)
    # The seats were counted under the edition's lock, which stamps the edition: undone too.
    assert stamps(db, demo.id) == before
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_refused_back_office_action_keeps_nothing_and_says_why(organiser, demo, db):
    explora = session_by_key(db, "d1-visit-explora")
    make_choice(db, make_registration(db, demo, email="eve@example.org"), explora)
    db.commit()
    before = stamps(db, demo.id)
    page = f"/organiser/{demo.slug}/sessions/{explora.id}"

    response = organiser.submit(f"{page}/delete", {}, page=page, prefix="action-")

    assert response.headers["Location"].endswith(page)
    html = organiser.page(page)
    told = flashes(html)
    assert told == ["This session has registrations: cancel it instead, so people are told."]
    assert page_title(html).startswith("Error: ")
    assert not page_title(organiser.page(page)).startswith("Error")  # said once
    assert session_by_key(db, "d1-visit-explora") is not None
    assert stamps(db, demo.id) == before  # the lock taken to decide it is released, unstamped
    assert db.scalars(sa.select(Choice.status)).all() == ["confirmed"]
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_whatever_a_request_commits_with_mail_wakes_the_sender(app, demo, db, smtp):
    person = make_registration(db, demo, email="eve@example.org")
    db.commit()
    with app.test_request_context("/"):
        registration = app_db.session.get(Registration, person.id)
        notifications.link_reminder(app_db.session, registration, now=utcnow())
        app_db.session.commit()
    [mail] = smtp.inbox.wait_for(1)
    assert mail["To"] == "eve@example.org"


def test_outside_a_request_a_commit_leaves_the_mail_to_the_command(app, demo, db, smtp):
    person = make_registration(db, demo, email="eve@example.org")
    db.commit()
    with app.app_context():
        registration = app_db.session.get(Registration, person.id)
        notifications.link_reminder(app_db.session, registration, now=utcnow())
        app_db.session.commit()
    outbox.wait_idle()  # a sender started by that commit would have finished by now
    assert fresh(db).scalar(sa.select(OutboxMessage.sent_at)) is None
    assert smtp.inbox.messages == []


def test_a_refused_form_says_error_first_in_the_readers_language(client, demo):
    url = f"/{demo.slug}/register?lang=fr"
    form = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(form), "first_name": "Majda"})
    assert page_title(response.get_data(as_text=True)) == f"Erreur : {page_title(form)}"
