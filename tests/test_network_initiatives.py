"""The call for initiatives: submission (form and API), the private edit link, moderation
and its e-mails (a real SMTP server), a hostile title inert wherever it is shown. What the
accepted ones make (the wall, its screen mode, the guide) is in test_network_wall.py; the
call's dates, set in the back office, in test_network_call_settings.py."""

from __future__ import annotations

import base64
import io
import random
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image

from school.database import utcnow
from school.models import AuditEntry, Edition, Initiative
from school.services.backoffice import organisers
from school.services.errors import DomainError
from school.services.mail import outbox
from school.services.network import guide, initiatives, moderation
from school.services.network.initiatives import InitiativeData
from tests.support.backoffice import Organiser, csrf_token, make_admin
from tests.support.openapi import response_matches
from tests.support.pdf_tools import pdf_text
from tests.support.servers import Inbox

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & {{7*7}}'


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def call(app, db, demo):
    """The demo edition with its call for initiatives open."""
    with app.app_context():
        edition = db.get(Edition, demo.id)
        moderation.set_call(db, edition, utcnow() - timedelta(days=1), None, actor="test")
        db.commit()
    return demo


@pytest.fixture
def staff(app, db, call):
    with app.app_context():
        admin = organisers.create_organiser(db, "coord@example.org", "admin", "coord password 1")
        token = organisers.create_api_token(db, admin, "moderation")
        db.commit()
    return {"Authorization": f"Bearer {token}"}


def png(size=(64, 48), colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def body(**overrides):
    data = {
        "title": {"fr": "Hobo : les métiers en réalité virtuelle", "en": None},
        "summary": {"fr": "Un programme de réalité virtuelle pour découvrir des métiers."},
        "cite": "charleroi",
        "country": "BE",
        "kind": "innovation",
        "themes": ["digital", "youth"],
        "contact_name": "Fiona Finelli",
        "contact_email": "fiona@example.org",
        "language": "fr",
        "consent_publish": True,
    }
    data.update(overrides)
    return data


def submit(client, demo, json):
    return client.post(f"/api/v1/editions/{demo.slug}/initiatives", json=json)


def count(db) -> int:
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).select_from(Initiative))


def wall(client, demo, **params) -> str:
    return client.get(f"/{demo.slug}/initiatives", query_string=params).get_data(as_text=True)


