"""A meal is one notion with one count: ticked among the meals only (never offered as a
session too), its limited seats counted from those who take it, and the form, the
dashboard and the caterers' figures agree."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import Edition, Session
from school.services.backoffice import stats
from school.services.registration import registrations
from school.services.registration.data import RegistrationData
from school.services.registration.registrations import InvalidRegistration
from tests.support.backoffice import Organiser, make_admin

D1 = date(2019, 6, 19)


def person(n: int, **fields) -> RegistrationData:
    values = dict(
        first_name="Majda", last_name=f"Jelenčić {n}", email=f"m{n}@example.org",
        organisation="Cité des métiers de Genève", country="HR", category="member",
        language="fr", days=[D1], privacy_consent=True,
    )  # fmt: skip
    values.update(fields)
    return RegistrationData(**values)


@pytest.fixture
def limited_lunch(db, demo):
    lunch = db.scalar(sa.select(Session).where(Session.key == "d1-lunch"))
    lunch.capacity = 2
    db.commit()
    return lunch.id


def test_a_limited_meal_is_counted_once_and_refused_when_full(app, db, demo, limited_lunch):
    edition = db.get(Edition, demo.id)
    with app.app_context(), force_locale("en"):
        offered = registrations.choosable_sessions(db, edition, by_organiser=True)
        assert limited_lunch not in [s.id for s in offered]  # a meal, not a session
        for n in range(2):
            registrations.register(db, edition, person(n, meals=[limited_lunch]), now=utcnow())
            db.commit()
        with pytest.raises(InvalidRegistration) as full:
            registrations.register(db, edition, person(9, meals=[limited_lunch]), now=utcnow())
        db.rollback()
        assert full.value.errors["meals"] == ["“Buffet lunch” is full."]
        with pytest.raises(InvalidRegistration) as as_session:
            registrations.register(db, edition, person(8, sessions=[limited_lunch]), now=utcnow())
        db.rollback()
        assert "is a meal" in as_session.value.errors["sessions"][0]
    edition = db.get(Edition, demo.id)
    meals = {m.session.id: m.count for m in stats.meals(db, edition)}
    assert meals[limited_lunch] == 2
    fills = stats.session_fill(db, edition, capped_only=False)
    assert limited_lunch not in [f.session.id for f in fills]


def test_the_form_and_the_dashboard_show_the_same_count(app, client, db, demo, limited_lunch):
    edition = db.get(Edition, demo.id)
    with app.app_context(), force_locale("en"):
        registrations.register(db, edition, person(0, meals=[limited_lunch]), now=utcnow())
        db.commit()
    form = client.get(f"/{demo.slug}/register?lang=en").get_data(as_text=True)
    assert len(re.findall(rf'value="{limited_lunch}"', form)) == 1  # appears once
    label = re.search(rf'value="{limited_lunch}".*?</label>', form, re.S).group(0)
    assert "1 seat left" in label
    make_admin(app, db)
    dashboard = Organiser(client).login().page(f"/organiser/{demo.slug}/")
    row = re.search(r"Buffet lunch \(Wed 19 Jun\)</td><td[^>]*>(.*?)</td>", dashboard)
    assert row.group(1).strip() == "1 / 2"
