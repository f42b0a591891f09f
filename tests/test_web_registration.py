"""Registering through the real pages (CSRF on), managing, cancelling, the lost link."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from school.models import Choice, OutboxMessage, Registration, Session
from tests.support.outbox import written
from tests.support.visitor import Visitor, answers, session_id


def test_register_through_the_form_and_land_on_the_private_page(client, demo, db):
    visitor = Visitor(client)
    explora, cafe = session_id(db, "d1-visit-explora"), session_id(db, "d3-work-cafe")
    lunch = session_id(db, "d1-lunch")
    page = visitor.get(f"/{demo.slug}/register").get_data(as_text=True)
    assert f'value="{explora}"' in page and f'value="{cafe}"' in page
    assert "20 seats left" in page
    response = visitor.submit(
        f"/{demo.slug}/register", answers(sessions=[explora, cafe], meals=[lunch])
    )
    assert response.status_code == 302
    manage = response.headers["Location"]
    assert re.fullmatch(r"/my/[A-Za-z0-9_-]{40,}", manage)
    html = visitor.get(manage).get_data(as_text=True)
    assert "Majda Jelenčić" in html and "Confirmed" in html
    assert "Explora" in html and "Work café" in html and "Buffet lunch" in html
    db.rollback()
    registration = db.scalar(sa.select(Registration))
    assert registration.last_name == "Jelenčić" and registration.language == "en"
    assert sorted(c.session_id for c in registration.choices) == sorted([explora, cafe])


def test_a_form_without_its_csrf_token_registers_nothing(client, demo, db):
    response = client.post(f"/{demo.slug}/register?lang=en", data=answers())
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_answers_survive_a_validation_error(client, demo, db):
    visitor = Visitor(client, lang="fr")
    explora = session_id(db, "d1-visit-explora")
    response = visitor.submit(
        f"/{demo.slug}/register",
        answers(
            email="pas-une-adresse", first_name="Ève", sessions=[explora], dietary="Végétarienne"
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Cette adresse ne ressemble pas à une adresse e-mail." in html
    assert 'value="Ève"' in html and "Végétarienne" in html
    assert re.search(rf'name="sessions" value="{explora}" checked', html)
    assert 'value="pas-une-adresse"' in html and 'aria-invalid="true"' in html
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_names_are_shown_escaped_everywhere(app, client, demo, db):
    visitor = Visitor(client)
    response = visitor.submit(
        f"/{demo.slug}/register",
        answers(first_name="<script>alert(1)</script>", last_name='"><img src=x onerror=alert(2)>'),
    )
    html = visitor.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert written(app, db) == 1
    mail = db.scalar(sa.select(OutboxMessage))
    assert "<script>" not in mail.html_body and "&lt;script&gt;" in mail.html_body


def test_the_same_address_again_registers_nothing_and_reveals_nothing(client, demo, db):
    visitor = Visitor(client)
    visitor.submit(f"/{demo.slug}/register", answers())
    response = visitor.submit(
        f"/{demo.slug}/register", answers(email=" MAJDA@example.org", last_name="Other")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Check your inbox" in html
    assert "Jelenčić" not in html and "/my/" not in html
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert [m.purpose for m in db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))] == [
        "confirmation",
        "link",
    ]


def test_lost_link_answers_the_same_for_known_and_unknown_addresses(client, demo, db):
    visitor = Visitor(client)
    visitor.submit(f"/{demo.slug}/register", answers())
    known = visitor.submit(f"/{demo.slug}/register/lost-link", {"email": "majda@example.org"})
    unknown = visitor.submit(f"/{demo.slug}/register/lost-link", {"email": "nobody@example.org"})

    def main(response):
        html = response.get_data(as_text=True)
        return re.search(r"<main.*</main>", html, re.S).group(0).replace("nobody", "majda")

    assert known.status_code == unknown.status_code == 200
    assert main(known) == main(unknown)
    mails = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.purpose == "link")).all()
    assert [m.to_address for m in mails] == ["majda@example.org"]


@pytest.mark.parametrize(
    ("lang", "typed", "said"),
    [
        ("pt", "", "Indique o seu endereço de e-mail."),
        ("en", "not an email", "This does not look like an e-mail address."),
    ],
)
def test_lost_link_refuses_what_is_not_an_address_in_the_pages_language(
    client, demo, db, lang, typed, said
):
    visitor = Visitor(client, lang=lang)  # the language is remembered from the page read
    response = visitor.submit(f"/{demo.slug}/register/lost-link", {"email": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert said in html
    assert f'value="{typed}"' in html or not typed  # what was typed is kept
    assert 'name="email"' in html  # the form again, not "check your inbox"
    assert db.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize(
    ("lang", "nothing_else", "no_mail"),
    [
        ("it", "Non è stato registrato nient'altro", "Nessuna e-mail dopo qualche minuto?"),
        ("es", "No se ha registrado nada más", "¿Ningún correo tras unos minutos?"),
        ("pt", "Não foi registado mais nada", "Nenhum e-mail ao fim de alguns minutos?"),
    ],
)
def test_lost_link_answer_does_not_speak_of_a_registration_attempt(
    client, demo, db, lang, nothing_else, no_mail
):
    """Who asked for their link again tried to register nothing: "nothing else has been
    registered" belongs only to the answer given to an address that registers twice."""
    visitor = Visitor(client, lang=lang)
    visitor.submit(f"/{demo.slug}/register", answers())
    again = visitor.submit(f"/{demo.slug}/register", answers()).get_data(as_text=True)
    lost = visitor.submit(f"/{demo.slug}/register/lost-link", {"email": "majda@example.org"})
    lost = lost.get_data(as_text=True)
    assert nothing_else in again and no_mail in again
    assert nothing_else not in lost and no_mail in lost