def test_nothing_is_taken_while_the_call_is_closed(client, demo, db):
    response = submit(client, demo, body())
    assert response.status_code == 403
    assert response.get_json()["code"] == "call_closed"
    assert client.get(f"/{demo.slug}/initiatives/submit").status_code == 403
    assert count(db) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": {"fr": "", "en": ""}}, "title"),
        ({"title": "Hobo"}, "title"),
        ({"summary": {"fr": " ", "en": None}}, "summary"),
        ({"cite": "atlantis"}, "cite"),
        ({"cite": None}, "cite"),  # neither a Cité nor another organisation
        ({"country": "XX"}, "country"),
        ({"kind": "poem"}, "kind"),
        ({"themes": []}, "themes"),
        ({"themes": ["digital", "astrology"]}, "themes"),
        ({"contact_email": "fiona@"}, "contact_email"),
        ({"contact_name": ""}, "contact_name"),
        ({"consent_publish": False}, "consent_publish"),
        ({"consent_publish": "yes"}, "consent_publish"),
        ({"language": "de"}, "language"),
        ({"picture": base64.b64encode(b"<svg onload=alert(1)>").decode()}, "picture"),
        ({"picture": "not base64 at all!"}, "picture"),
        ({"title": {"fr": "a" * 201}}, "title_fr"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(
    client, call, db, openapi, changes, field
):
    response = submit(client, call, body(**changes))
    assert response.status_code == 422, response.get_json()
    response_matches(
        openapi, "/api/v1/editions/{slug}/initiatives", "post", 422, response.get_json()
    )
    assert field in response.get_json()["errors"]
    assert count(db) == 0


def test_submission_gives_a_private_link_by_email_and_nothing_is_public(
    smtp, client, call, db, openapi
):
    picture = base64.b64encode(png()).decode()
    response = submit(client, call, body(picture=picture))
    assert response.status_code == 201
    data = response.get_json()
    response_matches(openapi, "/api/v1/editions/{slug}/initiatives", "post", 201, data)
    edit = urlsplit(data["edit_url"]).path
    page = client.get(edit)
    assert page.status_code == 200 and "Hobo" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(edit + "/picture").headers["Content-Type"] == "image/png"
    mail = smtp.inbox.wait_for(1)[0]
    assert mail["To"] == "fiona@example.org"
    assert mail["Subject"].startswith("Initiative reçue")
    assert data["edit_url"] in Inbox.text(mail)
    # Nothing public before it is accepted: not on the wall, the API, the screen, the picture.
    assert "Hobo" not in wall(client, call)
    assert "Hobo" not in client.get(f"/{call.slug}/initiatives/screen").get_data(as_text=True)
    assert client.get(f"/api/v1/editions/{call.slug}/initiatives").get_json() == []
    assert client.get(f"/{call.slug}/initiatives/{data['id']}/picture").status_code == 404
    assert client.get(f"/{call.slug}/initiatives/edit/{'x' * 43}").status_code == 404


def test_the_form_on_a_phone_takes_a_picture_and_refuses_a_fake_one(client, call, db):
    url = f"/{call.slug}/initiatives/submit?lang=en"
    page = client.get(url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    fields = {
        "csrf_token": csrf_token(page),
        "title_en": "Digital mediation à la carte",
        "summary_en": "Workshops on basic skills, e-administration and e-reputation.",
        "cite": "saint-quentin-en-yvelines",
        "country": "FR",
        "kind": "practice",
        "themes": ["digital", "inclusion"],
        "contact_name": "Ludovic Collin",
        "contact_email": "ludovic@example.org",
        "language": "en",
        "consent_publish": "y",
    }
    fake = client.post(url, data={**fields, "picture": (io.BytesIO(b"GIF89a<?php"), "x.png")})
    assert fake.status_code == 200
    assert "Please send a JPEG, PNG or WebP image." in fake.get_data(as_text=True)
    assert count(db) == 0
    jpeg = io.BytesIO()
    Image.new("RGB", (3000, 2000), (10, 90, 160)).save(jpeg, "JPEG")
    good = client.post(url, data={**fields, "picture": (io.BytesIO(jpeg.getvalue()), "a.jpg")})
    assert good.status_code == 302
    db.rollback()
    stored = db.scalar(sa.select(Initiative))
    assert stored.title_en == "Digital mediation à la carte" and stored.title_fr is None
    assert stored.picture_type == "image/jpeg"
    assert max(Image.open(io.BytesIO(stored.picture)).size) == 1600  # re-encoded, smaller


def test_a_phones_photo_is_taken_and_a_bigger_one_is_refused_beside_its_field(client, call, db):
    """A 1.1 MB picture was refused with a bare 413 that threw the whole form away: the
    limit the route raised came after the form had been read."""
    url = f"/{call.slug}/initiatives/submit?lang=fr"
    fields = {
        "csrf_token": csrf_token(client.get(url).get_data(as_text=True)),
        "title_en": "Guichet numérique",
        "summary_en": "Un accompagnement aux démarches en ligne.",
        "cite": "saint-quentin-en-yvelines",
        "country": "FR",
        "kind": "practice",
        "themes": ["digital"],
        "contact_name": "Zoë Ñúñez-Łukasiewicz",
        "contact_email": "zoe@example.org",
        "language": "fr",
        "consent_publish": "y",
    }
    too_big = b"\xff\xd8\xff" + bytes(8_100_000)
    refused = client.post(url, data={**fields, "picture": (io.BytesIO(too_big), "big.jpg")})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Cette photo est trop lourde (8 Mo au plus)." in page
    assert "Zoë Ñúñez-Łukasiewicz" in page  # what was typed is kept
    assert count(db) == 0
    photo = io.BytesIO()  # a phone's photo: noise does not compress
    noise = random.Random(7).randbytes(2000 * 1500 * 3)
    Image.frombytes("RGB", (2000, 1500), noise).save(photo, "JPEG", quality=95)
    assert 2_000_000 < len(photo.getvalue()) < 8_000_000
    taken = client.post(url, data={**fields, "picture": (io.BytesIO(photo.getvalue()), "p.jpg")})
    assert taken.status_code == 302
    assert count(db) == 1


def test_each_decision_is_emailed_in_the_submitters_language_and_logged(
    smtp, client, call, db, staff, openapi
):
    english = submit(client, call, body(language="en", contact_email="en@example.org")).get_json()
    french = submit(client, call, body(contact_email="fr@example.org")).get_json()
    smtp.inbox.wait_for(2)
    decide = f"/api/v1/editions/{call.slug}/initiatives/{{}}/decision"
    path = "/api/v1/editions/{slug}/initiatives/{initiative_id}/decision"
    # Staff only.
    assert (
        client.post(decide.format(english["id"]), json={"decision": "accepted"}).status_code == 401
    )
    # Changes asked for need a message; a wrong decision is named.
    wrong = client.post(decide.format(french["id"]), json={"decision": "maybe"}, headers=staff)
    assert wrong.status_code == 422 and "decision" in wrong.get_json()["errors"]
    bare = client.post(
        decide.format(french["id"]), json={"decision": "changes_requested"}, headers=staff
    )
    assert bare.status_code == 422 and "message" in bare.get_json()["errors"]
    asked = client.post(
        decide.format(french["id"]),
        json={"decision": "changes_requested", "message": "Ajoutez les chiffres de 2019."},
        headers=staff,
    )
    assert asked.status_code == 200
    response_matches(openapi, path, "post", 200, asked.get_json())
    mail = smtp.inbox.wait_for(3)[-1]
    assert mail["To"] == "fr@example.org"
    assert "Modifications demandées" in mail["Subject"]
    assert "Ajoutez les chiffres de 2019." in Inbox.text(mail)
    assert french["edit_url"] in Inbox.text(mail)
    # The submitter changes it through the private link: back with the organisers.
    with client.application.app_context():
        initiative = db.get(Initiative, french["id"])
        data = initiatives.data_of(initiative)
        data.summary_fr += " 185 personnes accompagnées en 2019."
        initiatives.update_by_submitter(db, initiative, data, now=utcnow())
        db.commit()
        assert initiative.decision == "submitted"
    accepted = client.post(
        decide.format(english["id"]),
        json={"decision": "accepted", "message": "Welcome to the wall!"},
        headers=staff,
    )
    assert accepted.status_code == 200
    mail = smtp.inbox.wait_for(4)[-1]
    assert mail["To"] == "en@example.org"
    assert mail["Subject"].startswith("Your initiative") and "Accepted" in mail["Subject"]
    assert "Welcome to the wall!" in Inbox.text(mail)
    declined = client.post(
        decide.format(french["id"]), json={"decision": "declined"}, headers=staff
    )
    assert declined.status_code == 200
    mail = smtp.inbox.wait_for(5)[-1]
    assert "n'a pas été retenue" in Inbox.text(mail)
    db.rollback()
    logged = db.execute(
        sa.select(AuditEntry.target, AuditEntry.details)
        .where(AuditEntry.action == "initiative.decide")
        .order_by(AuditEntry.id)
    ).all()
    assert [(t, d["decision"]) for t, d in logged] == [
        (f"initiative:{french['id']}", "changes_requested"),
        (f"initiative:{english['id']}", "accepted"),
        (f"initiative:{french['id']}", "declined"),
    ]
    # Only the accepted one is public; a decided one can no longer be changed by its link.
    listed = client.get(f"/api/v1/editions/{call.slug}/initiatives")
    response_matches(openapi, "/api/v1/editions/{slug}/initiatives", "get", 200, listed.get_json())
    assert [i["id"] for i in listed.get_json()] == [english["id"]]
    page = client.get(urlsplit(english["edit_url"]).path).get_data(as_text=True)
    assert "can no longer be changed" in page or "ne peut plus être modifiée" in page


def test_a_hostile_title_is_inert_on_the_wall_the_screen_the_mail_and_the_guide(
    smtp, client, call, db, staff
):
    created = submit(
        client, call, body(title={"fr": HOSTILE, "en": HOSTILE}, contact_name=HOSTILE)
    ).get_json()
    smtp.inbox.wait_for(1)
    client.post(
        f"/api/v1/editions/{call.slug}/initiatives/{created['id']}/decision",
        json={"decision": "accepted", "message": HOSTILE},
        headers=staff,
    )
    for page in (wall(client, call), wall(client, call, screen=1)):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
        assert "{{7*7}}" in page and ">49<" not in page
    mails = smtp.inbox.wait_for(2)
    decision = mails[-1]
    html = decision.get_body(("html",)).get_content()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert HOSTILE in Inbox.text(decision)  # plain text is shown as typed
    with client.application.app_context():
        edition = db.get(Edition, call.id)
        text = pdf_text(guide.render(db, edition, "fr", now=utcnow()))
    assert '<script>alert("x")</script>' in text.replace("\n", "")


def test_the_back_office_moderates_translates_and_downloads_the_guide(smtp, app, client, db, call):
    created = submit(client, call, body()).get_json()
    smtp.inbox.wait_for(1)
    outbox.wait_idle()  # the sender has written down what it sent: the test writes next
    make_admin(app, db)
    organiser = Organiser(client).login()
    listing = organiser.page(f"/organiser/{call.slug}/initiatives")
    assert "Hobo" in listing and "FR only" in listing
    url = f"/organiser/{call.slug}/initiatives/{created['id']}"
    page = organiser.page(url)
    fields = {
        "title_fr": "Hobo : les métiers en réalité virtuelle",
        "title_en": "Hobo: trades in virtual reality",
        "summary_fr": "Un programme de réalité virtuelle pour découvrir des métiers.",
        "summary_en": "A virtual-reality programme to discover trades.",
        "cite": "charleroi", "country": "BE", "kind": "innovation",
        "themes": ["digital", "youth"], "contact_name": "Fiona Finelli",
        "contact_email": "fiona@example.org", "language": "fr", "consent_publish": "y",
    }  # fmt: skip
    saved = client.post(url, data={"csrf_token": csrf_token(page), **fields})
    assert saved.status_code == 302
    decided = organiser.submit(
        f"{url}/decision", {"d-decision": "accepted", "d-message": "Bravo !"}, page=url,
        prefix="d-",
    )  # fmt: skip
    assert decided.status_code == 302
    mail = smtp.inbox.wait_for(2)[-1]
    assert "Bonne nouvelle" in Inbox.text(mail) and "Bravo !" in Inbox.text(mail)
    assert "Hobo: trades in virtual reality" in wall(client, call, lang="en")
    response = organiser.get(f"/organiser/{call.slug}/initiatives/guide.pdf", lang="en")
    assert response.headers["Content-Type"] == "application/pdf"
    assert "Hobo: trades in virtual reality" in pdf_text(response.data)


def test_service_refuses_submitter_changes_once_decided(app, db, call):
    with app.app_context():
        edition = db.get(Edition, call.id)
        data = InitiativeData(
            title_fr="Гимназия № 1 — 职业城市 — مدينة المهن", summary_fr="Résumé.",
            organisation="Partenaire invité", country="MA", kind="partnership",
            themes=["territories"], contact_name="Ёлка Łukasiewicz",
            contact_email="elka@example.org", consent_publish=True,
        )  # fmt: skip
        initiative = initiatives.submit(db, edition, data, now=utcnow())
        moderation.decide(db, initiative, "accepted", None, actor="test", now=utcnow())
        with pytest.raises(DomainError) as refused:
            initiatives.update_by_submitter(db, initiative, data, now=utcnow())
        assert refused.value.code == "decided"
        db.commit()
        assert initiative.cite is None and initiative.organisation == "Partenaire invité"
        text = pdf_text(guide.render(db, edition, "en", now=utcnow()))
    assert "Гимназия № 1" in text and "Partenaire invité" in text


@pytest.fixture
def limited_app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    return app_config


def test_submissions_from_one_address_are_rate_limited(limited_app_config, client, call, db):
    statuses = [submit(client, call, body(consent_publish=False)).status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    assert count(db) == 0
