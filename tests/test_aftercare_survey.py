"""The satisfaction survey: invited through a real SMTP server (exactly those checked in,
once), reminded (only those who have not answered), the private form (saved as you go,
answered once), the results (names for admins only, XLSX) and the privacy purge."""

from __future__ import annotations

import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from school.database import utcnow
from school.models import Edition, SurveyInvitation, SurveyResponse
from school.services.aftercare import invitations, results
from school.services.mail import outbox
from school.services.registration import privacy
from tests.support.aftercare_scenario import autumn_school
from tests.support.backoffice import Organiser, csrf_token, make_admin
from tests.support.servers import Inbox

CAME = ["amelie", "chloe", "fatima", "ivan", "jean", "lina"]  # checked in at least once


@pytest.fixture
def school(app, db):
    with app.app_context():
        return autumn_school(db)


def addresses(messages) -> list[str]:
    return sorted(m["To"] for m in messages)


def link_in(message) -> str:
    return re.search(r"http://\S+/survey/\S+", Inbox.text(message)).group(0)


def invite_all(app, db, school, when=None):
    with app.app_context():
        sent = invitations.invite(db, school["edition"], now=when or utcnow())
        db.commit()
    return sent


def token_of(db, school, who) -> str:
    db.rollback()
    return db.scalar(
        sa.select(SurveyInvitation.token).where(SurveyInvitation.registration_id == school[who].id)
    )


def answer(client, token, data, *, final=True, csrf=None):
    if csrf is None:
        page = client.get(f"/survey/{token}")
        assert page.status_code == 200
        csrf = csrf_token(page.get_data(as_text=True))
    url = f"/survey/{token}" + ("" if final else "/draft")
    return client.post(url, data={"csrf_token": csrf, **data})


def test_the_survey_reaches_exactly_those_checked_in_once(school, smtp, runner, db):
    result = runner.invoke(args=["survey", "invite", school["edition"].slug])
    assert result.exit_code == 0, result.output
    assert "6 person(s) invited; 0 already invited" in result.output
    received = smtp.inbox.wait_for(6)
    assert addresses(received) == [f"{who}@example.org" for who in CAME]
    # Never those who did not come, nor the cancelled registration.
    assert not smtp.inbox.to("marco@example.org") and not smtp.inbox.to("zoe@example.org")
    ivan = smtp.inbox.to("ivan@example.org")[0]  # writes in English
    assert "How was Autumn School 2024?" in ivan["Subject"]
    amelie = smtp.inbox.to("amelie@example.org")[0]
    assert amelie["Subject"] == "Université d'automne 2024 : votre avis en 3 minutes"
    links = {link_in(m) for m in received}
    assert len(links) == 6  # a link of one's own
    assert all(len(link.rsplit("/", 1)[1].split("?")[0]) >= 40 for link in links)

    again = runner.invoke(args=["survey", "invite", school["edition"].slug])
    assert "0 person(s) invited; 6 already invited" in again.output
    outbox.wait_idle()
    assert len(smtp.inbox.messages) == 6  # never twice


def test_reminders_go_only_to_those_who_have_not_answered(school, smtp, app, db, client):
    then = utcnow() - timedelta(days=2)
    invite_all(app, db, school, then)
    with app.app_context():
        outbox.send_due(app, db)
    smtp.inbox.wait_for(6)
    answer(client, token_of(db, school, "lina"), {"overall": "5"})
    answer(client, token_of(db, school, "chloe"), {"overall": "3"}, final=False)  # a draft
    with app.app_context():
        sent = invitations.remind(db, db.get(Edition, school["edition"].id), now=utcnow())
        db.commit()
        assert (sent.sent, sent.skipped) == (5, 0)
        outbox.send_due(app, db)
    received = smtp.inbox.wait_for(11)[6:]
    assert addresses(received) == [f"{w}@example.org" for w in CAME if w != "lina"]
    assert all("Rappel" in m["Subject"] or "Reminder" in m["Subject"] for m in received)
    assert link_in(smtp.inbox.to("chloe@example.org")[1]) == link_in(
        smtp.inbox.to("chloe@example.org")[0]
    )  # the same private link
    with app.app_context():  # a second click writes to nobody again
        assert invitations.remind(db, school["edition"], now=utcnow()).sent == 0
        db.commit()


