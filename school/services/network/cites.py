"""The directory of Cités des métiers: shipped as ``data/cites.yaml``, kept in the database
and edited in the back office. Registrations and initiatives name a Cité by its key."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import object_session

from school import keeping, watched_tables
from school.database import begin_write, utcnow
from school.models import Cite
from school.models.vocabulary import CiteStatus
from school.paths import DATA_DIR
from school.services import audit
from school.services.errors import DomainError, NotFound
from school.services.network.countries import is_country

SHIPPED_FILE = DATA_DIR / "cites.yaml"
KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
STATUS_LABELS = {
    CiteStatus.MEMBER: _l("Member"),
    CiteStatus.IN_PREPARATION: _l("In preparation"),
    CiteStatus.ASSOCIATED: _l("Associated centre"),
    CiteStatus.FORMER: _l("Former member"),
}
# The Cités a participant or a submitter may name today.
ACTIVE = (CiteStatus.MEMBER, CiteStatus.IN_PREPARATION, CiteStatus.ASSOCIATED)


class InvalidCite(DomainError):
    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(_l("Please correct the highlighted fields.")))
        self.errors = errors


@dataclass(frozen=True)
class ShippedCite:
    key: str
    name: str
    country: str
    city: str
    status: str
    website: str | None
    aliases: tuple[str, ...]


@cache
def shipped() -> tuple[ShippedCite, ...]:
    entries = yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))
    return tuple(
        ShippedCite(
            key=e["key"], name=e["name"], country=e["country"], city=e["city"],
            status=e.get("status", "member"), website=e.get("website"),
            aliases=tuple(e.get("aliases", ())),
        )
        for e in entries
    )  # fmt: skip


def load_shipped(db: DbSession, *, now: datetime | None = None) -> int:
    """Add the shipped Cités whose key the database lacks; returns how many. What
    organisers edited stays as it is."""
    held = set(db.scalars(sa.select(Cite.key)))
    added = 0
    for entry in shipped():
        if entry.key in held:
            continue
        db.add(
            Cite(
                key=entry.key, name=entry.name, country=entry.country, city=entry.city,
                status=entry.status, website=entry.website, updated_at=now or utcnow(),
            )
        )  # fmt: skip
        added += 1
    db.flush()
    return added


def directory(db: DbSession, *, active_only: bool = False) -> list[Cite]:
    """The directory, by name. A database never loaded (a fresh test database) reads the
    shipped file, unsaved."""
    rows = list(db.scalars(sa.select(Cite)))
    if not rows:
        rows = [
            Cite(key=e.key, name=e.name, country=e.country, city=e.city, status=e.status,
                 website=e.website)
            for e in shipped()
        ]  # fmt: skip
    if active_only:
        rows = [c for c in rows if c.status in ACTIVE]
    return sorted(rows, key=lambda c: _fold(c.name))


def by_key(db: DbSession) -> dict[str, Cite]:
    return {c.key: c for c in directory(db)}


def get(db: DbSession, key: str) -> Cite:
    cite = db.get(Cite, key)
    if cite is None:
        raise NotFound(f"no Cité {key!r}")
    return cite


def label(names: dict[str, Cite], value: str | None) -> str:
    """A registration's or initiative's Cité as people read it: the directory's name for a
    key, the text itself otherwise."""
    if not value:
        return ""
    cite = names.get(value)
    return cite.name if cite is not None else value


def key_for_name(text: str, known: list[Cite] | None = None) -> str | None:
    """The key a Cité's name (or shipped alias, or key) stands for, ignoring case and accents."""
    folded = _fold(text)
    if not folded:
        return None
    for entry in shipped():
        if folded in {_fold(entry.key), _fold(entry.name), *map(_fold, entry.aliases)}:
            return entry.key
    for cite in known or ():
        if folded in {_fold(cite.key), _fold(cite.name)}:
            return cite.key
    return None


def update(db: DbSession, key: str, values: dict[str, Any], *, actor: audit.Actor) -> Cite:
    """Change a Cité's entry (its key stays); a new key adds one."""
    begin_write(db)
    errors: dict[str, list[str]] = {}
    if db.scalar(sa.select(sa.func.count()).select_from(Cite)) == 0:
        load_shipped(db)  # the first edit keeps the rest of the directory
    cite = db.get(Cite, key)
    if cite is None:
        if not KEY_PATTERN.fullmatch(key or "") or len(key) > 60:
            errors["key"] = [str(_l("Lower-case letters, digits and dashes only."))]
        cite = Cite(key=key)
    name = (values.get("name") or "").strip()
    city = (values.get("city") or "").strip()
    country = (values.get("country") or "").strip().upper()
    status = values.get("status") or ""
    website = (values.get("website") or "").strip() or None
    if not name or len(name) > 200:
        errors["name"] = [str(_l("Please give the Cité's name (200 characters at most)."))]
    if not city or len(city) > 120:
        errors["city"] = [str(_l("Please give the city (120 characters at most)."))]
    if not is_country(country):
        errors["country"] = [str(_l("Unknown country."))]
    if status not in {s.value for s in CiteStatus}:
        errors["status"] = [str(_l("Please choose a status from the list."))]
    if website and (not re.fullmatch(r"https?://[^\s<>\"']+", website) or len(website) > 300):
        errors["website"] = [str(_l("Please give a web address starting with https://."))]
    if errors:
        raise InvalidCite(errors)
    if cite not in db:
        db.add(cite)
    cite.name, cite.city, cite.country, cite.status, cite.website = (
        name, city, country, status, website,
    )  # fmt: skip
    cite.updated_at = utcnow()
    audit.record(db, actor, "cite.update", f"cite:{key}", {"name": name, "status": status})
    db.flush()
    return cite


def as_json(cite: Cite) -> dict[str, Any]:
    return {
        "key": cite.key, "name": cite.name, "country": cite.country, "city": cite.city,
        "status": cite.status, "website": cite.website,
    }  # fmt: skip


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", (text or "").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def name_of(owner: Any) -> str:
    """The Cité of a registration or an initiative (``owner.cite``) as people read it: the
    directory's name, else the shipped one, else the text as stored."""
    value = getattr(owner, "cite", None)
    if not value:
        return ""
    db = object_session(owner)
    names = directory_names(db) if db is not None else {}
    if value in names:
        return names[value]
    entry = next((e for e in shipped() if e.key == value), None)
    return entry.name if entry is not None else value


# The directory, kept by each process while it does not change (school/data_versions.py).
DIRECTORY_TABLES = watched_tables.watched("cites")


def directory_names(db: DbSession) -> dict[str, str]:
    """Every Cité's name by key, as saved (not the shipped file): shown in every row of
    the organisers' tables, so each process keeps it while the directory does not change."""
    return keeping.keep(
        db,
        "cite-names",
        DIRECTORY_TABLES,
        "names",
        lambda: dict(db.execute(sa.select(Cite.key, Cite.name)).all()),
    )
