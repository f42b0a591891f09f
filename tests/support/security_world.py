"""The cast of the attack-surface tests: staff of both roles, two participants, two
speakers, a check-in, a second edition, and a real id for every kind of URL parameter
of the demo edition (so a refusal is a refusal, not a 404 for a missing row)."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image

from school.models import (
    CheckIn,
    Edition,
    Initiative,
    Mailing,
    OutboxMessage,
    Person,
    Registration,
    Room,
    Session,
    SessionGroup,
    SessionPerson,
)
from school.services.backoffice import organisers
from school.services.badges import tokens
from tests.support.factories import make_edition, make_registration

ADMIN = ("admin@example.org", "correct horse 1")
DOOR = ("door@example.org", "correct horse 2")
STRONG = "heron lantern 4417 quay"  # a password the rule takes, for a new one


@dataclass
class Participant:
    id: int
    manage: str
    badge: str
    email: str
    last_name: str


@dataclass
class World:
    slug: str
    other_slug: str
    token: str  # a check-in staff's API token
    alice: Participant
    bob: Participant
    speakers: list[tuple[int, str, str]]  # (person id, token, key)
    params: dict[str, str] = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def url(self, rule: str, **override) -> str:
        values = self.params | override
        return re.sub(r"<(?:[^<>]*:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


def _tiny_png() -> bytes:
    """A picture for the world's initiative, so that its picture route has one to show."""
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


def _register(client, slug, first, last, email, sessions=()) -> Participant:
    response = client.post(
        f"/api/v1/editions/{slug}/registrations",
        json={
            "first_name": first,
            "last_name": last,
            "email": email,
            "country": "PT",
            "category": "member",
            "days": ["2019-06-19", "2019-06-20", "2019-06-21"],
            "sessions": list(sessions),
            "consent": True,
        },
    )
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    manage = urlsplit(data["manage_url"]).path.split("/")[2]
    return Participant(data["id"], manage, "", email, last)


def build(app, client, db, demo) -> World:
    with app.app_context():
        admin = organisers.create_organiser(db, ADMIN[0], "admin", ADMIN[1])
        door = organisers.create_organiser(db, DOOR[0], "checkin", DOOR[1])
        token = organisers.create_api_token(db, door, "door phone")
        door_id = door.id
        other = make_edition(db)
        stranger = make_registration(db, other, email="stranger@example.org")
        db.add(
            Mailing(
                edition_id=demo.id,
                batch="attack-test",
                audience="all",
                subject_fr="Bonjour",
                body_fr="Bonjour à tous",
                organiser_id=admin.id,
            )
        )
        initiative = Initiative(
            edition_id=demo.id, title_fr="Hobo", summary_fr="Réalité virtuelle.", cite="charleroi",
            country="BE", kind="innovation", themes=["digital"], contact_name="Fiona",
            contact_email="fiona@example.org", consent_publish=True,
            picture=_tiny_png(), picture_type="image/png",
        )  # fmt: skip
        db.add(initiative)
        if not db.scalar(sa.select(SessionGroup.id).where(SessionGroup.edition_id == demo.id)):
            db.add(SessionGroup(edition_id=demo.id, key="workshops", title_fr="Ateliers"))
        db.commit()
        initiative_id = initiative.id
    alice = _register(client, demo.slug, "Alice", "Liddell", "alice@example.org")
    bob = _register(client, demo.slug, "Bob", "Marley", "bob@example.org")
    db.rollback()  # see what the requests wrote
    with app.app_context():
        for person in (alice, bob):
            person.badge = tokens.token_for(db.get(Registration, person.id))
    scan = client.post(
        f"/api/v1/editions/{demo.slug}/checkins",
        json={"token": alice.badge, "client_id": str(uuid.uuid4()), "day": "2019-06-19"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert scan.status_code == 200, scan.get_json()
    db.rollback()
    first = {
        model: db.scalar(sa.select(model.id).where(model.edition_id == demo.id).order_by(model.id))
        for model in (Session, Room, SessionGroup, Mailing, CheckIn, OutboxMessage)
    }
    # Speakers with a session "sous réserve", which their link lets them confirm.
    links = db.execute(
        sa.select(Person.id, Person.speaker_token, Person.key)
        .join(SessionPerson, SessionPerson.person_id == Person.id)
        .where(Person.edition_id == demo.id, SessionPerson.is_tentative.is_(True))
        .order_by(Person.id)
    ).all()
    speakers = [tuple(row) for row in dict.fromkeys(links)][:2]
    db.rollback()
    world = World(demo.slug, other.slug, token, alice, bob, speakers)
    world.params = {
        "slug": demo.slug,
        "session_id": first[Session],
        "room_id": first[Room],
        "group_id": first[SessionGroup] or 1,
        "mailing_id": first[Mailing],
        "message_id": first[OutboxMessage],
        "checkin_id": first[CheckIn],
        "registration_id": alice.id,
        "person_id": speakers[0][0],
        "day": "2019-06-19",
        "checkpoint": "entrance:2019-06-19",
        "what": "registrations",
        "fmt": "csv",
        "token": alice.manage,
        "key": speakers[0][2],
        "cite_key": "bruxelles",
        "filename": "css/school.css",
        "stranger_id": stranger.id,
        "organiser_id": door_id,
        "initiative_id": initiative_id,
    }
    return world


def edition_id(db, slug: str) -> int:
    return db.scalar(sa.select(Edition.id).where(Edition.slug == slug))


@pytest.fixture
def world(app, client, db, demo) -> World:
    return build(app, client, db, demo)


def login(client, email: str, password: str):
    page = client.get("/organiser/login?lang=en").get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    csrf = {"csrf_token": found.group(1)} if found else {}  # none when a test turned CSRF off
    response = client.post("/organiser/login", data=csrf | {"email": email, "password": password})
    assert response.status_code == 302, "login failed"
    return response
