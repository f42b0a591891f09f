"""Badge tokens: what the QR code holds, and what the check-in can tell from it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from school.models.vocabulary import RegistrationStatus
from school.services.badges import printing, qr, tokens
from school.services.badges.tokens import BadgeStatus, KeyRing
from school.services.errors import DomainError
from tests.support.factories import make_edition, make_registration

QR_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]+")
RING = KeyRing.from_config({"SECRET_KEY": "test-secret-key"})


@pytest.fixture
def person(demo, db):
    registration = make_registration(
        db, demo, first_name="Majda", last_name="Jelenčić", email="majda@example.org"
    )
    db.commit()
    return registration


def test_token_is_short_alphanumeric_and_reveals_nothing(person):
    token = tokens.token_for(person, RING)
    assert QR_ALPHANUMERIC.fullmatch(token)
    key_id, edition, registration, mac = token.split(":")
    assert key_id == "K1"
    assert int(edition, 36) == person.edition_id and int(registration, 36) == person.id
    assert len(mac) == 24  # 120 bits
    for private in ("Majda", "Jelen", "majda", "example", person.manage_token[:8]):
        assert private not in token
    assert token != person.manage_token
    assert qr.qr_code(token).version <= 2


def test_qr_stays_small_even_for_the_largest_ids():
    """A 4-character key id, edition 36⁶-1, registration 36⁸-1: still version 3 at level M."""
    ring = KeyRing.from_config({"SECRET_KEY": "s", "BADGE_KEY_ID": "ZZZZ"})

    class Huge:
        edition_id = 36**6 - 1
        id = 36**8 - 1

    token = tokens.token_for(Huge(), ring)
    assert len(token) == 45
    assert qr.qr_code(token).version <= 4
    assert tokens.read_token(token, ring).registration_id == 36**8 - 1


def test_a_genuine_badge_verifies_and_names_its_registration(db, demo, person):
    check = tokens.verify(db, tokens.token_for(person, RING), demo, keyring=RING)
    assert check.status == BadgeStatus.VALID and check.is_valid
    assert check.registration.id == person.id
    assert tokens.verify(db, tokens.token_for(person, RING), demo.id, keyring=RING).is_valid


def test_any_single_character_changed_is_invalid(db, demo, person):
    token = tokens.token_for(person, RING)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ:"
    for position, original in enumerate(token):
        for replacement in {alphabet[(alphabet.index(original) + 1) % 37], "7", "A", ":"}:
            if replacement == original:
                continue
            altered = token[:position] + replacement + token[position + 1 :]
            check = tokens.verify(db, altered, demo, keyring=RING)
            assert check.status == BadgeStatus.INVALID, altered
            assert check.registration is None


@pytest.mark.parametrize(
    "token",
    ["", "   ", "K1", "K1:1:1:", "not a badge", "k1:1:1:" + "A" * 24, "K1:01:1:" + "A" * 24],
)
def test_malformed_tokens_are_invalid(db, demo, token):
    assert tokens.verify(db, token, demo, keyring=RING).status == BadgeStatus.INVALID


def test_the_real_token_in_lower_case_or_padded_oddly_is_invalid(db, demo, person):
    token = tokens.token_for(person, RING)
    assert tokens.verify(db, token.lower(), demo, keyring=RING).status == BadgeStatus.INVALID
    head, _, mac = token.rpartition(":")
    zero_padded = head.replace(":", ":0", 1) + ":" + mac
    assert tokens.verify(db, zero_padded, demo, keyring=RING).status == BadgeStatus.INVALID
    # Surrounding white space, as a scanner may add, is not an alteration.
    assert tokens.verify(db, f" {token}\n", demo, keyring=RING).is_valid


def test_a_token_signed_with_another_key_is_invalid(db, demo, person):
    other_secret = KeyRing.from_config({"SECRET_KEY": "someone else's secret"})
    forged = tokens.token_for(person, other_secret)
    assert forged != tokens.token_for(person, RING)
    assert tokens.verify(db, forged, demo, keyring=RING).status == BadgeStatus.INVALID


def test_a_token_from_another_edition_is_told_apart(db, demo):
    autumn = make_edition(db)
    elsewhere = make_registration(db, autumn, last_name="Łukasiewicz")
    db.commit()
    check = tokens.verify(db, tokens.token_for(elsewhere, RING), demo, keyring=RING)
    assert check.status == BadgeStatus.WRONG_EDITION
    assert check.registration.last_name == "Łukasiewicz"
    assert tokens.verify(db, tokens.token_for(elsewhere, RING), autumn, keyring=RING).is_valid


def test_cancelling_revokes_the_badge(db, demo, person):
    token = tokens.token_for(person, RING)
    person.status = RegistrationStatus.CANCELLED.value
    db.commit()
    check = tokens.verify(db, token, demo, keyring=RING)
    assert check.status == BadgeStatus.CANCELLED and check.registration.id == person.id


def test_a_deleted_registration_is_unknown(db, demo, person):
    token = tokens.token_for(person, RING)
    db.delete(person)
    db.commit()
    check = tokens.verify(db, token, demo, keyring=RING)
    assert check.status == BadgeStatus.UNKNOWN and check.registration is None


def test_rotating_the_key_keeps_old_badges_until_the_old_key_is_retired(db, demo, person):
    old = tokens.token_for(person, RING)
    rotated = KeyRing.from_config(
        {"SECRET_KEY": "test-secret-key", "BADGE_KEY_ID": "K2", "BADGE_KEYS": ["K1", "K2"]}
    )
    new = tokens.token_for(person, rotated)
    assert new.startswith("K2:") and new != old
    assert tokens.verify(db, old, demo, keyring=rotated).is_valid
    assert tokens.verify(db, new, demo, keyring=rotated).is_valid
    assert tokens.verify(db, new, demo, keyring=RING).status == BadgeStatus.INVALID

    retired = KeyRing.from_config(
        {"SECRET_KEY": "test-secret-key", "BADGE_KEY_ID": "K2", "BADGE_KEYS": ["K2"]}
    )
    assert tokens.verify(db, old, demo, keyring=retired).status == BadgeStatus.INVALID
    assert tokens.verify(db, new, demo, keyring=retired).is_valid


def test_a_key_may_have_a_secret_of_its_own(db, demo, person):
    own = KeyRing.from_config(
        {"SECRET_KEY": "test-secret-key", "BADGE_KEY_ID": "K3", "BADGE_KEYS": {"K3": "s3cret"}}
    )
    token = tokens.token_for(person, own)
    assert tokens.verify(db, token, demo, keyring=own).is_valid
    derived = KeyRing.from_config(
        {"SECRET_KEY": "test-secret-key", "BADGE_KEY_ID": "K3", "BADGE_KEYS": ["K3"]}
    )
    assert tokens.verify(db, token, demo, keyring=derived).status == BadgeStatus.INVALID


def test_key_ids_must_fit_the_qr_alphabet():
    with pytest.raises(ValueError, match="badge key id"):
        KeyRing.from_config({"SECRET_KEY": "s", "BADGE_KEY_ID": "k-1"})


def test_the_app_signs_with_its_configuration(app, db, demo, person):
    app.config.update(BADGE_KEY_ID="K7")
    with app.app_context():
        token = tokens.token_for(person)
        assert token.startswith("K7:")
        assert tokens.verify(db, token, demo).is_valid
    assert tokens.verify(db, token, demo, keyring=RING).status == BadgeStatus.INVALID


def test_badges_to_print_sorted_by_last_name_filtered(db, demo):
    day1, day2, _ = demo.dates
    for first, last, category, days in [
        ("Íñigo", "Ñúñez", "speaker", [day1]),
        ("Jan", "Łukasiewicz", "member", [day1, day2]),
        ("Ada", "lovelace", "member", [day2]),
        ("Majda", "Jelenčić", "partner", [day1]),
        ("Zoé", "Martin", "member", [day1]),
        ("Ana", "Martin", "member", [day1]),
    ]:
        make_registration(db, demo, first_name=first, last_name=last, category=category, days=days)
    make_registration(db, demo, last_name="Annulée", status="cancelled")
    make_registration(db, make_edition(db), last_name="Autre")
    db.commit()

    everyone = printing.registrations_to_print(db, demo)
    assert [r.last_name for r in everyone] == [
        "Jelenčić",
        "lovelace",
        "Łukasiewicz",
        "Martin",
        "Martin",
        "Ñúñez",
    ]
    assert [r.first_name for r in everyone[3:5]] == ["Ana", "Zoé"]
    members = printing.registrations_to_print(db, demo, categories=["member"])
    assert {r.category for r in members} == {"member"} and len(members) == 4
    first_day = printing.registrations_to_print(
        db, demo, categories=["member", "partner"], day=day1
    )
    assert [r.last_name for r in first_day] == ["Jelenčić", "Łukasiewicz", "Martin", "Martin"]


def test_badges_to_print_refuses_unknown_filters(db, demo):
    with pytest.raises(DomainError, match="There is no category “vip”"):
        printing.registrations_to_print(db, demo, categories=["vip"])
    with pytest.raises(DomainError, match="“2019-07-01” is not a day of this School"):
        printing.registrations_to_print(db, demo, day=date(2019, 7, 1))
    with pytest.raises(DomainError, match="There is no badge size “zz”") as refused:
        printing.pdf_for([], size="zz")
    assert refused.value.field == "size"


def test_badge_keys_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SCHOOL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("SCHOOL_BADGE_KEY_ID", "K2")
    monkeypatch.setenv("SCHOOL_BADGE_KEYS", '["K1", "K2"]')
    from school import create_app

    ring = KeyRing.from_config(create_app().config)
    assert ring.current == "K2" and set(ring.keys) == {"K1", "K2"}
