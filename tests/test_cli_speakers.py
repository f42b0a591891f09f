"""``flask --app school speakers invite SLUG``: each speaker gets their private link by
e-mail, in their language, through a real SMTP server on localhost."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from school.models import Person


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def to(self, address):
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def inbox(app_config):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app_config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    # Links in e-mails sent from the command line use the site's public address.
    app_config["BASE_URL"] = "https://school.example"
    app_config["SERVER_NAME"] = None
    yield handler
    controller.stop()


def _speakers(db, **emails):
    for key, (email, language) in emails.items():
        person = db.scalar(sa.select(Person).where(Person.key == key))
        person.email, person.language = email, language
    db.commit()


def _body(message, subtype):
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_speakers_get_their_link_in_their_language(inbox, runner, demo, db):
    _speakers(
        db,
        **{
            "koulsoum-logerot": ("koulsoum@example.org", "fr"),
            "marja-pudas": ("marja@example.org", "en"),
        },
    )
    result = runner.invoke(args=["speakers", "invite", demo.slug])
    assert result.exit_code == 0, result.output
    assert "2 speaker(s) invited." in result.output
    assert "2 e-mail(s) sent" in result.output

    [french] = inbox.to("koulsoum@example.org")
    koulsoum = db.scalar(sa.select(Person).where(Person.key == "koulsoum-logerot"))
    assert french["Subject"].startswith("Vos interventions : Spring School 2019")
    text = _body(french, "plain")
    assert f"https://school.example/speaker/{koulsoum.speaker_token}" in text
    assert "jeudi 20 juin 2019, 15:30–16:30, Auditorium" in text
    assert "Intervenant·e (sous réserve)" in text
    assert f'href="https://school.example/speaker/{koulsoum.speaker_token}"' in _body(
        french, "html"
    )

    [english] = inbox.to("marja@example.org")
    assert english["Subject"].startswith("Your sessions at Spring School 2019")
    text = _body(english, "plain")
    assert "Thursday 20 June 2019, 14:30–15:30, Auditorium" in text
    assert 'Round table 1 "The individual and their occupation"' in text
    db.commit()  # a new transaction sees what the command committed
    db.expire_all()
    assert koulsoum.invited_at is not None


def test_speakers_without_an_address_are_reported_not_skipped(inbox, runner, demo, db):
    _speakers(db, **{"marja-pudas": ("marja@example.org", "en")})
    result = runner.invoke(args=["speakers", "invite", demo.slug])
    assert result.exit_code == 0
    assert "1 speaker(s) invited." in result.output
    assert "speaker(s) have no e-mail address:" in result.output
    assert "Koulsoum Logerot (koulsoum-logerot)" in result.output
    # People with no session are not speakers: not reported.
    count = db.scalar(sa.select(sa.func.count()).select_from(Person).where(Person.sessions.any()))
    assert f"{count - 1} speaker(s) have no e-mail address" in result.output


def test_a_second_run_writes_only_to_new_speakers_unless_asked(inbox, runner, demo, db):
    _speakers(db, **{"marja-pudas": ("marja@example.org", "en")})
    assert runner.invoke(args=["speakers", "invite", demo.slug]).exit_code == 0
    again = runner.invoke(args=["speakers", "invite", demo.slug])
    assert "0 speaker(s) invited." in again.output
    assert "1 already invited" in again.output
    assert len(inbox.to("marja@example.org")) == 1
    forced = runner.invoke(args=["speakers", "invite", demo.slug, "--again"])
    assert "1 speaker(s) invited." in forced.output
    assert len(inbox.to("marja@example.org")) == 2


def test_an_unknown_edition_is_an_error(runner, demo):
    result = runner.invoke(args=["speakers", "invite", "nope"])
    assert result.exit_code != 0
    assert "no edition" in result.output
