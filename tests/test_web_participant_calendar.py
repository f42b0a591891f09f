"""A participant's own calendar: their days, their choices, their waiting-list places,
and a feed that follows a seat granted from the waiting list."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from bench.synthetic import programme_text
from school.database import utcnow
from school.models import Choice, Edition, Registration, RegistrationMeal, Session
from school.services.programme import editing, importer
from school.services.registration import cancelling
from tests.support.calendars import LISBON, change_session, local, parse, session
from tests.support.factories import make_choice, make_registration

THURSDAY = date(2019, 6, 20)


def _agenda(client, registration, etag=None, **query):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(
        f"/my/{registration.manage_token}/agenda.ics", query_string=query, headers=headers
    )


def _waitlist(db, edition, key, ahead=1):
    """Fill the waiting line of session ``key`` with ``ahead`` people."""
    target = session(db, key)
    earlier = utcnow() - timedelta(hours=1)
    for n in range(ahead):
        other = make_registration(db, edition)
        choice = make_choice(db, other, target, status="waitlisted")
        choice.queued_at = earlier + timedelta(minutes=n)
    return target


def test_the_feed_holds_the_days_open_sessions_and_choices(client, demo, db):
    registration = make_registration(db, demo, days=[THURSDAY], language="en")
    make_choice(db, registration, session(db, "d1-visit-explora"))
    registration.meals = [RegistrationMeal(session_id=session(db, "d2-lunch").id)]
    db.commit()
    response = _agenda(client, registration)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Robots-Tag"] == "noindex"
    events = parse(response.data)
    keys = {
        "d2-welcome-coffee",
        "d2-welcome",
        "d2-stakes",
        "d2-conferences",
        "d2-lunch",
        "d2-round-table-1",
        "d2-round-table-2",
        "d2-round-table-3",
        "d2-closing",
        "d1-visit-explora",  # a choice, on another day
    }  # not the cocktail: a meal this person does not take (the caterers were told so)
    assert set(events) == {session(db, key).uid for key in keys}
    explora = events[session(db, "d1-visit-explora").uid]
    assert explora["status"] == "CONFIRMED"
    assert explora["summary"] == "Tour of the permanent exhibitions (Explora)"  # English
    assert local(events[session(db, "d2-closing").uid]["start"], LISBON) == "2019-06-20 16:30"


def test_members_only_and_capped_sessions_are_not_everyones(client, demo, db):
    guest = make_registration(db, demo, days=[date(2019, 6, 19)], category="guest")
    member = make_registration(db, demo, days=[date(2019, 6, 19)])  # proved
    unproved = make_registration(db, demo, days=[date(2019, 6, 19)], member_verified=False)
    db.commit()
    general_assembly = session(db, "d1-general-assembly").uid
    for registration in (guest, member, unproved):
        events = parse(_agenda(client, registration).data)
        for key in ("d1-visit-explora", "d1-visit-spaces"):
            assert session(db, key).uid not in events, key
        assert session(db, "d1-public-square").uid in events
        # The members' assembly: in the calendar of those the door lets in.
        assert (general_assembly in events) == (registration is member)


def test_the_feed_follows_a_waiting_list_promotion(app, client, demo, db):
    registration = make_registration(db, demo, language="en")
    work_cafe = _waitlist(db, demo, "d3-work-cafe", ahead=2)
    choice = make_choice(db, registration, work_cafe, status="waitlisted")
    db.commit()
    first = _agenda(client, registration)
    # A place in line is the participant's own event, not the session's (see feeds.py).
    waiting_uid = f"{work_cafe.uid}-r{registration.id}"
    assert work_cafe.uid not in parse(first.data)
    event = parse(first.data)[waiting_uid]
    assert event["status"] == "TENTATIVE"
    assert event["summary"].startswith("Waiting list: Work café")
    assert "you are number 3 in line" in event["description"]

    # Someone ahead leaves the line: the place changes, so does the feed.
    db.delete(db.get(Choice, choice.id - 2))
    db.commit()
    second = _agenda(client, registration, etag=first.headers["ETag"])
    assert second.status_code == 200
    assert "you are number 2 in line" in parse(second.data)[waiting_uid]["description"]
    # Dates alone cannot tell that change: If-Modified-Since is not trusted here.
    since = client.get(
        f"/my/{registration.manage_token}/agenda.ics",
        headers={"If-Modified-Since": second.headers["Last-Modified"]},
    )
    assert since.status_code == 200

    # The person ahead with a seat cancels: the registration service promotes Majda.
    holder = db.get(Choice, choice.id - 1).registration
    work_cafe = session(db, "d3-work-cafe")
    _fill_to_capacity(db, demo, work_cafe, keep=holder)
    with app.app_context():
        cancelling.cancel(db, db.get(Registration, holder.id), now=utcnow())
        db.commit()
    third = _agenda(client, registration, etag=second.headers["ETag"])
    assert third.status_code == 200
    # The seat is hers: the session itself, with its UID and SEQUENCE as in every feed.
    events = parse(third.data)
    assert waiting_uid not in events
    promoted = events[work_cafe.uid]
    assert promoted["status"] == "CONFIRMED"
    assert promoted["summary"].startswith("Work café")
    assert promoted["sequence"] == session(db, "d3-work-cafe").sequence
    assert "in line" not in promoted["description"]
    assert _agenda(client, registration, etag=third.headers["ETag"]).status_code == 304


def _fill_to_capacity(db, edition, target, keep):
    """Every seat of ``target`` taken, ``keep`` confirmed among them, nobody else in line
    ahead of the people already waiting."""
    db.get(Choice, db.scalar(
        sa.select(Choice.id).where(Choice.registration_id == keep.id)
    )).status = "confirmed"  # fmt: skip
    taken = db.scalar(
        sa.select(sa.func.count()).where(
            Choice.session_id == target.id, Choice.status == "confirmed"
        )
    )
    for _ in range(target.capacity - taken):
        make_choice(db, make_registration(db, edition), target)
    db.commit()


def test_a_seat_taken_back_to_the_waiting_line_becomes_her_own_event(app, client, demo, db):
    """Organisers lower the seats and move the latest confirmed back to the line: the
    session leaves her feed and her place in line takes its place, as her own event
    (its own UID), with a SEQUENCE no lower than the session's."""
    registration = make_registration(db, demo, language="en")
    explora = session(db, "d1-visit-explora")
    make_choice(db, registration, explora)
    db.commit()
    before = parse(_agenda(client, registration).data)[explora.uid]
    assert before["status"] == "CONFIRMED"

    edition = db.get(Edition, demo.id)
    explora = session(db, "d1-visit-explora")
    entry = editing.session_entry(edition, explora) | {"capacity": 0}
    with app.app_context():
        editing.save_session(
            db, edition, entry, session=explora, actor="organiser:test",
            now=utcnow() + timedelta(seconds=1), move_excess=True,
        )  # fmt: skip
        db.commit()
    events = parse(_agenda(client, registration).data)
    assert explora.uid not in events
    after = events[f"{explora.uid}-r{registration.id}"]
    assert after["status"] == "TENTATIVE"
    assert after["sequence"] >= session(db, "d1-visit-explora").sequence == before["sequence"]


