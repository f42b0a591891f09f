"""``flask --app school registrations …``: bulk registration from a spreadsheet (CSV),
through the same service as the form and the API."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from school.database import utcnow
from school.extensions import db
from school.models import Organiser, Session
from school.services.email_addresses import email_key
from school.services.errors import DomainError, NotFound
from school.services.mail import outbox
from school.services.network import cites
from school.services.programme import catalogue
from school.services.registration import registrations
from school.services.registration.data import RegistrationData
from school.services.registration.rules import InvalidRegistration

registrations_cli = AppGroup("registrations", help="Registrations of participants.")

COLUMNS = (
    "first_name, last_name, email, organisation, cite (a directory key or a Cité's name), "
    "country, category, language, "
    "days (ISO dates separated by spaces), sessions (session ids from the programme file, "
    "separated by spaces), meals (same), dietary, accessibility, member_code (the edition's, "
    "for members-only sessions). Categories: member, partner or guest, as on the form"
)


def _split(value: str | None) -> list[str]:
    return [part for part in (value or "").replace(";", " ").replace(",", " ").split() if part]


def row_to_data(row: dict[str, str], keys: dict[str, int]) -> RegistrationData:
    def sessions(column: str) -> list[int]:
        # Unknown keys become an id that cannot exist, so the service names them.
        return [keys.get(key, -1) for key in _split(row.get(column))]

    days = []
    for value in _split(row.get("days")):
        try:
            days.append(date.fromisoformat(value))
        except ValueError:
            days.append(date.min)
    return RegistrationData(
        first_name=row.get("first_name", ""),
        last_name=row.get("last_name", ""),
        email=row.get("email", ""),
        organisation=row.get("organisation"),
        # A directory key, or a Cité's name as people type it; other text is refused by name.
        cite=cites.key_for_name(row.get("cite") or "") or row.get("cite"),
        country=row.get("country", ""),
        category=row.get("category", ""),
        language=row.get("language") or "fr",
        days=days,
        sessions=sessions("sessions"),
        meals=sessions("meals"),
        dietary=row.get("dietary"),
        accessibility=row.get("accessibility"),
        privacy_consent=True,  # the organiser collected it with the spreadsheet
        member_code=row.get("member_code") or None,
    )


@registrations_cli.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as-organiser",
    "organiser_email",
    metavar="EMAIL",
    help="Act as this admin organiser, as in the back office: any category (speaker, "
    "staff, press) and members confirmed for members-only sessions.",
)
def import_csv(slug: str, path: Path, organiser_email: str | None) -> None:
    """Register every row of a CSV file (UTF-8, header row). Columns: see --help."""
    try:
        edition = catalogue.get_edition(db.session, slug)
    except NotFound as exc:
        raise click.ClickException(exc.message) from exc
    actor = None
    if organiser_email:
        actor = db.session.scalar(
            sa.select(Organiser).where(Organiser.email == email_key(organiser_email))
        )
        if actor is None or not actor.is_admin:
            raise click.ClickException(f"no admin organiser {organiser_email!r}")
    keys = dict(
        db.session.execute(
            sa.select(Session.key, Session.id).where(Session.edition_id == edition.id)
        ).all()
    )
    created = existing = failed = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            data = row_to_data(row, keys)
            try:
                edition = catalogue.get_edition(db.session, slug)
                outcome = registrations.register(
                    db.session, edition, data, now=utcnow(), actor=actor
                )
            except InvalidRegistration as exc:
                db.session.rollback()
                failed += 1
                for field, messages in exc.errors.items():
                    click.echo(f"{path.name}:{line}: {field}: {'; '.join(messages)}", err=True)
                continue
            except DomainError as exc:
                db.session.rollback()
                failed += 1
                click.echo(f"{path.name}:{line}: {exc.message}", err=True)
                continue
            db.session.commit()
            if outcome.created:
                created += 1
            else:
                existing += 1
    outbox.wake(current_app._get_current_object())
    outbox.wait_idle()
    click.echo(f"{created} registered, {existing} already registered, {failed} refused")
    if failed:
        sys.exit(1)


import_csv.help = (import_csv.help or "") + f"\n\nColumns: {COLUMNS}."


@registrations_cli.command("member-code")
@click.argument("slug")
def member_code(slug: str) -> None:
    """Print the edition's member code (it proves membership for members-only seats)."""
    try:
        edition = catalogue.get_edition(db.session, slug)
    except NotFound as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(edition.member_code)
