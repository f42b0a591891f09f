"""The call for initiatives set in the back office: its dates, picked like the
registration's and read in the edition's time. Submitting to the call and moderating
what it receives are in test_network_initiatives.py."""

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
