"""The demo edition after the School: some seventy participants from Cités of the network
(suggested names, six countries), check-ins at the door and in the open sessions made
through the check-in service, the survey sent and about half of it answered in several
languages. Drawn from a fixed seed: the same every time. For the demo report's pictures
(docs/make_report_pages.py) and its test."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import sqlalchemy as sa

from school.database import utcnow
from school.models import Edition, Session, SurveyInvitation
from school.services.aftercare import invitations, survey
from school.services.badges import tokens
from school.services.checkin import scanning
from school.services.network import cites
from tests.support.factories import make_registration

CITES = [
    ("Cité des métiers de Paris la Villette", "FR"),
    ("Cité des métiers de Marseille et de Provence-Alpes-Côte d'Azur", "FR"),
    ("Cité des métiers de Limoges et du Limousin", "FR"),
    ("Cité des métiers de Bruxelles", "BE"),
    ("Cité des métiers de Liège", "BE"),
    ("Cité des métiers de Charleroi", "BE"),
    ("Cité des métiers du Grand Genève", "CH"),
    ("Città dei mestieri di Milano e della Lombardia", "IT"),
    ("Città dei mestieri di Torino", "IT"),
    ("Ciudad de los oficios de Barcelona", "ES"),
    ("Cidade das Profissões do Porto", "PT"),
]
FIRST = ["Amélie", "Jan", "Ève", "Íñigo", "Chiara", "João", "Zainoudine", "Marja", "Luc",
         "Sofia", "Noé", "Aurore", "Pedro", "Giulia", "Karim", "Léa"]  # fmt: skip
LAST = ["Dubois", "Łukasiewicz", "Ñúñez", "Zubiri", "Rossi", "Ferreira", "Abdou", "Pudas",
        "Martin", "Costa", "Bernard", "Leroy", "Garcia", "Bianchi", "Haddad", "Moreau"]  # fmt: skip
USEFUL = [
    "Les ateliers en petits groupes : on repart avec des idées applicables tout de suite.",
    "The visit of the Cité: seeing the spaces and the tools in use.",
    "Gli scambi tra Città dei mestieri durante le pause.",
    "La table ronde sur l'accompagnement des publics éloignés de l'emploi.",
    "Conhecer colegas de outros países com os mesmos desafios.",
]
CHANGE = [
    "Plus de temps pour les échanges informels entre les sessions.",
    "Fewer talks in plenary, more time in workshops.",
    "Traduire les supports en espagnol et en italien.",
    "Une pause déjeuner un peu plus longue.",
]
SESSION_COMMENTS = [
    "Très concret, merci !",
    "Inspiring examples from the network.",
    "Un peu long mais très riche.",
    "Molto interessante.",
]
OPEN_KINDS = ("plenary", "round_table", "conference", "workshop")


def demo_after_the_school(db, edition_id: int, *, people: int = 72, seed: int = 2019) -> None:
    """Call inside an app context (badge keys, mail templates)."""
    rng = random.Random(seed)
    edition = db.get(Edition, edition_id)
    dates = list(edition.dates)
    sessions = db.scalars(
        sa.select(Session)
        .where(
            Session.edition_id == edition.id,
            Session.kind.in_(OPEN_KINDS),
            ~Session.is_by_choice,
            ~Session.is_cancelled,
            Session.audience == "everyone",
        )
        .order_by(Session.starts_at)
    ).all()
    registrations = []
    for n in range(people):
        # Each Cité once, then most people from the nearest ones.
        pick = n if n < len(CITES) else min(int(rng.expovariate(0.35)), len(CITES) - 1)
        cite, country = CITES[pick]
        days = sorted(rng.sample(dates, k=rng.choice([1, 2, 3, 3, 3])))
        registrations.append(
            make_registration(
                db, edition, first_name=rng.choice(FIRST), last_name=rng.choice(LAST),
                email=f"demo{n}@example.org", cite=cites.key_for_name(cite), country=country,
                days=days,
                language=rng.choice(["fr", "fr", "en"]),
            )
        )  # fmt: skip
    db.commit()
    for n, registration in enumerate(registrations):
        if n >= len(CITES) and rng.random() < 0.12:
            continue  # never came
        for day in registration.attended_dates:
            if rng.random() < 0.1:
                continue
            opening = next((s for s in sessions if edition.local(s.starts_at).date() == day), None)
            first = (opening.starts_at if opening else edition.local(utcnow())) - timedelta(
                minutes=rng.randint(0, 45)
            )
            _scan(db, edition, registration, None, day, first)
            for session in sessions:
                if edition.local(session.starts_at).date() == day and rng.random() < 0.75:
                    at = session.starts_at + timedelta(minutes=rng.randint(-5, 10))
                    _scan(db, edition, registration, session, None, at)
    invitations.invite(db, edition, now=utcnow())
    db.commit()
    invited = db.scalars(sa.select(SurveyInvitation).order_by(SurveyInvitation.id)).all()
    for invitation in invited:
        if rng.random() < 0.45:
            continue
        form = survey.form_for(db, invitation)
        data = {
            "overall": str(rng.choice([3, 4, 4, 4, 5, 5, 5])),
            "again": rng.choice(["yes", "yes", "yes", "maybe", "no"]),
        }
        for session in form.sessions:
            if rng.random() < 0.7:
                data[f"session-{session.id}"] = str(rng.choice([2, 3, 4, 4, 5, 5]))
                if rng.random() < 0.1:
                    data[f"session-{session.id}-comment"] = rng.choice(SESSION_COMMENTS)
        if rng.random() < 0.5:
            data["useful"] = rng.choice(USEFUL)
        if rng.random() < 0.4:
            data["change"] = rng.choice(CHANGE)
        survey.save(db, invitation.token, data, now=utcnow(), final=True, language="fr")
        db.commit()


def _scan(db, edition, registration, session, day, at) -> None:
    scanning.scan(
        db, edition, token=tokens.token_for(registration), client_id=str(uuid.uuid4()),
        session_id=session.id if session else None, day=day, scanned_at=at, now=at,
    )  # fmt: skip
    db.commit()
