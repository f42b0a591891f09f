"""The call for initiatives of an edition: what an initiative holds and its rules,
submission, the submitter's private edit link and e-mails, and what the wall shows
(accepted ones only). What the organisers decide is in ``moderation``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session as DbSession

from school.database import begin_write
from school.models import Edition, Initiative
from school.models.vocabulary import Decision, InitiativeKind
from school.services import audit
from school.services.email_addresses import EMAIL_MAX, normalized_email
from school.services.errors import DomainError, NotFound
from school.services.mail import writing
from school.services.network import cites, pictures
from school.services.network.countries import is_country
from school.services.programme import lifecycle
from school.urls import absolute_url

TITLE_MAX = 200
SUMMARY_MAX = 3000
NAME_MAX = 200
LANGUAGES = ("fr", "en")
KIND_LABELS = {
    InitiativeKind.PRACTICE: _l("Good practice"),
    InitiativeKind.TOOL: _l("Tool"),
    InitiativeKind.INNOVATION: _l("Innovation"),
    InitiativeKind.PARTNERSHIP: _l("Partnership"),
}
# The themes of the network's exchanges (the chapters of the guide).
THEME_LABELS = {
    "guidance": _l("Guidance throughout life"),
    "digital": _l("Digital skills and mediation"),
    "employment": _l("Employment and career transitions"),
    "training": _l("Training and skills"),
    "youth": _l("Young people and schools"),
    "inclusion": _l("Inclusion and access to rights"),
    "equality": _l("Equality and diversity"),
    "territories": _l("Territories and partnerships"),
}
DECISION_LABELS = {
    Decision.SUBMITTED: _l("Submitted"),
    Decision.CHANGES_REQUESTED: _l("Changes requested"),
    Decision.ACCEPTED: _l("Accepted"),
    Decision.DECLINED: _l("Declined"),
}
Errors = dict[str, list[str]]


class InvalidInitiative(DomainError):
    """Some fields are wrong: ``errors`` maps each field to its messages."""

    code = "invalid"

    def __init__(self, errors: Errors):
        super().__init__(_("Please correct the highlighted fields."))
        self.errors = errors


@dataclass
class InitiativeData:
    title_fr: str | None = None
    title_en: str | None = None
    summary_fr: str | None = None
    summary_en: str | None = None
    cite: str | None = None
    organisation: str | None = None
    country: str = ""
    kind: str = ""
    themes: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_email: str = ""
    language: str = "fr"
    consent_publish: bool = False
    picture: bytes | None = None  # new bytes as sent; None keeps the one held
    picture_type: str | None = None
    remove_picture: bool = False


def data_of(initiative: Initiative) -> InitiativeData:
    names = (
        "title_fr", "title_en", "summary_fr", "summary_en", "cite", "organisation", "country",
        "kind", "contact_name", "contact_email", "language", "consent_publish",
    )  # fmt: skip
    values = {name: getattr(initiative, name) for name in names}
    return InitiativeData(**values, themes=list(initiative.themes or []))


# -- the call


@dataclass(frozen=True)
class CallState:
    key: str  # not_set (no opening date: never opens) / not_yet / open / closed
    opens_at: datetime | None
    closes_at: datetime | None  # None: never closes (the demo's call without a closing date)
    closes_with_edition: bool = False  # no closing date was set: closes_at is the edition's end

    @property
    def is_open(self) -> bool:
        return self.key == "open"


def call_closes_at(edition: Edition, chosen: datetime | None) -> datetime | None:
    """When a call closes: the organisers' date, else when its edition ends, since the
    edition's wall and guide are then final. The demo edition's call, kept open to be
    tried as its registration is, closes only if told."""
    if chosen is not None or edition.is_demo:
        return chosen
    return lifecycle.ends_at(edition)


def call_state(edition: Edition, now: datetime) -> CallState:
    opens, chosen = edition.initiatives_open_at, edition.initiatives_close_at
    closes = call_closes_at(edition, chosen)
    if opens is None:
        key = "not_set"
    elif now < opens:
        key = "not_yet"
    elif closes is not None and now >= closes:
        key = "closed"
    else:
        key = "open"
    return CallState(key, opens, closes, closes_with_edition=chosen is None and closes is not None)


def call_open(edition: Edition, now: datetime) -> bool:
    return call_state(edition, now).is_open


# -- checks


def check(db: DbSession, data: InitiativeData, *, held_cite: str | None = None) -> Errors:
    """Every field's rule; fills ``data`` with cleaned values (and the picture, re-encoded)."""
    errors: Errors = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name, limit in (("title", TITLE_MAX), ("summary", SUMMARY_MAX)):
        for lang in LANGUAGES:
            key = f"{name}_{lang}"
            value = _clean(getattr(data, key), multiline=name == "summary")
            setattr(data, key, value)
            if value and len(value) > limit:
                add(key, _("Please keep it under %(max)d characters.", max=limit))
            elif value and unprintable(value):
                add(key, _("This contains characters that cannot be printed."))
    if not (data.title_fr or data.title_en):
        add("title", _("Please give a title, in French or in English."))
    if not (data.summary_fr or data.summary_en):
        add("summary", _("Please describe the initiative, in French or in English."))
    data.cite = (data.cite or "").strip() or None
    data.organisation = _clean(data.organisation)
    known = {c.key for c in cites.directory(db, active_only=True)} | {held_cite}
    if data.cite is not None and data.cite not in known:
        add("cite", _("Please choose a Cité from the directory, or “None”."))
    if data.cite is None and not data.organisation:
        add("cite", _("Please choose your Cité, or name your organisation."))
    if data.organisation and (len(data.organisation) > NAME_MAX or unprintable(data.organisation)):
        add("organisation", _("Please keep it under %(max)d characters.", max=NAME_MAX))
    data.country = (data.country or "").strip().upper()
    if not is_country(data.country):
        add("country", _("Please choose your country."))
    if data.kind not in {k.value for k in InitiativeKind}:
        add("kind", _("Please choose a kind from the list."))
    themes = list(dict.fromkeys(data.themes or []))
    if not themes or any(theme not in THEME_LABELS for theme in themes):
        add("themes", _("Please choose one or more themes from the list."))
    data.themes = themes
    data.contact_name = _clean(data.contact_name) or ""
    if not data.contact_name:
        add("contact_name", _("Please give a contact person."))
    elif len(data.contact_name) > NAME_MAX or unprintable(data.contact_name):
        add("contact_name", _("Please keep it under %(max)d characters.", max=NAME_MAX))
    email = normalized_email((data.contact_email or "").strip())
    if email is None or len(email) > EMAIL_MAX:
        add("contact_email", _("This does not look like an e-mail address."))
    data.contact_email = email or (data.contact_email or "").strip()
    if data.language not in LANGUAGES:
        add("language", _("Please choose French or English."))
    if data.consent_publish is not True:
        add(
            "consent_publish",
            _("We need your agreement to publish it on the wall and in the guide."),
        )
    if data.picture:
        try:
            data.picture, data.picture_type = pictures.clean_picture(data.picture)
        except pictures.BadPicture as bad:
            reason = str(bad)
            add(
                "picture",
                _("This picture is too large (8 MB at most).")
                if reason == "too_large"
                else _("Please send a JPEG, PNG or WebP image."),
            )
    return errors


