"""A speaker of the demo edition and their private page, as the speakers' corner tests
read them."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from school.models import Person

# Koulsoum Logerot speaks at round table 2 on Thursday 20 June 2019, "sous réserve".
KEY = "koulsoum-logerot"


def person(db, key=KEY) -> Person:
    db.commit()  # a new transaction sees what requests committed (SQLite: a new snapshot)
    db.expire_all()
    return db.scalar(sa.select(Person).where(Person.key == key))


def page(client, person, **query):
    response = client.get(f"/speaker/{person.speaker_token}", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text(html: str) -> str:
    """What a reader sees, roughly: tags out, entities decoded, spaces squeezed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace(" – ", "–")
