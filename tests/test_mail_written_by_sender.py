"""A registration's confirmation is stored unwritten with the registration and written by
the outbox's sender just before it is sent: nobody registering waits for two templates
to render, and nothing is sent empty or twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from school.database import utcnow
from school.models import Edition, OutboxMessage, Registration, Session
from school.models.vocabulary import MailFailure
from school.services.mail import outbox, transports, writing
from school.services.registration import cancelling, registrations, waiting_lines
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


def test_the_confirmation_is_stored_unwritten_and_written_by_the_sender(ctx, demo, db):
    visit = explora(db, 1)
    edition = db.get(Edition, demo.id)
    seated = registrations.register(
        db, edition, person(1, "Иванова", sessions=[visit]), now=utcnow()
    ).registration
    stored = db.execute(
        sa.select(OutboxMessage.template, OutboxMessage.subject, OutboxMessage.text_body)
    ).one()
    # Stored with the registration, not written: never due, so never sent empty.
    assert tuple(stored) == ("registration_confirmed", "", "")
    assert db.scalar(sa.select(sa.func.count()).where(outbox.is_due(utcnow()))) == 0
    db.commit()
    waiting = registrations.register(
        db, edition, person(2, "محمد 王芳", sessions=[visit]), now=utcnow()
    ).registration
    db.commit()
    assert confirmation_of(db, waiting.id).template == "registration_confirmed"
    assert outbox.has_due(db)  # the background sender does not stop before writing them

    assert writing.write_waiting(db) == 2
    first, second = confirmation_of(db, seated.id), confirmation_of(db, waiting.id)
    assert first.template is None and second.template is None
    assert first.subject.startswith("Votre inscription") and second.html_body
    assert seated.manage_token in first.text_body and "Иванова" not in first.subject
    assert "Zainoudine" in first.text_body and "(confirmée)" in first.text_body
    line = waiting_lines.waitlist_positions(db, [visit])
    assert line == {waiting.choices[0].id: 1}
    assert "liste d'attente, place 1" in second.text_body
    assert db.scalar(sa.select(sa.func.count()).where(outbox.is_due(utcnow()))) == 2
    assert writing.write_waiting(db) == 0  # written once


def test_the_place_in_line_said_is_the_lines_after_people_leave_and_come_back(ctx, demo, db):
    """The place a new registration is told in its answer is counted with the seats,
    before its own choice exists; its e-mail says the place as the line stands when the
    sender writes it. Both must be its place as the line orders it, with people gone
    from the line and one put back."""
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
    writing.write_waiting(db)
    line = waiting_lines.waitlist_positions(db, [visit])
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
    assert writing.write_waiting(db) == 1
    messages = db.scalars(sa.select(OutboxMessage)).all()
    assert [(m.registration_id, m.template) for m in messages] == [(kept.registration.id, None)]
    assert "Zainoudine" in messages[0].text_body


def test_the_sender_writes_then_sends_with_what_was_typed_escaped(ctx, app, demo, db, smtp):
    edition = db.get(Edition, demo.id)
    registration = registrations.register(
        db, edition, person(1, "O'Brien", first_name="Zoé <b>&amp;</b>"), now=utcnow()
    ).registration
    registrations.register(db, edition, person(2, "Ngô"), now=utcnow())
    db.commit()  # no request: nothing is sent until a sender runs
    transport = transports.SmtpTransport(smtp.url)
    # Never sent empty: an unwritten message is not due.
    assert outbox.send_pending(db, transport, "School <s@x.org>").sent == 0

    assert outbox.send_due(app, db).sent == 2
    emails = smtp.inbox.wait_for(2)
    [email] = [e for e in emails if e["To"] == "person1@example.org"]
    assert email["Subject"].startswith("Votre inscription")
    text = email.get_body(("plain",)).get_content()
    assert registration.manage_token in text and "Zoé <b>&amp;</b>" in text
    html = email.get_body(("html",)).get_content()
    assert "&lt;b&gt;" in html and "<b>&amp;</b>" not in html  # what was typed, escaped
    assert outbox.send_due(app, db).sent == 0  # sent once


def test_two_senders_share_what_waits_without_waiting_for_each_other(ctx, demo, db, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite has one writer at a time")
    edition = db.get(Edition, demo.id)
    for n, name in enumerate(["Ærøskøbing", "Шевченко", "欧阳"]):
        registrations.register(db, edition, person(n, name), now=utcnow())
    db.commit()
    first = db.scalar(sa.select(sa.func.min(OutboxMessage.id)))
    db.rollback()
    # One sender is writing the first message: its row is locked until it commits.
    with sa.orm.Session(engine) as busy, engine.connect() as connection:
        busy.execute(sa.select(OutboxMessage.id).where(OutboxMessage.id == first).with_for_update())
        # Another writes the rest at once rather than waiting (else refused after 5 s).
        connection.exec_driver_sql("SET lock_timeout = '5s'")
        connection.commit()
        try:
            with sa.orm.Session(connection) as other:
                assert writing.write_waiting(other) == 2
        finally:
            connection.exec_driver_sql("RESET lock_timeout")
            connection.commit()
        busy.rollback()
    assert confirmation_of(db, db.get(OutboxMessage, first).registration_id).template
    assert writing.write_waiting(db) == 1


def test_a_message_that_cannot_be_written_is_given_up_alone(ctx, app, demo, db, monkeypatch):
    edition = db.get(Edition, demo.id)
    broken, fine = (
        registrations.register(db, edition, person(n, name), now=utcnow()).registration
        for n, name in enumerate(["Ærøskøbing", "Шевченко"])
    )
    db.commit()
    declared = writing._CONTEXTS["registration_confirmed"]

    def context(own, registration):
        if registration.id == broken.id:
            raise KeyError("a template's value missing")
        return declared(own, registration)

    monkeypatch.setitem(writing._CONTEXTS, "registration_confirmed", context)
    assert writing.write_waiting(db) == 2
    given_up, written = confirmation_of(db, broken.id), confirmation_of(db, fine.id)
    assert given_up.template is None and given_up.failure == MailFailure.UNBUILDABLE
    assert "KeyError" in given_up.last_error
    assert written.failure is None and fine.manage_token in written.text_body


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