def test_the_form_saves_as_you_go_and_is_answered_once(school, app, db, client):
    invite_all(app, db, school)
    token = token_of(db, school, "amelie")
    page = client.get(f"/survey/{token}?lang=en").get_data(as_text=True)
    # The sessions she was checked in at, not the coffee break nor the cancelled visit.
    assert "Opening" in page and "Workshop A: lifelong guidance" in page
    assert "Workshop B: digital jobs" in page and "Closing round table" not in page
    assert "Pause" not in page and "Visite" not in page
    opening = school["opening"].id
    draft = answer(client, token, {"overall": "4", f"session-{opening}": "5"}, final=False)
    assert draft.status_code == 200 and draft.get_json()["saved"] is True
    db.rollback()
    saved = db.scalar(sa.select(SurveyResponse))
    assert saved.submitted_at is None and saved.answers["overall"] == 4
    shown = client.get(f"/survey/{token}").get_data(as_text=True)
    assert 'name="overall" value="4" checked' in shown
    csrf = csrf_token(shown)

    done = answer(
        client,
        token,
        {
            "overall": "4",
            f"session-{opening}": "5",
            f"session-{opening}-comment": "<b>Très</b> inspirant",
            "useful": "Les échanges entre Cités",
            "again": "yes",
        },
    )
    assert done.status_code == 302
    thanks = client.get(f"/survey/{token}").get_data(as_text=True)
    assert "Merci" in thanks or "Thank you" in thanks
    assert 'id="survey-form"' not in thanks
    late = answer(client, token, {"overall": "1"}, final=False, csrf=csrf)
    assert late.status_code == 409 and late.get_json()["code"] == "already_answered"
    again = answer(client, token, {"overall": "1"}, csrf=csrf)
    assert again.status_code == 302
    db.rollback()
    stored = db.scalars(sa.select(SurveyResponse)).all()
    assert len(stored) == 1 and stored[0].answers["overall"] == 4
    assert stored[0].answers["sessions"][str(opening)] == {
        "rating": 5,
        "comment": "<b>Très</b> inspirant",
    }


