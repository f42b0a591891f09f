"""A subject or a sender's name in any script arrives word for word, however long: the
header is folded into RFC 2047 encoded words that no reader glues together (Python's own
folding left the space between two of them, and clients dropped it: "étéconfirmée")."""

from __future__ import annotations

import random
import re
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.utils import formataddr

import pytest

from school.models import Edition, OutboxMessage
from school.services.mail import outbox
from tests.support.backoffice import Organiser, make_admin, send_mailing
from tests.support.factories import make_registration

WORDS = {
    "fr": "Annulation de votre inscription à l'École d'automne des Cités des métiers été"
    " élève réseau Genève Bruxelles café",
    "ru": "Отмена вашей регистрации на Весеннюю школу Городов профессий в Париже",
    "zh": "您在 春季学校 的注册 已取消 请查看 您的个人空间 职业城市 国际网络",
    "ar": "تم إلغاء تسجيلك في المدرسة الربيعية لمدن المهن في باريس",
    "en": "Registration cancelled for the Spring School 2019 — network of (Paris) St. a,b",
}
ENCODED_WORD = re.compile(r"=\?[^?]+\?[bqBQ]\?[^?]*\?=")


def texts(seed: int, count: int, longest: int) -> list[str]:
    """Texts of 1 to ``longest`` words, each script alone and all mixed."""
    rnd = random.Random(seed)
    every = [word for words in WORDS.values() for word in words.split()]
    pools = [words.split() for words in WORDS.values()] + [every]
    return [
        " ".join(rnd.choice(pool) for _ in range(rnd.randint(1, longest)))
        for pool in pools
        for _ in range(count)
    ]


def sent(subject: str, sender_name: str) -> bytes:
    message = OutboxMessage(
        to_address="eve@example.org",
        subject=subject,
        text_body="Bonjour\n",
        sender_name=sender_name,
        reply_to="contact@example.org",
    )
    return bytes(outbox.as_email(message, "no-reply@example.org", "example.org"))


def read_by_rfc_2047(raw: bytes, name: str) -> str:
    """What a mail client shows: the header unfolded (RFC 5322), then adjacent encoded
    words joined (RFC 2047, section 6.2)."""
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", message_from_bytes(raw)[name]).lstrip()
    return str(make_header(decode_header(unfolded)))


def test_every_subject_and_name_reads_back_as_written_within_line_limits():
    subjects = texts(seed=1, count=120, longest=40)
    names = texts(seed=2, count=120, longest=9)
    for subject, name in zip(subjects, names, strict=True):
        raw = sent(subject, name)
        received = message_from_bytes(raw, policy=policy.default)
        assert received["Subject"] == subject
        assert read_by_rfc_2047(raw, "Subject") == subject
        sender = "no-reply@example.org"
        # A name in ASCII with specials is quoted; one with encoded words is read as is.
        shown = formataddr((name, sender)) if name.isascii() else f"{name} <{sender}>"
        assert read_by_rfc_2047(raw, "From") == shown
        head = raw.split(b"\n\n")[0].decode("ascii")
        assert all(len(line) <= 82 for line in head.splitlines()), head  # RFC 5322: 998
        assert all(len(word) <= 75 for word in ENCODED_WORD.findall(head)), head


@pytest.mark.parametrize(
    "title",
    [
        "École d'automne 2024",
        "Autumn School des Cités des métiers – Bruxelles, 4–6 décembre 2024",
        "Spring School 2019 — Réseau international des Cités des métiers",
        "Весенняя школа 2019",
    ],
)
def test_python_reads_an_editions_name_as_clients_do(title):
    """Python's parser puts a space where two encoded words of a name meet (clients do
    not): a name's run of words to encode is kept in one encoded word where it fits."""
    received = message_from_bytes(sent("x", title), policy=policy.default)
    assert received["From"].addresses[0].display_name == title


def test_a_mailing_arrives_with_its_subject_word_for_word(smtp, app, client, demo, db):
    """Through the real SMTP path: a French subject that Python's own folding glued
    ("déjeuner àla Cité"), the sender's name beside it."""
    subject = "Dernières nouvelles : programme mis à jour, déjeuner à la Cité des sciences"
    subject += " et visite élargie"
    make_registration(db, demo, email="eve@example.org", language="fr")
    make_admin(app, db)
    db.commit()
    organiser = Organiser(client).login()
    response = send_mailing(
        organiser,
        f"/organiser/{demo.slug}/mailings",
        {
            "audience": "all", "category": "", "session_id": "",
            "subject_fr": subject, "body_fr": "Bonjour", "subject_en": "News", "body_en": "Hi",
        },
    )  # fmt: skip
    assert response.status_code == 302
    outbox.wait_idle()
    (message,) = smtp.inbox.wait_for(1)
    raw = dict(message.raw_items())
    assert "\n" in raw["Subject"]  # folded: long enough to have been glued
    assert message["Subject"] == subject
    assert str(make_header(decode_header(raw["Subject"]))) == subject
    title = db.get(Edition, demo.id).title_fr
    assert str(make_header(decode_header(raw["From"]))).startswith(title)
