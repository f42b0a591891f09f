"""Issue 9: ten edits never make ten e-mails. Edits pile up; once the organiser is done,
everyone concerned gets one message listing what changed for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from school.database import utcnow
from school.models import ChangeNotice, Edition, OutboxMessage, Person, Session, SessionPerson
from school.services.mail import change_notices
from school.services.programme import editing
from tests.support.calendars import parse
from tests.support.factories import make_choice, make_registration
from tests.support.servers import Inbox


def _edit(db, demo, key, **changes):
    edition = db.get(Edition, demo.id)
    session = db.scalar(sa.select(Session).where(Session.key == key))
    entry = editing.session_entry(edition, session) | changes
    editing.save_session(db, edition, entry, session=session, actor="organiser:test", now=utcnow())
    db.commit()


def test_three_edits_to_two_sessions_make_one_message_per_person(app, smtp, client, demo, db):
    with app.app_context():
        edition = db.get(Edition, demo.id)
        explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
        # Eve holds a seat at the Explora visit and attends day 1 (its plenaries too).
        eve = make_registration(
            db, edition, first_name="Ève", email="eve@example.org", language="en",
            days=[edition.starts_on],
        )  # fmt: skip
        make_choice(db, eve, explora)
        # Majda comes on day 3 only: nothing of day 1 concerns her.
        make_registration(
            db, edition, first_name="Majda", email="majda@example.org",
            days=[edition.ends_on],
        )  # fmt: skip
        speaker = db.scalar(sa.select(Person).where(Person.key == "alain-jouneau"))
        speaker.email, speaker.language = "alain@example.org", "fr"
        db.commit()
        token = eve.manage_token
        before = client.get(f"/my/{token}/agenda.ics")

        _edit(db, demo, "d1-visit-explora", start="17:15", end="18:45")
        _edit(db, demo, "d1-visit-explora", start="17:30", end="19:00")
        _edit(db, demo, "d1-missions-values", room="mediation")
        assert smtp.inbox.messages == []  # nothing yet: the organiser is still editing
        assert len(change_notices.pending(db, demo.id)) == 3

        told = change_notices.notify(db, db.get(Edition, demo.id), now=utcnow())
        db.commit()
    assert told == 2
    from school.services.mail import outbox

    outbox.wake(app)  # what the organiser's "send" page does after its commit
    messages = smtp.inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["alain@example.org", "eve@example.org"]
    eve_mail = Inbox.text(smtp.inbox.to("eve@example.org")[0])
    assert "Explora" in eve_mail and "The missions and values" in eve_mail
    assert "17:30" in eve_mail and "17:00" in eve_mail  # now, and before the batch
    alain_mail = Inbox.text(smtp.inbox.to("alain@example.org")[0])
    assert "Bonjour Alain" in alain_mail and "Explora" not in alain_mail
    assert smtp.inbox.to("majda@example.org") == []
    # Her calendar already had it: the new time, with a SEQUENCE raised by each move.
    after = client.get(f"/my/{token}/agenda.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    event = parse(after.data)[explora.uid]
    assert event["start"].astimezone(UTC) == datetime(2019, 6, 19, 15, 30, tzinfo=UTC)
    assert event["sequence"] == parse(before.data)[explora.uid]["sequence"] + 2
    # Sent once: notifying again tells nobody.
    with app.app_context():
        assert change_notices.notify(db, db.get(Edition, demo.id), now=utcnow()) == 0


def test_a_change_undone_before_notifying_tells_nobody(app, demo, db):
    with app.app_context():
        edition = db.get(Edition, demo.id)
        explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
        make_choice(db, make_registration(db, edition, email="eve@example.org"), explora)
        db.commit()
        _edit(db, demo, "d1-visit-explora", start="17:15", end="18:45")
        _edit(db, demo, "d1-visit-explora", start="17:00", end="18:30")
        assert change_notices.notify(db, db.get(Edition, demo.id), now=utcnow()) == 0


def test_notices_go_by_themselves_after_a_quiet_period(app, demo, db, runner):
    with app.app_context():
        edition = db.get(Edition, demo.id)
        explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
        make_choice(db, make_registration(db, edition, email="eve@example.org"), explora)
        db.commit()
        _edit(db, demo, "d1-visit-explora", start="17:15", end="18:45")
    # Too soon: the organiser may still be editing.
    assert "told of programme changes" not in runner.invoke(args=["mail", "send"]).output
    db.execute(sa.update(ChangeNotice).values(created_at=utcnow() - timedelta(minutes=11)))
    db.commit()
    result = runner.invoke(args=["mail", "send"])
    assert "1 people told of programme changes" in result.output


def _told(db) -> list[str]:
    """Who the last batch of notices went to (what the organiser's "send" step queued)."""
    db.rollback()
    notices = sa.select(OutboxMessage.batch).where(OutboxMessage.purpose == "change_notice")
    last = db.scalar(notices.order_by(OutboxMessage.id.desc()).limit(1))
    return sorted(
        db.scalars(sa.select(OutboxMessage.to_address).where(OutboxMessage.batch == last))
    )


def test_the_waiting_line_and_the_moderator_are_told(app, demo, db):
    with app.app_context():
        edition = db.get(Edition, demo.id)
        explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
        waiting = make_registration(db, edition, email="wait@example.org", days=[edition.starts_on])
        make_choice(db, waiting, explora, status="waitlisted")
        # Attends the day, holds no seat of this visit: neither change is hers.
        make_registration(db, edition, email="day@example.org", days=[edition.starts_on])
        moderator = db.scalar(sa.select(Person).where(Person.key == "raquel-castello-branco"))
        moderator.email = "raquel@example.org"
        db.add(SessionPerson(session_id=explora.id, person_id=moderator.id, role="moderator"))
        db.commit()
        _edit(db, demo, "d1-visit-explora", start="17:15", end="18:45")
        change_notices.notify(db, db.get(Edition, demo.id), now=utcnow())
        db.commit()
        assert _told(db) == ["raquel@example.org", "wait@example.org"]
        # Cancelled, the visit still concerns only those who had a seat or a place in line.
        _edit(db, demo, "d1-visit-explora", status="cancelled")
        change_notices.notify(db, db.get(Edition, demo.id), now=utcnow())
        db.commit()
        assert _told(db) == ["raquel@example.org", "wait@example.org"]


def test_a_session_for_all_moved_to_another_day_tells_both_days(app, demo, db):
    with app.app_context():
        edition = db.get(Edition, demo.id)
        first, second, third = sorted(demo.dates)[:3]
        for name, day in (("old", first), ("new", second), ("other", third)):
            make_registration(db, edition, email=f"{name}@example.org", days=[day])
        db.commit()
        # Those of the old day would look for it there: they are told as well.
        _edit(db, demo, "d1-missions-values", date=second.isoformat())
        change_notices.notify(db, db.get(Edition, demo.id), now=utcnow())
        db.commit()
        assert _told(db) == ["new@example.org", "old@example.org"]