def _clean(value: str | None, *, multiline: bool = False) -> str | None:
    if value is None:
        return None
    value = value.replace("\r\n", "\n").strip()
    if not multiline:
        value = " ".join(value.split())
    return value or None


def unprintable(value: str) -> bool:
    return bool(re.search(r"[\x00-\x08\x0b-\x1f\x7f]", value))


def apply_data(initiative: Initiative, data: InitiativeData, now: datetime) -> None:
    for name in (
        "title_fr", "title_en", "summary_fr", "summary_en", "cite", "organisation", "country",
        "kind", "contact_name", "contact_email", "language", "consent_publish",
    ):  # fmt: skip
        setattr(initiative, name, getattr(data, name))
    initiative.themes = list(data.themes)
    if data.picture:
        initiative.picture, initiative.picture_type = data.picture, data.picture_type
    elif data.remove_picture:
        initiative.picture, initiative.picture_type = None, None
    initiative.updated_at = now


# -- the submitter


def submit(db: DbSession, edition: Edition, data: InitiativeData, *, now: datetime) -> Initiative:
    """A new initiative, when the call is open; its private link is e-mailed."""
    begin_write(db)  # one writer at a time on SQLite: decide on what is current
    errors = check(db, data)
    if not call_open(edition, now):
        raise DomainError(_("The call for initiatives is not open."), code="call_closed")
    if errors:
        raise InvalidInitiative(errors)
    initiative = Initiative(edition_id=edition.id, created_at=now)
    initiative.edition = edition
    apply_data(initiative, data, now)
    db.add(initiative)
    db.flush()
    audit.record(db, "public", "initiative.submit", f"initiative:{initiative.id}", edition=edition)
    notify_submitter(db, initiative, "initiative_received", now)
    return initiative


def get_by_token(db: DbSession, token: str) -> Initiative:
    initiative = db.scalar(sa.select(Initiative).where(Initiative.edit_token == token))
    if initiative is None or not token:
        raise NotFound("no initiative with this link")
    return initiative


