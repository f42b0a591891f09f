"""The organisers' e-mails: what they write, checked, previewed and rendered into the
outbox for the audience they chose (who that is: ``audience``).

Subject and body are written per language, with placeholders ``{first_name}``,
``{last_name}``, ``{name}``, ``{manage_link}`` (a participant's private page, a
speaker's page) and ``{edition}``. They are filled by plain substitution of that
whitelist (``string.Formatter`` only parses): no attribute or index access, no format
specification, no template language, so an organiser's text can neither reach Python
objects nor run code. The body is Markdown (``rich_text``): the e-mail's text part is
what was written, its HTML part the rendering, both inside the shared header and footer.

A mailing is news unless marked essential (practical information about taking part):
news carries an unsubscribe link (List-Unsubscribe, RFC 8058) and skips whoever used
one; an essential mailing goes to all of its audience.

Messages are rendered into the outbox in the request, flushed once, and sent by the
background sender or the mail worker: the request never waits for a mail server.
Progress is counted on the outbox batch.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import asdict, dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session as DbSession

from school.models import Edition, Mailing, OutboxMessage
from school.models.localized import fallback_order
from school.models.vocabulary import MailingAudience
from school.services import audit
from school.services.errors import DomainError, NotFound
from school.services.mail import outbox, rich_text, unsubscribe, writing
from school.services.mail.audience import Recipient, check_audience, first_recipient, recipients
from school.services.registration.data import Errors
from school.urls import absolute_url

PLACEHOLDERS = ("first_name", "last_name", "name", "manage_link", "edition")
SUBJECT_MAX = 200
BODY_MAX = 20000


class InvalidMailing(DomainError):
    code = "invalid"

    def __init__(self, errors: Errors):
        super().__init__(_("Please correct the highlighted fields."))
        self.errors = errors


@dataclass
class Draft:
    audience: str = MailingAudience.ALL.value
    category: str | None = None
    session_id: int | None = None
    subject: dict[str, str] = field(default_factory=dict)  # {"fr": …, "en": …}
    body: dict[str, str] = field(default_factory=dict)  # Markdown
    is_essential: bool = False  # practical information: no unsubscribe link, to all


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with its ``{placeholder}`` replaced; ``{{`` and ``}}`` are braces.
    Raises ValueError naming what is not allowed."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            raise ValueError(shown)
        out.append(values[name])
    return "".join(out)


def _check_text(errors: Errors, name: str, text: str, limit: int) -> None:
    if len(text) > limit:
        errors.setdefault(name, []).append(_("Please keep it under %(max)d characters.", max=limit))
    try:
        fill(text, dict.fromkeys(PLACEHOLDERS, ""))
    except ValueError as exc:
        shown = str(exc) if str(exc).startswith("{") else "{ }"
        errors.setdefault(name, []).append(
            _(
                "Unknown placeholder %(found)s. Use %(known)s; write {{ and }} for braces.",
                found=shown,
                known=", ".join("{" + p + "}" for p in PLACEHOLDERS),
            )
        )


def check(db: DbSession, edition: Edition, draft: Draft) -> None:
    errors: Errors = {}
    draft.subject = {k: " ".join((v or "").split()) for k, v in draft.subject.items()}
    draft.body = {k: (v or "").strip() for k, v in draft.body.items()}
    if not draft.subject.get("fr"):
        errors["subject_fr"] = [_("Please fill in this field.")]
    if not draft.body.get("fr"):
        errors["body_fr"] = [_("Please fill in this field.")]
    if bool(draft.subject.get("en")) != bool(draft.body.get("en")):
        errors["subject_en"] = [_("Give both the English subject and body, or neither.")]
    for lang in ("fr", "en"):
        _check_text(errors, f"subject_{lang}", draft.subject.get(lang, ""), SUBJECT_MAX)
        _check_text(errors, f"body_{lang}", draft.body.get(lang, ""), BODY_MAX)
    check_audience(db, edition, draft, errors)
    if errors:
        raise InvalidMailing(errors)


def _values(edition: Edition, recipient: Recipient, lang: str) -> dict[str, str]:
    return {
        "first_name": recipient.first_name,
        "last_name": recipient.last_name,
        "name": f"{recipient.first_name} {recipient.last_name}".strip(),
        "manage_link": recipient.link,
        "edition": edition.text("title", lang),
    }


def _markdown_values(values: dict[str, str]) -> dict[str, str]:
    """The values as Markdown shows them literally; the link stays a link."""
    return {k: v if k == "manage_link" else rich_text.literal(v) for k, v in values.items()}


def _language(edition: Edition, draft: Draft, recipient: Recipient) -> str:
    """The recipient's language if the mailing has it, else the edition's fallback, else French."""
    order = fallback_order(recipient.language, edition.content_fallback)
    return next(lang for lang in order if draft.subject.get(lang))


@dataclass
class Preview:
    language: str
    subject: str
    body: str  # the text part
    html: Markup  # the rendered Markdown


def preview(db: DbSession, edition: Edition, draft: Draft) -> list[Preview]:
    """The message as its first recipient would read it, in each language written."""
    check(db, edition, draft)
    sample = first_recipient(db, edition, draft) or Recipient(
        "",
        "Majda",
        "Jelenčić",
        "fr",
        absolute_url("participant.manage", token="…"),  # noqa: S106 - a sample link
    )
    previews = []
    for lang in ("fr", "en"):
        if not draft.subject.get(lang):
            continue
        values = _values(edition, sample, lang)
        previews.append(
            Preview(
                lang,
                fill(draft.subject[lang], values),
                fill(draft.body[lang], values),
                rich_text.to_html(fill(draft.body[lang], _markdown_values(values))),
            )
        )
    return previews


def confirmation(draft: Draft, recipients: int) -> str:
    """What the organiser confirms when the preview has shown them this message and how
    many it goes to: the send button carries it, and a message whose text, audience or
    number of recipients changed since asks again (nothing is sent by a slip)."""
    seen = repr((asdict(draft), recipients)).encode()
    return hashlib.sha256(seen).hexdigest()[:32]


def queue(db: DbSession, edition: Edition, draft: Draft, *, actor, now: datetime) -> Mailing:
    """Render one message per recipient into the outbox, as one batch."""
    check(db, edition, draft)
    batch = writing.new_batch()
    mailing = Mailing(
        edition_id=edition.id,
        batch=batch,
        audience=draft.audience,
        category=draft.category if draft.audience == MailingAudience.CATEGORY else None,
        session_id=draft.session_id
        if draft.audience in (MailingAudience.SESSION, MailingAudience.WAITLIST)
        else None,
        subject_fr=draft.subject["fr"],
        subject_en=draft.subject.get("en") or None,
        body_fr=draft.body["fr"],
        body_en=draft.body.get("en") or None,
        is_essential=draft.is_essential,
        organiser_id=getattr(actor, "id", None),
        created_at=now,
    )
    people = recipients(db, edition, draft)
    links = (
        {}
        if draft.is_essential
        else unsubscribe.links_for(db, edition, [p.key for p in people], now=now)
    )
    for recipient in people:
        lang = _language(edition, draft, recipient)
        values = _values(edition, recipient, lang)
        writing.queue_mail(
            db,
            to=recipient.email,
            template="organiser_message",
            language=lang,
            purpose="mailing",
            batch=batch,
            now=now,
            flush=False,
            registration=recipient.registration,
            # The page it opens speaks the message's language.
            unsubscribe_url=f"{links[recipient.key]}?lang={lang}" if links else None,
            edition=edition,
            subject=fill(draft.subject[lang], values),
            body=fill(draft.body[lang], values),
            body_html=rich_text.to_html(fill(draft.body[lang], _markdown_values(values))),
        )
    count = len(people)
    mailing.recipients = count
    db.add(mailing)
    db.flush()
    audit.record(
        db,
        actor,
        "mailing.queued",
        f"mailing:{mailing.id}",
        {
            "audience": draft.audience,
            "recipients": count,
            "subject": mailing.subject_fr,
            "essential": draft.is_essential,
        },
        edition=edition,
        now=now,
    )
    db.flush()
    return mailing


@dataclass
class Progress:
    total: int = 0
    sent: int = 0
    failed: int = 0  # given up after the last attempt

    @property
    def pending(self) -> int:
        return self.total - self.sent - self.failed

    @property
    def done(self) -> bool:
        return self.pending == 0


def progress(db: DbSession, batches: list[str]) -> dict[str, Progress]:
    if not batches:
        return {}
    rows = db.execute(
        sa.select(
            OutboxMessage.batch,
            sa.func.count(),
            sa.func.count(OutboxMessage.sent_at),
            sa.func.sum(sa.case((outbox.is_given_up(), 1), else_=0)),
        )
        .where(OutboxMessage.batch.in_(batches))
        .group_by(OutboxMessage.batch)
    ).all()
    return {batch: Progress(total, sent, failed or 0) for batch, total, sent, failed in rows}


def mailings(db: DbSession, edition: Edition) -> list[tuple[Mailing, Progress]]:
    found = db.scalars(
        sa.select(Mailing)
        .where(Mailing.edition_id == edition.id)
        .order_by(Mailing.created_at.desc(), Mailing.id.desc())
    ).all()
    counts = progress(db, [m.batch for m in found])
    return [(m, counts.get(m.batch, Progress())) for m in found]


def get_mailing(db: DbSession, edition: Edition, mailing_id: int) -> tuple[Mailing, Progress]:
    mailing = db.scalar(
        sa.select(Mailing).where(Mailing.id == mailing_id, Mailing.edition_id == edition.id)
    )
    if mailing is None:
        raise NotFound("no such mailing")
    return mailing, progress(db, [mailing.batch]).get(mailing.batch, Progress())
