"""The e-mail a cancellation sends says what it did: seats given to the people waiting only
when there were seats, and how to register again only while the edition takes
registrations (in the participant's language)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import Edition, OutboxMessage, Session
from school.services.registration import cancelling
from tests.support.factories import make_choice, make_registration


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


def cancel_and_read(db, registration) -> OutboxMessage:
    cancelling.cancel(db, registration, now=utcnow())
    db.commit()
    return db.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.registration_id == registration.id,
            OutboxMessage.purpose == "cancellation",
        )
    ).one()


def test_a_cancellation_speaks_of_seats_only_when_it_freed_some(ctx, demo, db):
    edition = db.get(Edition, demo.id)
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    seated = make_registration(
        db, edition, first_name="Ярослава", email="y@example.org", language="en"
    )
    make_choice(db, seated, explora)
    plain = make_registration(db, edition, first_name="张伟", email="z@example.org", language="en")
    db.commit()

    with_seat = cancel_and_read(db, seated)
    without = cancel_and_read(db, plain)

    freed = "Your seats in workshops and visits go to the people waiting for them."
    assert freed in with_seat.text_body and freed in with_seat.html_body
    assert "seats" not in without.text_body and "seats" not in without.html_body
    for message in (with_seat, without):
        assert "Your registration for Spring School 2019" in message.text_body
        # The demo takes registrations: the way back is given, as a link.
        assert "You can register again while places remain:" in message.text_body
        assert f"/{demo.slug}/register" in message.text_body
        assert f'href="http://localhost/{demo.slug}/register"' in message.html_body


def test_once_registration_has_closed_the_mail_does_not_offer_to_register_again(ctx, demo, db):
    edition = db.get(Edition, demo.id)
    edition.registration_closes_at = datetime(2019, 6, 1, tzinfo=UTC)
    person = make_registration(
        db, edition, first_name="Ève", email="eve@example.org", language="en"
    )
    db.commit()

    message = cancel_and_read(db, person)

    assert "is cancelled." in message.text_body
    assert "register again" not in message.text_body
    assert "/register" not in message.html_body


def test_in_french_it_reads_as_french(app, demo, db):
    edition = db.get(Edition, demo.id)
    person = make_registration(db, edition, first_name="Ève", email="eve@example.org",
                               language="fr")  # fmt: skip
    db.commit()
    with app.app_context():
        message = cancel_and_read(db, person)
    assert "Votre inscription à l’édition «\u00a0Spring School 2019" in message.text_body
    assert "Vous avez changé d'avis\u00a0? Vous pouvez vous réinscrire" in message.text_body
