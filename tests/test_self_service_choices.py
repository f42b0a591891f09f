"""One tap on /my/<token>: leave, join or swap one session under the form's rules, and
one short e-mail saying what changed."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import Edition, OutboxMessage, Registration, Session
from school.services.errors import DomainError
from school.services.registration import offer, registrations, self_service
from school.services.registration.data import RegistrationData
from school.services.registration.rules import InvalidRegistration
from tests.support.backoffice import fresh
from tests.support.visitor import Visitor, answers


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


def session_of(db, key: str) -> Session:
    return db.scalar(sa.select(Session).where(Session.key == key))


def registered(db, demo, n=0, sessions=(), **fields) -> Registration:
    data = RegistrationData(
        first_name="Олена",
        last_name=f"Коваленко {n}",
        email=f"olena{n}@example.org",
        country="UA",
        category=fields.pop("category", "member"),
        language=fields.pop("language", "en"),
        days=list(db.get(Edition, demo.id).dates),
        sessions=list(sessions),
        privacy_consent=True,
        **fields,
    )
    outcome = registrations.register(db, db.get(Edition, demo.id), data, now=utcnow())
    db.commit()
    return outcome.registration


def mails_to(db, address: str, purpose: str = "choices_changed") -> list[OutboxMessage]:
    return list(
        db.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.to_address == address, OutboxMessage.purpose == purpose)
            .order_by(OutboxMessage.id)  # in the order they were queued
        )
    )


def test_a_swap_for_a_parallel_session_moves_the_seat_and_says_so(ctx, demo, db):
    spaces, explora = session_of(db, "d1-visit-spaces"), session_of(db, "d1-visit-explora")
    person = registered(db, demo, sessions=[spaces.id])
    offered = offer.choosable_sessions(db, db.get(Edition, demo.id))
    assert explora in self_service.alternatives(person, offered, spaces)
    # At the same time as a seat held: offered as a swap, not to add.
    assert explora not in self_service.joinable(person, offered)
    changes = self_service.swap(db, person, spaces.id, explora.id, now=utcnow())
    db.commit()
    assert [(c.session.key, c.before, c.after) for c in changes] == [
        ("d1-visit-spaces", "confirmed", None),
        ("d1-visit-explora", None, "confirmed"),
    ]
    assert [c.session_id for c in person.choices] == [explora.id]
    (mail,) = mails_to(db, person.email)
    assert "You left “Tour of the venue" in mail.text_body
    assert "You have a seat in “Tour of the permanent exhibitions (Explora)" in mail.text_body
    assert "/my/" in mail.text_body and "Tour of the venue" in mail.html_body
    # One line for each session (the second ran on after the first's full stop).
    lines = [line for line in mail.text_body.splitlines() if line.startswith("- ")]
    assert [line[:12] for line in lines] == ["- You left “", "- You have a"]


def test_leaving_gives_the_seat_to_the_first_in_line(ctx, demo, db):
    explora = session_of(db, "d1-visit-explora")
    explora.capacity = 1
    db.commit()
    holder = registered(db, demo, 0, sessions=[explora.id])
    waiting = registered(db, demo, 1)
    changes = self_service.join(db, waiting, explora.id, now=utcnow())
    db.commit()
    assert (changes[0].after, changes[0].position) == ("waitlisted", 1)
    assert (
        "waiting list of “Tour of the permanent exhibitions (Explora)"
        in mails_to(db, waiting.email)[0].text_body
    )
    self_service.leave(db, holder, explora.id, now=utcnow())
    db.commit()
    db.expire_all()
    assert holder.choices == [] and [c.status for c in waiting.choices] == ["confirmed"]
    assert len(mails_to(db, holder.email)) == 1
    assert len(mails_to(db, waiting.email, "promotion")) == 1


def test_one_tap_follows_the_same_rules(ctx, demo, db):
    spaces, explora = session_of(db, "d1-visit-spaces"), session_of(db, "d1-visit-explora")
    assembly = session_of(db, "d1-general-assembly")
    assembly.requires_registration = True
    db.commit()
    person = registered(db, demo, sessions=[spaces.id], language="fr")
    with pytest.raises(InvalidRegistration, match="highlighted") as caught:
        self_service.join(db, person, explora.id, now=utcnow())  # same time as the tour
    db.rollback()
    assert "same time" in caught.value.errors["sessions"][0]
    with pytest.raises(InvalidRegistration) as caught:
        self_service.join(db, person, assembly.id, now=utcnow())
    db.rollback()
    assert "member_code" in caught.value.errors
    with pytest.raises(DomainError) as caught:
        self_service.leave(db, person, session_of(db, "d3-work-cafe").id, now=utcnow())
    db.rollback()
    assert caught.value.message == "You have not chosen this session."
    self_service.leave(db, person, spaces.id, now=utcnow())  # the tour overlaps the assembly
    code = db.get(Edition, demo.id).member_code
    self_service.join(db, person, assembly.id, now=utcnow(), member_code=code)
    db.commit()
    assert [c.session_id for c in person.choices] == [assembly.id]
    left, joined = mails_to(db, person.email)  # in the participant's language
    assert "Vous avez quitté" in left.text_body and "Vous avez une place" in joined.text_body


def test_the_page_offers_one_tap_and_a_tap_changes_one_choice(client, demo, db):
    spaces, explora = session_of(db, "d1-visit-spaces"), session_of(db, "d1-visit-explora")
    cafe = session_of(db, "d3-work-cafe")
    db.rollback()
    visitor = Visitor(client)
    manage = visitor.submit(f"/{demo.slug}/register", answers(sessions=[spaces.id])).headers[
        "Location"
    ]
    page = visitor.get(manage).get_data(as_text=True)
    assert f"{manage}/choices/leave" in page and f"{manage}/choices/swap" in page
    assert f'name="to_session" value="{explora.id}"' in page
    assert f'name="session_id" value="{cafe.id}"' in page  # may be joined
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"{manage}/choices/swap?lang=en",
        data={"csrf_token": token, "session_id": spaces.id, "to_session": explora.id},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#my-sessions")
    page = visitor.get(manage).get_data(as_text=True)
    assert "You have a seat in “Tour of the permanent exhibitions (Explora)" in page
    registration = fresh(db).scalar(sa.select(Registration))
    assert [c.session_id for c in registration.choices] == [explora.id]
    assert len(mails_to(db, registration.email)) == 1
    # A refusal is said on the page, and nothing changes.
    response = client.post(
        f"{manage}/choices/join?lang=en",
        data={"csrf_token": token, "session_id": spaces.id},
    )
    page = visitor.get(manage).get_data(as_text=True)
    assert "take place at the same time" in page
    assert [c.session_id for c in fresh(db).scalar(sa.select(Registration)).choices] == [explora.id]
    # Without the form's token, nothing at all.
    assert (
        client.post(f"{manage}/choices/leave", data={"session_id": explora.id}).status_code == 400
    )


def test_the_whole_form_tells_what_unticking_a_day_took(client, demo, db):
    """Unticking a day on the form let that day's seats go: said on the page and in the
    same e-mail as a single change, one line for each session."""
    spaces, ateliers = session_of(db, "d1-visit-spaces"), session_of(db, "d2-round-table-1")
    person = registered(db, demo, sessions=[spaces.id])
    visitor = Visitor(client)
    manage = f"/my/{person.manage_token}"
    kept = {
        "first_name": person.first_name, "last_name": person.last_name,
        "email": person.email, "country": "UA", "category": "member", "language": "en",
    }  # fmt: skip
    response = visitor.submit(
        f"{manage}/edit", answers(**kept, days=["2019-06-20", "2019-06-21"], sessions=[])
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You left “Tour of the venue" in page and "We have sent you an e-mail." in page
    db.rollback()  # a new read: the requests' writes, not this session's snapshot
    db.expire_all()
    assert db.get(Registration, person.id).choices == []
    (mail,) = mails_to(db, person.email)
    assert re.search(r"^- You left “Tour of the venue.*\(Wednesday 19 June, ", mail.text_body, re.M)
    assert ateliers.title_en not in mail.text_body  # only what changed
    # A change that moves no seat (a day without any, the dietary needs) sends nothing.
    visitor.submit(
        f"{manage}/edit", answers(**kept, days=["2019-06-20"], sessions=[], dietary="Halal")
    )
    db.rollback()
    assert len(mails_to(db, person.email)) == 1


def test_a_seat_is_given_up_for_a_waiting_line_only_when_the_box_says_so(client, demo, db):
    """One tap on "swap for the waiting list" freed the seat at once, with no word of it."""
    spaces, explora = session_of(db, "d1-visit-spaces"), session_of(db, "d1-visit-explora")
    for n in range(explora.capacity):
        registered(db, demo, 100 + n, sessions=[explora.id])
    person = registered(db, demo, sessions=[spaces.id])
    visitor = Visitor(client)
    manage = f"/my/{person.manage_token}"
    page = visitor.get(manage).get_data(as_text=True)
    assert 'name="give_up_seat" value="y" required' in page
    assert "I give up my seat in “Tour of the venue" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    swap = {"csrf_token": token, "session_id": spaces.id, "to_session": explora.id}
    client.post(f"{manage}/choices/swap?lang=en", data=swap)
    page = visitor.get(manage).get_data(as_text=True)
    assert "This swap gives up your seat in “Tour of the venue" in page
    assert "for place 1 in the waiting line of “Tour of the permanent exhibitions" in page
    db.rollback()  # a new read: the requests' writes, not this session's snapshot
    db.expire_all()
    assert [(c.session_id, c.status) for c in db.get(Registration, person.id).choices] == [
        (spaces.id, "confirmed")
    ]
    assert mails_to(db, person.email) == []
    client.post(f"{manage}/choices/swap?lang=en", data={**swap, "give_up_seat": "y"})
    db.rollback()  # a new read: the requests' writes, not this session's snapshot
    db.expire_all()
    assert [(c.session_id, c.status) for c in db.get(Registration, person.id).choices] == [
        (explora.id, "waitlisted")
    ]
    assert len(mails_to(db, person.email)) == 1
