"""Self-service at ``/my/<token>/edit`` through the real pages (CSRF on): a participant
changes their details, days and meals and finds them kept; an address another
registration of the edition already uses is refused and changes nothing; an invalid
submission shows the form again with what they typed and stores nothing."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from school.models import Choice, OutboxMessage, Registration
from tests.support.visitor import Visitor, answers, session_id

DAY1, DAY2, DAY3 = "2019-06-19", "2019-06-20", "2019-06-21"


def stored(db, email_key: str) -> Registration:
    db.rollback()
    db.expire_all()
    return db.scalar(sa.select(Registration).where(Registration.email_key == email_key))


def snapshot(registration: Registration) -> dict:
    return {
        "email": registration.email,
        "first_name": registration.first_name,
        "organisation": registration.organisation,
        "dietary": registration.dietary,
        "accessibility": registration.accessibility,
        "days": sorted(registration.attended_dates),
        "meals": sorted(m.session_id for m in registration.meals),
        "choices": sorted((c.session_id, c.status) for c in registration.choices),
        "updated_at": registration.updated_at,
    }


def checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]+)"[^>]*\bchecked', html))


def test_details_days_and_meals_changed_are_kept(client, demo, db):
    visitor = Visitor(client)
    lunch1, lunch2 = session_id(db, "d1-lunch"), session_id(db, "d2-lunch")
    cocktail, cafe = session_id(db, "d2-cocktail"), session_id(db, "d3-work-cafe")
    manage = visitor.submit(
        f"/{demo.slug}/register", answers(meals=[lunch1], organisation="HZZ")
    ).headers["Location"]

    response = visitor.submit(
        f"{manage}/edit",
        answers(
            organisation="Cité des métiers de Zagreb",
            dietary="Sans gluten",
            accessibility="Fauteuil roulant, place près de l'allée",
            days=[DAY2, DAY3],
            meals=[lunch2, cocktail],
            sessions=[cafe],
        ),
    )
    # A seat taken: back where the sessions are listed, with what changed.
    assert response.status_code == 302
    assert response.headers["Location"] == f"{manage}#my-sessions"

    html = visitor.get(manage).get_data(as_text=True)
    assert "Your changes are saved." in html and "You have a seat in “Work café" in html
    assert "Cité des métiers de Zagreb" in html and "Sans gluten" in html
    assert "Fauteuil roulant, place près de l&#39;allée" in html
    assert "Cocktail reception" in html and "Work café" in html
    assert "Wednesday 19 June" not in html  # day 1 is no longer attended

    registration = stored(db, "majda@example.org")
    assert registration.organisation == "Cité des métiers de Zagreb"
    assert registration.dietary == "Sans gluten"
    assert registration.accessibility == "Fauteuil roulant, place près de l'allée"
    assert sorted(registration.attended_dates) == [date(2019, 6, 20), date(2019, 6, 21)]
    assert sorted(m.session_id for m in registration.meals) == sorted([lunch2, cocktail])
    assert [c.session_id for c in registration.choices] == [cafe]

    # The form to change it again starts from what was saved.
    edit = visitor.get(f"{manage}/edit").get_data(as_text=True)
    assert checked(edit, "days") == {DAY2, DAY3}
    assert checked(edit, "meals") == {str(lunch2), str(cocktail)}
    assert 'value="Cité des métiers de Zagreb"' in edit and "Sans gluten" in edit


def test_an_address_already_registered_is_refused_and_nothing_changes(client, demo, db):
    visitor = Visitor(client, lang="fr")
    manage = visitor.submit(f"/{demo.slug}/register", answers()).headers["Location"]
    visitor.submit(f"/{demo.slug}/register", answers(email="eve@example.org", first_name="Ève"))
    before = snapshot(stored(db, "majda@example.org"))
    other_before = snapshot(stored(db, "eve@example.org"))
    mails_before = db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))

    # Another case and stray spaces are still the same address.
    response = visitor.submit(
        f"{manage}/edit", answers(email="  EVE@Example.org ", organisation="Autre", days=[DAY2])
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Une autre inscription utilise déjà cette adresse." in html
    email_input = re.search(r'<input[^>]*name="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email_input
    assert snapshot(stored(db, "majda@example.org")) == before
    assert snapshot(stored(db, "eve@example.org")) == other_before
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == mails_before

    # The same message in English, and their own address in another case is fine.
    assert "Another registration uses this address." in (
        Visitor(client)
        .submit(f"{manage}/edit", answers(email="eve@example.org"))
        .get_data(as_text=True)
    )
    response = Visitor(client).submit(f"{manage}/edit", answers(email="Majda@Example.org"))
    assert response.status_code == 302
    assert stored(db, "majda@example.org").email.startswith("Majda@")


def test_an_invalid_submission_keeps_the_answers_and_stores_nothing(client, demo, db):
    visitor = Visitor(client)
    explora, tour = session_id(db, "d1-visit-explora"), session_id(db, "d1-visit-spaces")
    lunch1, lunch2 = session_id(db, "d1-lunch"), session_id(db, "d2-lunch")
    manage = visitor.submit(
        f"/{demo.slug}/register", answers(sessions=[explora], meals=[lunch1])
    ).headers["Location"]
    before = snapshot(stored(db, "majda@example.org"))
    mails_before = db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))

    response = visitor.submit(
        f"{manage}/edit",
        answers(
            first_name="",
            email="not-an-address",
            organisation="Zavod",
            dietary="Vegan",
            accessibility="Hearing loop",
            days=[DAY1, DAY3],
            meals=[lunch1, lunch2],
            sessions=[tour],
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "does not look like an e-mail address" in html
    assert html.count('aria-invalid="true"') >= 2  # the first name and the e-mail
    assert 'value="not-an-address"' in html and 'value="Zavod"' in html
    assert re.search(r">\s*Vegan</textarea>", html)
    assert re.search(r">\s*Hearing loop</textarea>", html)
    assert checked(html, "days") == {DAY1, DAY3}
    assert checked(html, "meals") == {str(lunch1), str(lunch2)}
    assert checked(html, "sessions") == {str(tour)}

    assert snapshot(stored(db, "majda@example.org")) == before
    # The visit they wanted instead was not taken either.
    assert db.scalar(sa.select(sa.func.count()).where(Choice.session_id == tour)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == mails_before
