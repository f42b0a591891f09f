"""A registration's confirmation is written once the registration has committed (its
seats' locks are not held while two templates render), and nothing is lost when the
process stops in between: the sender writes what is left unwritten before sending it."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from school.database import utcnow
from school.models import Edition, OutboxMessage, Registration, Session
from school.models.vocabulary import MailFailure
from school.services.mail import outbox, transports
from school.services.registration import cancelling, registrations, seats
from school.services.registration.data import RegistrationData
from tests.support.backoffice import make_admin


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


def person(n: int, last_name: str, **fields) -> RegistrationData:
    values = dict(
        first_name="Zainoudine",
        last_name=last_name,
        email=f"person{n}@example.org",
        organisation="Cité des métiers de Mamoudzou",
        country="YT",
        category="member",
        language="fr",
        days=[date(2019, 6, 19)],
        privacy_consent=True,
    )
    values.update(fields)
    return RegistrationData(**values)


def explora(db, capacity: int) -> int:
    session = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    session.capacity = capacity
    db.commit()
    return session.id


def confirmation_of(db, registration_id: int) -> OutboxMessage:
    db.expire_all()
    return db.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.registration_id == registration_id,
            OutboxMessage.purpose == "confirmation",
        )
    )


def test_the_confirmation_is_written_once_the_registration_has_committed(ctx, demo, db, caplog):
    caplog.set_level(logging.INFO, logger="school.services.mail.writing")
    visit = explora(db, 1)
    edition = db.get(Edition, demo.id)
    seated = registrations.register(
        db, edition, person(1, "Иванова", sessions=[visit]), now=utcnow()
    ).registration
    stored = db.execute(
        sa.select(OutboxMessage.template, OutboxMessage.subject, OutboxMessage.text_body)
    ).one()
    # Inside the registration's transaction: stored, not written yet, not due.
    assert tuple(stored) == ("registration_confirmed", "", "")
    assert db.scalar(sa.select(sa.func.count()).where(outbox.is_due(utcnow()))) == 0
    db.commit()
    waiting = registrations.register(
        db, edition, person(2, "محمد 王芳", sessions=[visit]), now=utcnow()
    ).registration
    db.commit()

    first, second = confirmation_of(db, seated.id), confirmation_of(db, waiting.id)
    assert first.template is None and second.template is None
    assert first.subject.startswith("Votre inscription") and second.html_body
    assert seated.manage_token in first.text_body and "Иванова" not in first.subject
    assert "Zainoudine" in first.text_body and "(confirmée)" in first.text_body
    # Its place in line, counted once the seat was decided: as the waiting line says.
    line = seats.waitlist_positions(db, [visit])
    assert [c.id for c in waiting.choices if c.id in line] and line[waiting.choices[0].id] == 1
    assert "liste d'attente, place 1" in second.text_body
    assert seats.places_in_line(db, [waiting.choices[0].id, seated.choices[0].id]) == {
        waiting.choices[0].id: 1
    }
    # Written from what the registration held in memory as it committed, not read again.
    assert not [r for r in caplog.records if "from the database" in r.getMessage()]


def test_the_place_in_line_said_is_the_lines_after_people_leave_and_come_back(ctx, demo, db):
    """The place a new registration is told (in its answer and its e-mail) is counted
    with the seats, before its own choice exists: it must still be its place in the
    line as the line orders it, with people gone from the line and one put back."""
    visit = explora(db, 1)
    edition = db.get(Edition, demo.id)
    names = ["Ærøskøbing", "Шевченко", "欧阳", "عبد الله", "Nguyễn", "Łukasiewicz"]
    people = []
    for n, name in enumerate(names[:4]):
        people.append(
            registrations.register(db, edition, person(n, name, sessions=[visit]), now=utcnow())
        )
        db.commit()
    assert [o.positions for o in people[1:]] == [
        {o.registration.choices[0].id: place} for place, o in enumerate(people[1:], 1)
    ]
    # The second in line leaves; the one who held the seat cancels: the first in line
    # takes it. Left waiting: the third in line, now first.
    cancelling.cancel(db, people[2].registration, now=utcnow())
    cancelling.cancel(db, people[0].registration, now=utcnow())
    db.commit()
    late = registrations.register(db, edition, person(4, names[4], sessions=[visit]), now=utcnow())
    db.commit()
    admin = make_admin(current_app, db)
    back = cancelling.reinstate(
        db, db.get(Registration, people[2].registration.id), now=utcnow(), actor=admin
    )
    db.commit()
    line = seats.waitlist_positions(db, [visit])
    late_choice, back_choice = late.registration.choices[0], back.choices[0]
    assert late.positions == {late_choice.id: 2} == {late_choice.id: line[late_choice.id]}
    assert line[back_choice.id] == 3
    assert "liste d'attente, place 2" in confirmation_of(db, late.registration.id).text_body
    reinstated = db.scalars(
        sa.select(OutboxMessage.text_body)
        .where(OutboxMessage.registration_id == back.id, OutboxMessage.purpose == "confirmation")
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert "liste d'attente, place 3" in reinstated


def test_a_registration_rolled_back_leaves_nothing_to_write(ctx, demo, db):
    edition = db.get(Edition, demo.id)
    registrations.register(db, edition, person(1, "Núñez"), now=utcnow())
    db.rollback()
    kept = registrations.register(db, edition, person(2, "Łukasiewicz"), now=utcnow())
    db.commit()
    messages = db.scalars(sa.select(OutboxMessage)).all()
    assert [(m.registration_id, m.template) for m in messages] == [(kept.registration.id, None)]
    assert "Zainoudine" in messages[0].text_body


def test_what_a_stopped_process_left_unwritten_is_written_then_sent(ctx, app, demo, db, smtp):
    edition = db.get(Edition, demo.id)
    registration = registrations.register(
        db, edition, person(1, "O'Brien", first_name="Zoé <b>&amp;</b>"), now=utcnow()
    ).registration
    fresh = registrations.register(db, edition, person(2, "Ngô"), now=utcnow()).registration
    db.commit()  # no request: nothing is sent until a sender runs
    # As a process leaves them when it stops between the registration's commit and the
    # writing: stored in the registration's transaction, not written; one long ago, one
    # just now (that process may still be writing it).
    left = {"template": "registration_confirmed", "subject": "", "text_body": "",
            "html_body": None}  # fmt: skip
    for who, when in ((registration, utcnow() - timedelta(minutes=5)), (fresh, utcnow())):
        db.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.registration_id == who.id)
            .values(created_at=when, **left)
        )
    db.commit()
    transport = transports.SmtpTransport(smtp.url)
    # Never sent empty: an unwritten message is not due.
    assert outbox.send_pending(db, transport, "School <s@x.org>").sent == 0

    assert outbox.send_due(app, db).sent == 1
    [email] = smtp.inbox.wait_for(1)
    assert email["To"] == "person1@example.org"
    assert email["Subject"].startswith("Votre inscription")
    text = email.get_body(("plain",)).get_content()
    assert registration.manage_token in text and "Zoé <b>&amp;</b>" in text
    html = email.get_body(("html",)).get_content()
    assert "&lt;b&gt;" in html and "<b>&amp;</b>" not in html  # what was typed, escaped
    # The one just queued is another process's to write: left alone for now.
    assert confirmation_of(db, fresh.id).template == "registration_confirmed"


def test_a_message_with_nothing_to_write_it_from_is_given_up(ctx, app, demo, db, smtp):
    db.add(
        OutboxMessage(to_address="gone@example.org", subject="", text_body="",
                      template="registration_confirmed", purpose="confirmation",
                      created_at=utcnow() - timedelta(hours=1),
                      send_after=utcnow() - timedelta(hours=1))
    )  # fmt: skip
    db.commit()
    assert outbox.send_due(app, db).sent == 0
    db.expire_all()
    message = db.scalar(sa.select(OutboxMessage))
    assert message.template is None and message.failure == MailFailure.UNBUILDABLE
    assert db.scalar(sa.select(sa.func.count()).where(outbox.is_given_up())) == 1
    assert not smtp.inbox.messages
