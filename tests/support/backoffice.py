"""An organiser using the back office through the test client, CSRF on."""

from __future__ import annotations

import html as htmllib
import re

from school.models import Session
from school.services.backoffice import organisers

PASSWORD = "correct horse battery"

# A new edition as an organiser creates it ("New edition"): nothing in it yet.
NEW_EDITION = {
    "slug": "autumn-school-2030",
    "title_fr": "École d'automne 2030",
    "title_en": "Autumn School 2030",
    "city": "Bruxelles",
    "venue": "Cité des métiers de Bruxelles",
    "address": "Avenue de l'Astronomie 14, 1210 Bruxelles",
    "timezone": "Europe/Brussels",
    "starts_on": "2030-12-04",
    "ends_on": "2030-12-06",
}


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


CONFIRMED = re.compile(r'name="confirmed" value="([^"]+)"')


def send_mailing(organiser: Organiser, url: str, data: dict):
    """ "Send", then the confirmation the preview asks for, as an organiser clicks them:
    the answer to the second (or to the first, when the message is refused)."""
    first = organiser.submit(url, {**data, "action": "send"})
    found = CONFIRMED.search(first.get_data(as_text=True))
    if first.status_code != 200 or found is None:
        return first
    return organiser.submit(url, {**data, "action": "send", "confirmed": found.group(1)})


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


def page_title(html: str) -> str:
    """The page's <title>, as a screen reader says it first."""
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    return htmllib.unescape(" ".join(found.group(1).split()))


def fresh(db):
    """The test's session, ready to see what requests committed since it last read."""
    db.rollback()
    db.expire_all()
    return db


def attempt_login(client, email, password):
    """Send the login form; the answer, whether it let the person in or not."""
    page = client.get("/organiser/login?lang=en").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(
        "/organiser/login", data={"csrf_token": csrf, "email": email, "password": password}
    )


def form_of(db, edition, session: Session, **changes) -> dict:
    """What the session's form holds, with ``changes`` typed in."""
    tz = edition.tz
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    data = {
        "title_fr": session.title_fr,
        "title_en": session.title_en or "",
        "kind": session.kind,
        "day": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "room": session.room.key if session.room else "",
        "capacity": "" if session.capacity is None else str(session.capacity),
        "audience": session.audience,
        "status": session.status,
        "description_fr": session.description_fr or "",
        "description_en": session.description_en or "",
    }
    if session.requires_registration:
        data["requires_registration"] = "y"
    if session.is_meal:
        data["is_meal"] = "y"
    for index, link in enumerate(session.people):
        data[f"speakers-{index}-person"] = link.person.key
        data[f"speakers-{index}-role"] = link.role
    data.update(changes)
    return data
