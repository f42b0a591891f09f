"""Rules that many places read, read alike: each is written once (issue 16), and these
tests hold the places that read it to the same answer where two copies once could have
disagreed.

The check-in's rules are in test_shared_rules_checkin.py, the sessions' in
test_shared_rules_sessions.py."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.labels import (
    ADMISSION_LABELS,
    AUDIENCE_LABELS,
    CATEGORY_LABELS,
    CHOICE_STATUS_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
)
from school.models import Base, OutboxMessage
from school.models.vocabulary import (
    Admission,
    Audience,
    Category,
    ChoiceStatus,
    RegistrationStatus,
    Role,
    SessionKind,
    Verdict,
)
from school.services.backoffice import organisers
from school.services.email_addresses import EMAIL_MAX, normalized_email
from school.services.errors import DomainError
from school.services.mail import mailing, outbox, transports
from school.services.programme import checks
from school.services.registration import access, data

# -- the outbox's due messages: mail.outbox.is_due (and is_given_up)

OUTBOX_CASES = {
    "due": {},
    "later": {"send_after": timedelta(hours=1)},
    "sent": {"sent_at": timedelta(0)},
    "given up": {"attempts": outbox.MAX_ATTEMPTS, "failed_at": timedelta(0), "failure": "gave_up"},
    "claimed": {"claimed_until": timedelta(minutes=1)},
    "claim ran out": {"claimed_until": -timedelta(minutes=1)},
}


def test_the_sender_sends_what_has_due_calls_due(smtp, db):
    """The background sender's "anything left?" and the sender's claim read one rule: a
    message is due unsent, its time come, not given up and nobody's claim running; one
    given up is what a mailing's progress counts as failed."""
    transport = transports.SmtpTransport(smtp.url)
    sent = []
    for name, shifts in OUTBOX_CASES.items():
        now = utcnow()
        values = {"send_after": now} | {
            key: now + value if isinstance(value, timedelta) else value
            for key, value in shifts.items()
        }
        db.execute(sa.delete(OutboxMessage))
        db.add(
            OutboxMessage(to_address="p@example.org", subject=name, text_body="Hello",
                          purpose="test", batch=name, created_at=now, **values)
        )  # fmt: skip
        db.commit()
        due = outbox.has_due(db, now)
        done = outbox.send_pending(db, transport, "s@x.org", now=now)
        assert (done.sent, done.failed) == ((1, 0) if due else (0, 0)), name
        if due:
            sent.append(name)
        progress = mailing.progress(db, [name])[name]
        assert progress.failed == (1 if name == "given up" else 0), name
    assert sent == ["due", "claim ran out"]
    assert [m["Subject"] for m in smtp.inbox.wait_for(2)] == sent


# -- an e-mail address: services.email_addresses.normalized_email

ADDRESSES = {
    "majda@example.org": True,
    "Majda.Jelencic@Example.ORG": True,
    "inigo.nunez@cité-des-métiers.example.org": True,
    "not-an-address": False,
    "jean@localhost": False,  # no domain a message could be sent to
    "jean..dupont@example.org": False,
    "jean@cdm.local": False,  # a special-use name
    "jean dupont@example.org": False,
    "a@example.org,b@example.org": False,
}


@pytest.mark.parametrize(("address", "valid"), ADDRESSES.items())
def test_participants_speakers_and_organisers_are_held_to_one_rule(app, db, address, valid):
    with app.test_request_context():
        participant = data.check_fields(data.RegistrationData(email=address), edition_dates=[])
        _, problems = checks.check_person(
            {"id": "p", "first_name": "Jan", "last_name": "Novak", "email": address}, set()
        )
        try:
            organisers.create_organiser(db, address, "checkin", None)
            organiser = True
        except DomainError as refused:
            assert refused.code == "email"
            organiser = False
    assert "email" not in participant if valid else "email" in participant
    assert [p.field for p in problems] == ([] if valid else ["email"])
    assert organiser is valid
    assert (normalized_email(address) is not None) is valid


def test_every_column_holding_an_address_takes_the_longest_one():
    columns = [
        column
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.name in ("email", "email_key", "contact_email", "to_address", "reply_to")
    ]
    assert len(columns) == 9  # initiatives.contact_email too
    assert {column.type.length for column in columns} == {EMAIL_MAX}


# -- the vocabulary: school/models/vocabulary.py, and the lengths of registration.data

SCANNER_LISTS = {
    "VERDICT": Verdict,
    "ADMISSION": Admission,
    "CATEGORY": Category,
    "REGISTRATION_STATUS": RegistrationStatus,
}


def _frozen_objects(source: str) -> dict[str, dict[str, str]]:
    """``export const NAME = Object.freeze({ KEY: "value", … });`` as Python dicts."""
    found = {}
    frozen = re.compile(r"export const (\w+) = Object\.freeze\((\{.*?\})\);", re.S)
    for name, body in frozen.findall(source):
        as_json = re.sub(r",\s*\}", "}", re.sub(r"(\w+):", r'"\1":', body))
        found[name] = json.loads(as_json)
    return found


def test_the_scanners_words_are_the_servers(app):
    source = (Path(app.static_folder) / "js" / "scanner" / "vocabulary.js").read_text()
    assert _frozen_objects(source) == {
        name: {member.name: member.value for member in vocabulary}
        for name, vocabulary in SCANNER_LISTS.items()
    }


def test_the_api_document_and_the_labels_list_the_vocabulary(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["CheckinResult"]["properties"]["verdict"]["enum"] == list(Verdict)
    session = schemas["Session"]["properties"]
    assert session["kind"]["enum"] == list(SessionKind)
    assert session["audience"]["enum"] == list(Audience)
    request = schemas["RegistrationRequest"]["properties"]
    # What the public may declare; the others are given (services.registration.access).
    assert request["category"]["enum"] == list(access.PUBLIC_CATEGORIES)
    assert set(access.PUBLIC_CATEGORIES) < set(Category)
    assert request["first_name"]["maxLength"] == data.NAME_MAX
    assert request["dietary"]["maxLength"] == data.NOTE_MAX
    assert request["language"]["enum"] == list(data.LANGUAGES)
    roster = schemas["Roster"]["properties"]["sessions"]["items"]["properties"]
    assert roster["admission"]["enum"] == list(Admission)
    for labels, vocabulary in (
        (KIND_LABELS, SessionKind),
        (ROLE_LABELS, Role),
        (AUDIENCE_LABELS, Audience),
        (CATEGORY_LABELS, Category),
        (CHOICE_STATUS_LABELS, ChoiceStatus),
        (ADMISSION_LABELS, Admission),
    ):
        assert set(labels) == set(vocabulary)
