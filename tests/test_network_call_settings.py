"""The call for initiatives set in the back office: its dates, picked like the
registration's and read in the edition's time, and refused if it would close before it
opens; without a closing date, the call closes when its edition ends. Submitting to the
call and moderating what it receives are in test_network_initiatives.py."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime

from school.models import Edition
from school.services.network import initiatives
from tests.support.backoffice import NEW_EDITION as NEW
from tests.support.backoffice import Organiser, make_admin


def test_the_calls_dates_are_picked_like_the_registrations(app, client, db, demo):
    make_admin(app, db)
    organiser = Organiser(client, lang="fr").login()
    url = f"/organiser/{demo.slug}/initiatives"
    # What a date picker sends: the "T" between date and time.
    saved = organiser.submit(url, {"opens_at": "2019-03-01T09:00", "closes_at": "2019-05-31 18:00"})
    assert saved.status_code == 302
    edition = db.get(Edition, demo.id)
    db.refresh(edition)
    assert edition.initiatives_open_at.astimezone(edition.tz).strftime("%d/%m %H:%M") == (
        "01/03 09:00"
    )
    page = organiser.page(url)
    assert 'type="datetime-local"' in page and 'value="2019-03-01T09:00"' in page
    assert "AAAA-MM-JJ" not in page


def test_a_call_that_would_close_before_it_opens_is_refused(app, client, db, demo):
    make_admin(app, db)
    organiser = Organiser(client).login()
    # The call's dates, in the edition's time.
    closed = organiser.submit(
        f"/organiser/{demo.slug}/initiatives",
        {"opens_at": "2019-03-01 09:00", "closes_at": "2019-02-01 09:00"},
    )
    assert "must close after it opens" in closed.get_data(as_text=True)
    assert client.get(f"/organiser/{demo.slug}/initiatives").status_code == 200


# -- a call without a closing date closes when its edition ends


def read(html: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_call_without_a_closing_date_closes_when_the_edition_ends(db, demo):
    """Its wall and guide are then final. The demo edition, kept open to be tried as its
    registration is, keeps its call open unless told."""
    edition = db.get(Edition, demo.id)  # 19-21 June 2019, in Paris (UTC+2)
    edition.initiatives_open_at = datetime(2019, 3, 1, 8, 0, tzinfo=UTC)
    last_evening = datetime(2019, 6, 21, 21, 59, tzinfo=UTC)
    midnight = datetime(2019, 6, 21, 22, 0, tzinfo=UTC)
    assert initiatives.call_state(edition, midnight).is_open  # the demo: open
    edition.is_demo = False
    before, after = (initiatives.call_state(edition, t) for t in (last_evening, midnight))
    assert (before.key, after.key) == ("open", "closed")
    assert before.closes_at == midnight and before.closes_with_edition
    edition.initiatives_close_at = datetime(2019, 9, 1, 8, 0, tzinfo=UTC)  # chosen: it holds
    state = initiatives.call_state(edition, midnight)
    assert state.is_open and not state.closes_with_edition


def test_the_back_office_and_the_form_say_when_a_call_without_a_closing_date_closes(
    app, client, db
):
    make_admin(app, db)
    organiser = Organiser(client).login()
    assert organiser.submit("/organiser/editions/new", NEW).status_code == 302
    url = "/organiser/autumn-school-2030/initiatives"
    saved = organiser.submit(url, {"opens_at": "2020-01-01T09:00", "closes_at": ""})
    assert saved.status_code == 302
    page = read(organiser.page(url))
    assert "The call is open until the edition ends (6 December 2030)." in page
    assert "The call closes (local time; empty: when the edition ends)" in page
    dashboard = read(organiser.page("/organiser/autumn-school-2030/"))
    assert (
        "Call for initiatives: open until the edition ends (6 December 2030). Set a closing date"
        in dashboard
    )
    form = read(organiser.page("/autumn-school-2030/initiatives/submit"))
    assert "The call closes when the edition ends (6 December 2030)." in form
    organiser.lang = "fr"
    dashboard = read(organiser.page("/organiser/autumn-school-2030/"))
    assert (
        "Appel à initiatives : ouvert jusqu’à la fin de l’édition (6 décembre 2030)." in dashboard
    )


def test_a_call_without_a_closing_date_must_open_before_the_edition_ends(app, client, db):
    make_admin(app, db)
    organiser = Organiser(client).login()
    organiser.submit("/organiser/editions/new", NEW)
    url = "/organiser/autumn-school-2030/initiatives"
    refused = organiser.submit(url, {"opens_at": "2031-01-10T09:00", "closes_at": ""})
    assert (
        "Without a closing date, the call closes when the edition ends (6 December 2030): "
        "it must open before, or be given a closing date."
    ) in read(refused.get_data(as_text=True))
    given = organiser.submit(url, {"opens_at": "2031-01-10T09:00", "closes_at": "2031-02-10T09:00"})
    assert given.status_code == 302
