"""Each edition's privacy notice at /<slug>/privacy: a default text in French and in
English, the organisers' own text, linked from the consent box and every e-mail."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school.models import Edition, OutboxMessage
from tests.support.backoffice import Organiser, fresh, make_admin
from tests.support.outbox import written
from tests.support.visitor import Visitor, answers


@pytest.fixture
def organiser(app, client, db):
    make_admin(app, db)
    return Organiser(client).login()


def test_the_default_notice_says_who_why_how_long_and_how(client, demo):
    english = client.get(f"/{demo.slug}/privacy?lang=en").get_data(as_text=True)
    for words in ("Who holds your data", "What we keep, and why", "For how long",
                  "twelve months", "download it", "delete"):  # fmt: skip
        assert words in english
    french = client.get(f"/{demo.slug}/privacy?lang=fr").get_data(as_text=True)
    assert "Qui détient vos données" in french and "douze mois" in french
    assert client.get("/no-such-school/privacy").status_code == 404


def test_the_consent_box_and_every_e_mail_link_to_the_notice(app, client, demo, db):
    form = client.get(f"/{demo.slug}/register?lang=en").get_data(as_text=True)
    assert f'href="/{demo.slug}/privacy"' in form
    assert Visitor(client).submit(f"/{demo.slug}/register", answers()).status_code == 302
    assert written(app, fresh(db)) == 1
    message = fresh(db).scalar(sa.select(OutboxMessage))
    assert f"/{demo.slug}/privacy" in message.text_body
    assert f'/{demo.slug}/privacy"' in message.html_body


def test_the_organisers_write_their_own_notice(organiser, client, demo, db):
    page = organiser.page(f"/organiser/{demo.slug}/edit")
    assert f"/organiser/{demo.slug}/privacy" in page
    response = organiser.submit(
        f"/organiser/{demo.slug}/privacy",
        {
            "notice_fr": "# Vos données\n\nÉcrivez à **dpo@example.org**. <script>x()</script>",
            "notice_en": "",
        },
    )
    assert response.status_code == 302
    french = client.get(f"/{demo.slug}/privacy?lang=fr").get_data(as_text=True)
    assert "<h1>Vos données</h1>" in french and 'href="mailto:dpo@example.org"' in french
    assert "<script>x()" not in french and "&lt;script&gt;" in french
    # No English text of their own: the French one rather than a default that may differ.
    english = client.get(f"/{demo.slug}/privacy?lang=en").get_data(as_text=True)
    assert "Vos données" in english
    edition = fresh(db).get(Edition, demo.id)
    assert edition.privacy_notice_en is None


def test_the_member_code_is_shown_and_changed_in_the_back_office(organiser, demo, db):
    old = fresh(db).get(Edition, demo.id).member_code
    page = organiser.page(f"/organiser/{demo.slug}/edit")
    assert f"<code>{old}</code>" in page
    response = organiser.submit(
        f"/organiser/{demo.slug}/member-code", {"code": ""}, page=f"/organiser/{demo.slug}/edit"
    )
    assert response.status_code == 302
    new = fresh(db).get(Edition, demo.id).member_code
    assert new != old
    organiser.submit(
        f"/organiser/{demo.slug}/member-code",
        {"code": "cdm-membres-2019"},
        page=f"/organiser/{demo.slug}/edit",
    )
    assert fresh(db).get(Edition, demo.id).member_code == "CDM-MEMBRES-2019"
    refused = organiser.submit(
        f"/organiser/{demo.slug}/member-code", {"code": "1234"}, page=f"/organiser/{demo.slug}/edit"
    )
    assert refused.status_code == 302
    assert fresh(db).get(Edition, demo.id).member_code == "CDM-MEMBRES-2019"


def test_the_registration_page_says_whether_membership_is_proved(organiser, demo, db):
    from tests.support.factories import make_registration

    member = make_registration(
        db, fresh(db).get(Edition, demo.id), category="member", member_verified=False
    )
    db.commit()
    page = organiser.page(f"/organiser/{demo.slug}/registrations/{member.id}")
    assert "Membership not proved" in page and 'name="member_code"' not in page
    member.member_verified = True
    db.commit()
    page = organiser.page(f"/organiser/{demo.slug}/registrations/{member.id}")
    assert "Membership proved" in page
