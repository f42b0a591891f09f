"""Someone on the public pages through the test client, CSRF on: reads a page, sends
its form; and the answers of a typical registration to the demo edition."""

from __future__ import annotations

import re

import sqlalchemy as sa

from school.models import Session


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def session_id(db, key: str) -> int:
    found = db.scalar(sa.select(Session.id).where(Session.key == key))
    db.rollback()  # end the read: the test reads again later what requests wrote
    return found


class Visitor:
    """Someone using the site with a browser-like client: reads a page, sends its form."""

    def __init__(self, client, lang="en"):
        self.client, self.lang = client, lang

    def get(self, url):
        return self.client.get(url, query_string={"lang": self.lang})

    def submit(self, url, data):
        token = csrf_token(self.get(url).get_data(as_text=True))
        return self.client.post(url, data={"csrf_token": token, **data})


def answers(**overrides):
    data = {
        "first_name": "Majda",
        "last_name": "Jelenčić",
        "email": "majda@example.org",
        "organisation": "Hrvatski zavod za zapošljavanje",
        "cite": "",
        "country": "HR",
        "category": "partner",
        "language": "en",
        "days": ["2019-06-19", "2019-06-20", "2019-06-21"],
        "privacy_consent": "y",
    }
    data.update(overrides)
    return data
