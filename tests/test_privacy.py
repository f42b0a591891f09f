"""Personal data: a participant downloads what we keep; a past edition is anonymised
with its figures intact."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa

from school.models import AuditEntry, CheckIn, Edition, OutboxMessage, Person, Registration
from school.services import audit
from school.services.backoffice import stats
from tests.support.backoffice import fresh
from tests.support.outbox import written
from tests.support.visitor import Visitor, answers, session_id


def register(client, demo, db, **fields) -> str:
    visitor = Visitor(client)
    explora = session_id(db, "d1-visit-explora")
    response = visitor.submit(f"/{demo.slug}/register", answers(sessions=[explora], **fields))
    return response.headers["Location"]


def test_a_participant_downloads_everything_we_keep(app, client, demo, db):
    manage = register(client, demo, db, dietary="Sans gluten")
    assert written(app, db) == 1  # the confirmation, as the sender writes it
    page = Visitor(client).get(manage).get_data(as_text=True)
    assert f'href="{manage}/data.json"' in page
    registration = fresh(db).scalar(sa.select(Registration))
    db.add(CheckIn(edition_id=demo.id, registration_id=registration.id, day=demo.dates[0],
                   scanned_at=datetime(2019, 6, 19, 7, tzinfo=UTC), client_id="c1",
                   verdict="ok", checkpoint="entrance:2019-06-19"))  # fmt: skip
    db.commit()
    response = client.get(f"{manage}/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    data = json.loads(response.data)
    assert data["registration"]["email"] == "majda@example.org"
    assert data["registration"]["dietary"] == "Sans gluten"
    assert data["days"] == ["2019-06-19", "2019-06-20", "2019-06-21"]
    assert [c["session"]["title_en"] for c in data["choices"]] == [
        "Tour of the permanent exhibitions (Explora)"
    ]
    assert data["checkins"][0]["checkpoint"] == "entrance"
    assert data["checkins"][0]["scanned_at"].startswith("2019-06-19T09:00:00+02:00")
    assert [m["purpose"] for m in data["emails"]] == ["confirmation"]
    assert manage.rsplit("/", 1)[1] in data["emails"][0]["text"]
    assert client.get("/my/not-a-token/data.json").status_code == 404


def test_purge_anonymises_a_past_edition_and_keeps_its_figures(client, demo, db, runner):
    manage = register(client, demo, db, dietary="Végétarien", organisation="Secret Org")
    register(client, demo, db, email="eve@example.org", first_name="Ève", country="BE")
    db = fresh(db)
    details = {"email": "majda@example.org", "moved": [{"email": "majda@example.org"}]}
    audit.record(db, "organiser:1", "registration.link_sent", None, details, edition=demo.id)
    person = db.scalar(sa.select(Person).limit(1))
    person.email = "speaker@example.org"
    # The speaker had corrected their address on their page: both are in the log.
    changed = {"email": ["old-speaker@example.org", "speaker@example.org"], "bio_fr": [None, "Bio"]}
    audit.record(db, f"speaker:{person.id}", "speaker.updated", None, changed, edition=demo.id)
    db.commit()
    # A message linked to no registration: the speaker's invitation.
    assert runner.invoke(args=["speakers", "invite", demo.slug]).exit_code == 0
    edition = db.get(Edition, demo.id)
    before = (
        stats.totals(db, edition),
        stats.by_country(db, edition),
        stats.by_category(db, edition),
        [(f.session.key, f.confirmed) for f in stats.session_fill(db, edition)],
    )

    result = runner.invoke(args=["privacy", "purge", demo.slug])
    assert result.exit_code == 0, result.output
    assert "2 registration(s) anonymised" in result.output

    db = fresh(db)
    people = db.scalars(sa.select(Registration).order_by(Registration.id)).all()
    for registration in people:
        assert registration.email == f"anonymised-{registration.id}@invalid"
        assert registration.first_name == "Anonymised" and "Jelen" not in registration.last_name
        assert registration.organisation is None and registration.dietary is None
    assert {r.country for r in people} == {"HR", "BE"}
    messages = db.scalars(sa.select(OutboxMessage)).all()
    assert "speaker_invite" in {m.purpose for m in messages}
    assert messages and all(m.text_body == "" and "@invalid" in m.to_address for m in messages)
    assert all("majda" not in (m.html_body or "") for m in messages)
    assert db.scalar(sa.select(Person.email).where(Person.id == person.id)) is None
    edition = db.get(Edition, demo.id)
    after = (
        stats.totals(db, edition),
        stats.by_country(db, edition),
        stats.by_category(db, edition),
        [(f.session.key, f.confirmed) for f in stats.session_fill(db, edition)],
    )
    assert after == before
    # The private link no longer opens anything.
    assert client.get(manage).status_code == 404
    logged = str(
        db.scalars(sa.select(AuditEntry.details).where(AuditEntry.details.is_not(None))).all()
    )
    assert "majda@example.org" not in logged and "speaker@example.org" not in logged
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speaker.updated"))
    assert entry.details == {"email": ["anonymised@invalid"] * 2, "bio_fr": [None, "Bio"]}
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "privacy.purged"))
    assert entry.actor == "cli" and entry.details["registrations"] == 2
    # Again: nothing more to do.
    result = runner.invoke(args=["privacy", "purge", demo.slug])
    assert "0 registration(s) anonymised" in result.output


def test_purge_refuses_an_edition_that_has_not_ended(client, demo, db, runner):
    register(client, demo, db)
    db = fresh(db)
    edition = db.get(Edition, demo.id)
    # Today where the School is: near midnight UTC, Paris may already be on the next day.
    edition.ends_on = datetime.now(edition.tz).date()
    db.commit()
    result = runner.invoke(args=["privacy", "purge", demo.slug])
    assert result.exit_code == 1
    # The command speaks the default language of the site, French.
    assert re.search(r"se termine le \d{4}-\d\d-\d\d : ses données servent encore", result.output)
    assert fresh(db).scalar(sa.select(Registration.email)) == "majda@example.org"
    result = runner.invoke(args=["privacy", "purge", demo.slug, "--force"])
    assert result.exit_code == 0
    assert fresh(db).scalar(sa.select(Registration.email)).endswith("@invalid")
    result = runner.invoke(args=["privacy", "purge", "no-such-school"])
    assert result.exit_code == 1