def test_wrong_answers_are_refused_with_a_message_and_nothing_kept(school, app, db, client):
    invite_all(app, db, school)
    token = token_of(db, school, "ivan")
    refused = answer(client, token, {"overall": "9", "again": "perhaps"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Choisissez une note de 1 à 5." in page or "Choose a rating from 1 to 5." in page
    assert page.count("Merci de corriger les réponses signalées.") == 1
    assert 'aria-describedby="overall-errors"' in page and 'value="perhaps"' not in page
    not_asked = answer(client, token, {"useful": "x"})  # the overall rating is missing
    assert not_asked.status_code == 422
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0
    assert client.get("/survey/not-a-token").status_code == 404


def test_results_show_names_to_admins_only_and_go_to_xlsx(school, app, db, client):
    invite_all(app, db, school)
    answer(client, token_of(db, school, "lina"),
           {"overall": "5", "useful": "Рабочие встречи", "again": "yes"})  # fmt: skip
    answer(client, token_of(db, school, "chloe"), {"overall": "3", "change": "=cmd|' /C calc'!A0"})
    answer(client, token_of(db, school, "jean"), {"overall": "4"}, final=False)  # not counted
    db.rollback()
    make_admin(app, db)
    with app.app_context():
        from school.services.backoffice import organisers

        organisers.create_organiser(db, "door@example.org", "checkin", "correct horse 2")
        db.commit()
    slug = school["edition"].slug
    admin = Organiser(app.test_client()).login()
    page = admin.page(f"/organiser/{slug}/aftercare")
    assert "Рабочие встречи" in page and "娜 李" in page  # the name beside the comment
    assert "4.0/5" in page  # (5 + 3) / 2
    assert "Yes: 1" in page  # the English colon, not the French one
    free = re.search(
        r"<h4>Anything else you would like to tell us\?</h4>(.*?)</article>", page, re.S
    )
    assert "No answer yet." in free.group(1)  # rather than nothing under the question
    french = Organiser(app.test_client(), lang="fr").login().page(f"/organiser/{slug}/aftercare")
    assert "4,0/5" in french and "Oui : 1" in french  # as the report writes them
    door = Organiser(app.test_client()).login("door@example.org", "correct horse 2")
    seen = door.page(f"/organiser/{slug}/aftercare")
    assert "Рабочие встречи" in seen and "李" not in seen
    assert "survey_invite" not in seen and "/aftercare/invite" not in seen

    book = openpyxl.load_workbook(io.BytesIO(admin.get(f"/organiser/{slug}/survey.xlsx").data))
    survey = {row[0]: row[1:] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert survey["Invited"][0] == 6 and survey["Answered"][0] == 2
    assert survey["Response rate (%)"][0] == 33.3
    comments = list(book["Comments"].iter_rows(values_only=True))
    assert comments[0][-1] == "Name"
    assert any(row[1] == "=cmd|' /C calc'!A0" for row in comments)  # kept as text
    assert book["Comments"]["B3"].data_type == "s"
    door_book = openpyxl.load_workbook(io.BytesIO(door.get(f"/organiser/{slug}/survey.xlsx").data))
    assert "Name" not in next(door_book["Comments"].iter_rows(values_only=True))


def test_check_in_staff_cannot_invite_or_change_the_questions(school, app, db):
    with app.app_context():
        from school.services.backoffice import organisers

        organisers.create_organiser(db, "door@example.org", "checkin", "correct horse 2")
        db.commit()
    door = Organiser(app.test_client()).login("door@example.org", "correct horse 2")
    slug = school["edition"].slug
    page = f"/organiser/{slug}/aftercare"
    response = door.submit(f"/organiser/{slug}/aftercare/invite", {}, page=page)
    assert response.status_code == 403
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(SurveyInvitation.id))) == 0


def test_the_admin_button_invites_and_the_questions_can_be_chosen(school, app, db, smtp):
    make_admin(app, db)
    admin = Organiser(app.test_client()).login()
    slug = school["edition"].slug
    page = f"/organiser/{slug}/aftercare"
    admin.submit(f"/organiser/{slug}/aftercare/questions", {"questions": ["overall", "again"]},
                 page=page)  # fmt: skip
    done = admin.submit(f"/organiser/{slug}/aftercare/invite", {}, page=page)
    assert done.status_code == 302
    assert "6 people invited to the survey." in admin.page(page)
    received = smtp.inbox.wait_for(6)
    form = app.test_client().get(link_in(received[0]).split("http://localhost", 1)[-1])
    html = form.get_data(as_text=True)
    assert 'name="again"' in html and 'name="useful"' not in html


def test_the_privacy_purge_unties_answers_from_people(school, app, db, client):
    invite_all(app, db, school)
    token = token_of(db, school, "fatima")
    answer(client, token, {"overall": "2", "free": "Merci"})
    with app.app_context():
        edition = db.get(Edition, school["edition"].id)
        privacy.purge(db, edition, actor="test", now=utcnow(), force=True)
        db.commit()
    db.rollback()
    response = db.scalar(sa.select(SurveyResponse))
    assert response.invitation_id is None and response.answers["overall"] == 2
    assert client.get(f"/survey/{token}").status_code == 404
    with app.app_context():
        found = results.results(db, db.get(Edition, school["edition"].id), with_names=True)
    assert found.answered == 1 and found.question("free").comments[0].respondent is None


def test_two_invitations_at_once_write_to_each_person_once(school, app, engine, db):
    """Two organisers click at the same moment (or a click and the command): the survey
    is made once and nobody is invited twice."""
    start = threading.Barrier(2)

    def invite() -> int:
        with app.app_context(), sa.orm.Session(engine) as session:
            edition = session.get(Edition, school["edition"].id)
            start.wait()
            sent = invitations.invite(session, edition, now=utcnow())
            session.commit()
            return sent.sent

    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = sorted(pool.map(lambda _: invite(), range(2)))
    assert sent == [0, 6]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(SurveyInvitation.id))) == 6
    assert db.scalar(sa.select(sa.func.count()).select_from(sa.text("surveys"))) == 1


def test_the_results_take_a_fixed_number_of_queries(school, app, db, client, count_queries):
    invite_all(app, db, school)
    answer(client, token_of(db, school, "lina"), {"overall": "5", "useful": "Tout"})
    edition = db.get(Edition, school["edition"].id)
    with app.app_context(), count_queries() as few:
        results.results(db, edition, with_names=True)
    for who in ("amelie", "ivan", "chloe", "jean"):
        answer(client, token_of(db, school, who), {"overall": "4", "change": "Rien"})
    db.rollback()
    edition = db.get(Edition, school["edition"].id)
    with app.app_context(), count_queries() as more:
        found = results.results(db, edition, with_names=True)
    assert found.answered == 5 and len(more) == len(few) <= 4
    assert sorted(c.respondent for c in found.question("change").comments) == [
        "Amélie Dubois", "Chloé Favre", "Jean Partenaire", "Иван Петров"
    ]  # fmt: skip


def test_a_participant_s_data_download_holds_their_answers(school, app, db, client):
    invite_all(app, db, school)
    answer(client, token_of(db, school, "chloe"), {"overall": "5", "free": "Bravo"})
    data = client.get(f"/my/{school['chloe'].manage_token}/data.json").get_json()
    assert data["survey"]["answers"] == {"overall": 5, "free": "Bravo"}
    assert data["survey"]["submitted_at"] and data["survey"]["invited_at"]
    other = client.get(f"/my/{school['marco'].manage_token}/data.json").get_json()
    assert other["survey"] is None  # never came, never invited
