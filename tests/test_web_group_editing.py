"""Groups of parallel sessions are edited and deleted until their allocation is published;
a session never moves from one group to another silently; a preference cut-off in the
past or after the start of the School is refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import Edition, OutboxMessage, Ranking, Session, SessionGroup
from school.services.errors import DomainError
from school.services.registration import group_editing
from tests.support.backoffice import Organiser, flashes, fresh, make_admin
from tests.support.factories import make_registration
from tests.support.outbox import written


@pytest.fixture
def organiser(app, client, db, demo):
    make_admin(app, db)
    return Organiser(client).login()


def ids(db, *keys: str) -> list[int]:
    return [db.scalar(sa.select(Session.id).where(Session.key == key)) for key in keys]


def local(demo, moment) -> str:
    return moment.astimezone(demo.tz).strftime("%Y-%m-%dT%H:%M")


def new_group(organiser, demo, key: str, sessions: list[int], **fields):
    data = {
        "key": key,
        "title_fr": f"Groupe {key}",
        "title_en": f"Group {key}",
        "mode": "preference",
        "preferences_close_at": local(demo, utcnow() + timedelta(days=2)),
        "sessions": sessions,
        **fields,
    }
    return organiser.submit(f"/organiser/{demo.slug}/groups", data)


def test_a_session_is_never_taken_silently_from_another_group(organiser, demo, db):
    tour, explora, assembly = ids(db, "d1-visit-spaces", "d1-visit-explora", "d1-general-assembly")
    assert new_group(organiser, demo, "visits", [tour, explora]).status_code == 302
    response = new_group(organiser, demo, "visits-2", [explora, assembly])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already belongs to the group “Groupe visits”" in " ".join(flashes(html)) or (
        "already belongs to the group" in html
    )
    db = fresh(db)
    assert db.scalar(sa.select(sa.func.count()).select_from(SessionGroup)) == 1
    group = db.scalar(sa.select(SessionGroup))
    assert db.get(Session, explora).group_id == group.id


def test_a_cut_off_in_the_past_or_after_the_start_is_refused(app, db, demo):
    tour, explora = ids(db, "d1-visit-spaces", "d1-visit-explora")
    edition = db.get(Edition, demo.id)
    edition.is_demo = False  # a School of 2019, with its real dates
    values = {"key": "v", "title_fr": "Visites", "title_en": None, "session_ids": [tour, explora],
              "mode": "preference", "now": utcnow()}  # fmt: skip
    with app.test_request_context("/?lang=en"):
        with pytest.raises(group_editing.InvalidGroup) as past:
            group_editing.create(db, edition, cutoff=utcnow() - timedelta(hours=1), **values)
        assert past.value.errors["preferences_close_at"] == ["This moment is already past."]
        with pytest.raises(group_editing.InvalidGroup) as late:
            group_editing.create(db, edition, cutoff=utcnow() + timedelta(days=1), **values)
        assert late.value.errors["preferences_close_at"] == [
            "Preferences must close before the School starts."
        ]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(SessionGroup)) == 0


def test_edit_then_delete_a_group_until_it_is_published(organiser, demo, db):
    tour, explora, assembly = ids(db, "d1-visit-spaces", "d1-visit-explora", "d1-general-assembly")
    response = new_group(organiser, demo, "visits", [tour, explora])
    group_id = fresh(db).scalar(sa.select(SessionGroup.id))
    someone = make_registration(db, db.get(Edition, demo.id))
    db.add_all([
        Ranking(registration_id=someone.id, group_id=group_id, session_id=explora, rank=1),
        Ranking(registration_id=someone.id, group_id=group_id, session_id=tour, rank=2),
    ])  # fmt: skip
    db.commit()
    edit = f"/organiser/{demo.slug}/groups/{group_id}/edit"
    form = organiser.page(edit)
    assert 'value="visits"' in form and "checked" in form
    data = {
        "key": "visits",
        "title_fr": "Visites du mercredi",
        "title_en": "Wednesday visits",
        "mode": "preference",
        "preferences_close_at": local(demo, utcnow() + timedelta(days=3)),
        "sessions": [tour, assembly],
    }
    response = organiser.submit(edit, data)
    assert response.status_code == 302, flashes(response.get_data(as_text=True))
    db = fresh(db)
    group = db.get(SessionGroup, group_id)
    assert group.title_fr == "Visites du mercredi"
    assert sorted(s.id for s in group.sessions) == sorted([tour, assembly])
    assert db.get(Session, explora).group_id is None
    # The ranking of the session taken out goes with it; the other stays.
    assert db.scalars(sa.select(Ranking.session_id)).all() == [tour]

    response = organiser.submit(f"/organiser/{demo.slug}/groups/{group_id}/delete", {}, page=edit)
    assert response.status_code == 302
    db = fresh(db)
    assert db.get(SessionGroup, group_id) is None
    assert db.get(Session, tour).group_id is None
    assert db.scalar(sa.select(sa.func.count()).select_from(Ranking)) == 0
    assert "is deleted; its sessions stay" in " ".join(
        flashes(organiser.page(response.headers["Location"]))
    )


def test_a_published_group_no_longer_changes(db, demo, app):
    tour, explora = ids(db, "d1-visit-spaces", "d1-visit-explora")
    edition = db.get(Edition, demo.id)
    with app.test_request_context("/?lang=en"):
        group = group_editing.create(
            db, edition, key="v", title_fr="Visites", title_en=None, session_ids=[tour, explora],
            mode="first_come", cutoff=None, now=utcnow(),
        )  # fmt: skip
        group.published_at = utcnow()
        with pytest.raises(DomainError, match="published"):
            group_editing.delete(db, group, now=utcnow())
        with pytest.raises(DomainError, match="published"):
            group_editing.update(
                db, group, key="v", title_fr="Autre", title_en=None, session_ids=[tour, explora],
                mode="first_come", cutoff=None, now=utcnow(),
            )  # fmt: skip


def test_a_group_by_preference_is_said_on_the_programme_the_form_and_to_the_participant(
    organiser, demo, db, app
):
    from tests.support.backoffice import csrf_token

    tour, explora = ids(db, "d1-visit-spaces", "d1-visit-explora")
    closing = utcnow() + timedelta(days=2)
    assert new_group(organiser, demo, "visits", [tour, explora],
                     preferences_close_at=local(demo, closing)).status_code == 302  # fmt: skip
    group_id = fresh(db).scalar(sa.select(SessionGroup.id))
    visitor = app.test_client()
    programme = visitor.get(f"/{demo.slug}/programme?lang=en").get_data(as_text=True)
    card = re.search(rf'id="s{explora}".*?</article>', programme, re.S) or re.search(
        r"Tour of the permanent exhibitions \(Explora\).*?</ul>", programme, re.S
    )
    assert "Allocated by preference until" in card.group(0)
    assert "seats left" not in card.group(0)

    form = visitor.get(f"/{demo.slug}/register?lang=en").get_data(as_text=True)
    wednesday = re.search(r'data-day="2019-06-19">.*?</section>', form, re.S).group(0)
    assert f'id="ranking-{group_id}"' in wednesday  # under its own day, not after Friday

    response = visitor.post(f"/{demo.slug}/register", data={
        "csrf_token": csrf_token(form), "first_name": "Ève", "last_name": "Núñez",
        "email": "eve@example.org", "country": "ES", "category": "partner", "language": "en",
        "days": ["2019-06-19"], "privacy_consent": "y",
        f"rank-{group_id}-1": str(explora), f"rank-{group_id}-2": str(tour),
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    page = visitor.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    mine = re.search(r'class="my-ranking">.*?</div>', page, re.S).group(0)
    assert "Your preferences: Group visits" in mine
    assert mine.index("Explora") < mine.index("Tour of the venue")
    assert written(app, fresh(db)) == 1
    body = fresh(db).scalar(
        sa.select(OutboxMessage.text_body).where(OutboxMessage.purpose == "confirmation")
    )
    assert "Your preferences: Group visits" in body and "1. Tour of the permanent" in body