def test_change_choices_then_cancel_from_the_private_page(client, demo, db):
    visitor = Visitor(client)
    explora, tour = session_id(db, "d1-visit-explora"), session_id(db, "d1-visit-spaces")
    manage = visitor.submit(f"/{demo.slug}/register", answers(sessions=[explora])).headers[
        "Location"
    ]
    edit = visitor.get(f"{manage}/edit").get_data(as_text=True)
    assert re.search(rf'name="sessions" value="{explora}" checked', edit)
    assert 'value="Jelenčić"' in edit
    response = visitor.submit(f"{manage}/edit", answers(sessions=[tour]))
    assert response.status_code == 302
    db.rollback()
    assert [c.session_id for c in db.scalar(sa.select(Registration)).choices] == [tour]
    # Two seats at the same time: refused, nothing changes.
    response = visitor.submit(f"{manage}/edit", answers(sessions=[tour, explora]))
    assert "take place at the same time" in response.get_data(as_text=True)
    db.rollback()
    assert [c.session_id for c in db.scalar(sa.select(Registration)).choices] == [tour]

    response = visitor.submit(f"{manage}/cancel", {})
    assert response.status_code == 302
    html = visitor.get(manage).get_data(as_text=True)
    assert "This registration is cancelled" in html
    # What was held is shown, and how to have it back.
    held = re.search(r'<section aria-labelledby="held-title">.*?</section>', html, re.S).group(0)
    assert "Tour of the venue" in held and "seat confirmed" in held
    assert "the organisers can take your registration back" in held
    db.rollback()
    assert db.scalar(sa.select(Registration)).status == "cancelled"
    assert db.scalar(sa.select(sa.func.count()).select_from(Choice)) == 0


def test_a_full_session_is_offered_as_a_waiting_list(client, demo, db):
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    explora.capacity = 1
    db.commit()
    visitor = Visitor(client)
    visitor.submit(f"/{demo.slug}/register", answers(sessions=[explora.id]))
    page = visitor.get(f"/{demo.slug}/register").get_data(as_text=True)
    assert "Full — join the waiting list" in page
    manage = visitor.submit(
        f"/{demo.slug}/register", answers(email="eve@example.org", sessions=[explora.id])
    ).headers["Location"]
    assert "Waiting list, place 1" in visitor.get(manage).get_data(as_text=True)


def test_unknown_private_link_is_a_404(client, app):
    assert client.get("/my/not-a-real-token").status_code == 404


def test_private_pages_are_never_cached(client, demo):
    visitor = Visitor(client)
    manage = visitor.submit(f"/{demo.slug}/register", answers()).headers["Location"]
    response = visitor.get(manage)
    assert response.headers["Cache-Control"] == "private, no-store"
    # The private link is never sent to another site (test_deploy: forms over HTTPS
    # need the Referer on this one).
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_form_reads_in_both_languages(client, demo, lang):
    html = Visitor(client, lang).get(f"/{demo.slug}/register").get_data(as_text=True)
    assert ("Vous venez en tant que" if lang == "fr" else "You come as") in html
    assert ("Croatie" if lang == "fr" else "Croatia") in html
