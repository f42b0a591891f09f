"""The call for initiatives set in the back office: its dates, picked like the
registration's and read in the edition's time, and refused if it would close before it
opens. Submitting to the call and moderating what it receives are in
test_network_initiatives.py."""

from __future__ import annotations

from school.models import Edition
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
