"""The programme and the form agree on what needs registering: a session offered on the
form is marked "registration required" on the programme, and no other."""

from __future__ import annotations

import re

import sqlalchemy as sa

from school.models import Session


def marked_on_programme(html: str) -> set[int]:
    marked = set()
    for card in re.findall(r'<article class="session-card.*?</article>', html, re.S):
        session_id = int(re.search(r"/sessions/(\d+)", card).group(1))
        if "Registration required" in card:
            marked.add(session_id)
    return marked


def offered_on_form(html: str) -> set[int]:
    return {int(v) for v in re.findall(r'name="sessions" value="(\d+)"', html)}


def test_what_the_form_offers_is_what_the_programme_marks(client, demo, db):
    tour = db.scalar(sa.select(Session).where(Session.key == "d1-visit-spaces"))
    # The venue tour has counted seats but no "sur inscription" flag: the form offers it.
    assert tour is not None and tour.capacity is not None and not tour.requires_registration
    db.rollback()
    form = offered_on_form(client.get(f"/{demo.slug}/register?lang=en").get_data(as_text=True))
    programme = client.get(f"/{demo.slug}/programme?lang=en").get_data(as_text=True)
    assert tour.id in form
    assert marked_on_programme(programme) == form
    page = client.get(f"/{demo.slug}/sessions/{tour.id}?lang=en").get_data(as_text=True)
    assert "Registration required" in page
