"""A label before its value ("Status: Draft") written as the reader's language writes it:
French puts a space before the colon ("Statut : Brouillon"), English does not. One rule
(``i18n.label_colon`` and the ``colon`` filter) for the back office, the participant's
pages and their e-mails."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import Edition, OutboxMessage, Session
from school.services import audit
from school.services.mail import writing
from school.services.registration import registrations
from school.services.registration.data import RegistrationData
from tests.support.backoffice import Organiser, make_admin
from tests.support.factories import make_registration


def seen(html: str) -> str:
    """The page's text as a reader sees it: tags gone, spaces as one."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["Key: d3-workcafe", "Filters: Status: confirmed; Category: Network member",
                "Sessions: {session}: Confirmed"]),
        ("fr", ["Clé : d3-workcafe", "Filtres : Statut : confirmed; Catégorie : Membre du réseau",
                "Sessions : {session} : Confirmée"]),
    ],
)  # fmt: skip
def test_the_audit_log_details_say_label_then_value_in_the_readers_typography(
    app, client, demo, db, lang, expected
):
    make_admin(app, db)
    organiser = Organiser(client, lang).login()
    welcome = db.scalar(
        sa.select(Session).where(Session.edition_id == demo.id, Session.key == "d1-welcome")
    )
    ada = make_registration(db, demo, email="ada@example.org")
    db.flush()
    details = [
        ("session.deleted", {"key": "d3-workcafe"}),
        ("export.downloaded", {"filters": {"status": "confirmed", "category": "member"}}),
        ("registration.reinstated", {"choices": {str(welcome.id): "confirmed"}}),
    ]
    for action, given in details:
        audit.record(db, "cli", action, f"registration:{ada.id}", given, edition=demo.id)
    db.commit()
    text = seen(organiser.page(f"/organiser/{demo.slug}/audit"))
    for words in expected:
        words = words.format(session=welcome.text("title", lang))
        assert words in text, words


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Dietary needs: No gluten"), ("fr", "Régime alimentaire : No gluten")],
)
def test_the_participants_page_says_their_needs_in_the_readers_typography(
    client, demo, db, lang, expected
):
    ada = make_registration(db, demo, email="ada@example.org", dietary="No gluten")
    db.commit()
    html = client.get(f"/my/{ada.manage_token}", query_string={"lang": lang}).get_data(True)
    assert expected in seen(html)


@pytest.mark.parametrize(("lang", "colon"), [("en", ": "), ("fr", "\u00a0: ")])
def test_the_confirmation_says_each_session_after_its_times_in_the_readers_typography(
    app, demo, db, lang, colon
):
    """In the plain-text e-mail too, where nothing is escaped (an "&" stays an "&")."""
    visit = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    visit.title_fr = visit.title_en = "Explora & co"
    db.commit()
    data = RegistrationData(
        first_name="Ada", last_name="Lovelace", email="ada@example.org",
        organisation="Cité des métiers", country="FR", category="member", language=lang,
        days=[date(2019, 6, 19)], privacy_consent=True, sessions=[visit.id],
    )  # fmt: skip
    with app.app_context(), force_locale(lang):
        registrations.register(db, db.get(Edition, demo.id), data, now=utcnow())
        db.commit()
        writing.write_waiting(db)
    message = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.purpose == "confirmation"))
    assert f"{colon}Explora & co" in message.text_body
    assert f"{colon}Explora &amp; co" in message.html_body