def update_by_submitter(
    db: DbSession, initiative: Initiative, data: InitiativeData, *, now: datetime
) -> None:
    """Until it is decided; changes asked for are then back with the organisers."""
    begin_write(db)
    if initiative.is_decided:
        raise DomainError(
            _("This initiative has been decided: it can no longer be changed here."),
            code="decided",
        )
    errors = check(db, data, held_cite=initiative.cite)
    if errors:
        raise InvalidInitiative(errors)
    apply_data(initiative, data, now)
    if initiative.decision == Decision.CHANGES_REQUESTED:
        initiative.decision = Decision.SUBMITTED.value
    audit.record(
        db, "submitter", "initiative.update", f"initiative:{initiative.id}",
        edition=initiative.edition_id,
    )  # fmt: skip
    db.flush()


# -- an edition's initiatives


def get(db: DbSession, edition: Edition, initiative_id: int) -> Initiative:
    initiative = db.get(Initiative, initiative_id)
    if initiative is None or initiative.edition_id != edition.id:
        raise NotFound(f"no initiative {initiative_id} in {edition.slug}")
    return initiative


def listing(db: DbSession, edition: Edition, decision: str | None = None) -> list[Initiative]:
    query = sa.select(Initiative).where(Initiative.edition_id == edition.id)
    if decision:
        query = query.where(Initiative.decision == decision)
    return list(db.scalars(query.order_by(Initiative.created_at, Initiative.id)))


def counts(db: DbSession, edition: Edition) -> dict[str, int]:
    rows = db.execute(
        sa.select(Initiative.decision, sa.func.count())
        .where(Initiative.edition_id == edition.id)
        .group_by(Initiative.decision)
    ).all()
    return {decision.value: 0 for decision in Decision} | dict(rows)


# -- the wall


@dataclass
class WallFilter:
    cite: str = ""
    country: str = ""
    kind: str = ""
    theme: str = ""

    @classmethod
    def from_args(cls, args) -> WallFilter:
        return cls(
            **{
                name: (args.get(name) or "").strip()[:60]
                for name in ("cite", "country", "kind", "theme")
            }
        )

    def matches(self, initiative: Initiative) -> bool:
        return (
            (not self.cite or initiative.cite == self.cite)
            and (not self.country or initiative.country == self.country.upper())
            and (not self.kind or initiative.kind == self.kind)
            and (not self.theme or self.theme in (initiative.themes or []))
        )


def accepted(db: DbSession, edition: Edition, wall: WallFilter | None = None) -> list[Initiative]:
    """What is public: accepted initiatives, by Cité then title."""
    rows = listing(db, edition, Decision.ACCEPTED)
    names = cites.by_key(db)
    rows = [i for i in rows if wall is None or wall.matches(i)]
    return sorted(rows, key=lambda i: (cites.label(names, i.cite) or i.organisation or "", i.id))


def facets(rows: list[Initiative]) -> dict[str, list[str]]:
    """The values the wall's filters offer: those its accepted initiatives hold."""
    return {
        "cites": sorted({i.cite for i in rows if i.cite}),
        "countries": sorted({i.country for i in rows}),
        "kinds": [k.value for k in InitiativeKind if any(i.kind == k for i in rows)],
        "themes": [t for t in THEME_LABELS if any(t in (i.themes or []) for i in rows)],
    }


def public_json(initiative: Initiative, names: dict, picture_url: str | None) -> dict:
    return {
        "id": initiative.id,
        "title": {"fr": initiative.text("title", "fr"), "en": initiative.text("title", "en")},
        "summary": {
            "fr": initiative.text("summary", "fr"),
            "en": initiative.text("summary", "en"),
        },
        "cite": initiative.cite,
        "cite_name": cites.label(names, initiative.cite) or None,
        "organisation": initiative.organisation,
        "country": initiative.country,
        "kind": initiative.kind,
        "themes": list(initiative.themes or []),
        "contact_name": initiative.contact_name,
        "picture_url": picture_url,
    }


# -- mail


def notify_submitter(db: DbSession, initiative: Initiative, template: str, now: datetime) -> None:
    language = initiative.language
    edition = initiative.edition
    with force_locale(language):
        decision_label = str(DECISION_LABELS[Decision(initiative.decision)])
    writing.queue_mail(
        db,
        to=initiative.contact_email,
        template=template,
        language=language,
        purpose="initiative",
        now=now,
        edition=edition,
        initiative=initiative,
        title=initiative.text("title", language),
        decision_label=decision_label,
        edit_url=absolute_url("initiatives.edit", slug=edition.slug, token=initiative.edit_token),
        wall_url=absolute_url("initiatives.wall", slug=edition.slug),
    )