def test_a_programme_change_reaches_the_personal_feed(client, demo, db):
    registration = make_registration(db, demo, days=[THURSDAY])
    db.commit()
    first = _agenda(client, registration)
    change_session(db, demo.slug, "d2-closing", status="cancelled")
    second = _agenda(client, registration, etag=first.headers["ETag"])
    assert second.status_code == 200
    assert parse(second.data)[session(db, "d2-closing").uid]["status"] == "CANCELLED"


def test_a_cancelled_registration_cancels_every_entry(client, demo, db):
    registration = make_registration(db, demo, days=[THURSDAY])
    db.commit()
    before = parse(_agenda(client, registration).data)
    registration.status = "cancelled"
    registration.updated_at = utcnow()
    db.commit()
    after = parse(_agenda(client, registration).data)
    # Her entries, not the sessions (they go on for everyone else): her own events,
    # cancelled, with a SEQUENCE above the session's.
    assert after.keys() == {f"{uid}-r{registration.id}" for uid in before}
    for uid, event in before.items():
        cancelled = after[f"{uid}-r{registration.id}"]
        assert cancelled["status"] == "CANCELLED"
        assert cancelled["sequence"] > event["sequence"]


def test_the_feed_answers_304_without_a_query(client, demo, db, count_queries):
    registration = make_registration(db, demo)
    make_choice(db, registration, session(db, "d3-work-cafe"), status="waitlisted")
    db.commit()
    etag = _agenda(client, registration).headers["ETag"]
    with count_queries() as statements:
        response = _agenda(client, registration, etag=etag)
    assert response.status_code == 304
    assert statements == []  # the process keeps the feed's state while nothing changes
    # A change to the registration's choices: the next request reads it, a new ETag.
    make_choice(db, registration, session(db, "d1-visit-explora"), status="confirmed")
    db.commit()
    assert _agenda(client, registration, etag=etag).status_code == 200


def test_an_unknown_link_is_404(client, demo):
    assert client.get("/my/not-a-token/agenda.ics").status_code == 404
    assert client.get(f"/my/{'x' * 200}/agenda.ics").status_code == 404


def test_the_personal_feed_runs_a_fixed_number_of_queries(client, app, db, count_queries):
    counts = []
    for slug, size in (("small", 20), ("large", 200)):
        edition = importer.import_text(db, programme_text(size, size // 2, slug=slug), "s.yaml")
        registration = make_registration(db, edition)
        for key in ("s1", "s4", "s7"):
            target = db.scalar(
                sa.select(Session).where(Session.edition_id == edition.id, Session.key == key)
            )
            make_choice(
                db, registration, target, status="waitlisted" if key == "s7" else "confirmed"
            )
        db.commit()
        with count_queries() as statements:
            assert _agenda(client, registration).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] <= 7, counts


def test_the_participant_page_offers_subscribe_and_download(client, demo, db):
    registration = make_registration(db, demo)
    db.commit()
    html = client.get(f"/my/{registration.manage_token}?lang=en").get_data(as_text=True)
    address = f"http://localhost/my/{registration.manage_token}/agenda.ics"
    assert f'href="webcal://localhost/my/{registration.manage_token}/agenda.ics"' in html
    assert f'value="{address}"' in html and f'href="{address}" download' in html
    for client_name in ("Google Calendar", "Outlook", "Apple Calendar", "Thunderbird"):
        assert client_name in html
