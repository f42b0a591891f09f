"""An organiser using the back office through the test client, CSRF on."""

from __future__ import annotations

import re

from school.services.backoffice import organisers

PASSWORD = "correct horse battery"


def csrf_token(html: str) -> str:
    found = re.search(r'name="(?:[a-z]+-)?csrf_token" type="hidden" value="([^"]+)"', html)
    if found is None:
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Organiser:
    """Logs in, reads pages, and sends their forms with the page's CSRF token."""

    def __init__(self, client, lang: str = "en"):
        self.client, self.lang = client, lang

    def login(self, email: str = "chef@example.org", password: str = PASSWORD) -> Organiser:
        response = self.submit("/organiser/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return self

    def get(self, url: str, **params):
        return self.client.get(url, query_string={"lang": self.lang, **params})

    def page(self, url: str, **params) -> str:
        response = self.get(url, **params)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def submit(self, url: str, data: dict, *, page: str | None = None, prefix: str = ""):
        """POST ``data`` to ``url`` with the CSRF token of ``page`` (default: ``url``)."""
        html = self.page(page or url)
        token = csrf_token(html)
        return self.client.post(
            url, data={f"{prefix}csrf_token": token, **data}, query_string={"lang": self.lang}
        )


def make_admin(app, db, email: str = "chef@example.org"):
    with app.app_context():
        admin = organisers.create_organiser(db, email, "admin", PASSWORD, name="Chef")
        db.commit()
    return admin


def flashes(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", m).strip()
        for m in re.findall(r'<p class="flash[^"]*" role="status">(.*?)</p>', html, re.S)
    ]


def fresh(db):
    """The test's session, ready to see what requests committed since it last read."""
    db.rollback()
    db.expire_all()
    return db
