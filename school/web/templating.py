"""What every template can use: localized content, dates in the edition's timezone,
labels of the vocabulary, and the language switch."""

from __future__ import annotations

import re

from flask import Flask, get_flashed_messages, has_request_context, request, url_for
from flask_babel import format_decimal
from flask_wtf import FlaskForm
from jinja2 import pass_context, pass_eval_context
from markupsafe import Markup, escape

from school import i18n
from school.database import utcnow
from school.extensions import db
from school.labels import (
    ADMISSION_LABELS,
    AUDIENCE_LABELS,
    CATEGORY_LABELS,
    CHOICE_STATUS_LABELS,
    KIND_LABELS,
    LANGUAGE_NAMES,
    MAIL_FAILURE_LABELS,
    ORGANISER_ROLE_LABELS,
    ROLE_LABELS,
    VERDICT_LABELS,
    session_title,
)
from school.services.mail import rich_text
from school.services.network import cites
from school.services.programme import lifecycle


def register_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        lang_url=lang_url,
        language=i18n.language,
        page_languages=i18n.page_languages,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        KIND_LABELS=KIND_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        ORGANISER_ROLE_LABELS=ORGANISER_ROLE_LABELS,
        AUDIENCE_LABELS=AUDIENCE_LABELS,
        CATEGORY_LABELS=CATEGORY_LABELS,
        CHOICE_STATUS_LABELS=CHOICE_STATUS_LABELS,
        ADMISSION_LABELS=ADMISSION_LABELS,
        MAIL_FAILURE_LABELS=MAIL_FAILURE_LABELS,
        VERDICT_LABELS=VERDICT_LABELS,
        edition_state=lambda edition: lifecycle.state_of(edition, utcnow()),
        shows_refusal=shows_refusal,
        edition_state_text=lambda edition: lifecycle.describe(edition, utcnow()),
    )
    app.jinja_env.filters.update(
        t=localized,
        tl=localized_inline,
        tp=localized_paragraphs,
        paragraphs=paragraphs,
        markdown=rich_text.to_html,
        time=lambda moment, tz: i18n.local_time(moment, tz),
        day=lambda value, fmt="full": i18n.local_date(value, fmt),
        days=lambda values, fmt="full": i18n.day_list(values, fmt),
        date_range=lambda first, last: i18n.date_range(first, last),
        datetime=lambda moment, tz, fmt="medium": i18n.local_datetime(moment, tz, fmt),
        cite_name=cite_name,
        # "4,4" in French, "4.4" in English: one decimal, in the page's language.
        decimal=lambda value, fmt="0.0": format_decimal(value, fmt),
        session_title=lambda session: session_title(session, i18n.language()),
        moment=lambda moment, tz: lifecycle.when(moment, tz),
        colon=colon,
    )


@pass_eval_context
def colon(context, label) -> str:
    """``{{ _("Room")|colon }}``: the label with its colon, as the language writes it
    ("Salle :"), escaped in an HTML template, as typed in a text one (a plain-text e-mail)."""
    if context.autoescape:  # the label escaped unless it is markup already (``tl``)
        return escape(i18n.label_colon("{}")).format(label)
    return i18n.label_colon(label)


@pass_context
def shows_refusal(context) -> bool:
    """Whether the page says something was refused: a form sent back with its errors (the
    error summary's), or a refusal flashed. Its title then starts with "Error:", as GOV.UK's
    do: the first words a screen reader says of the page, script or not."""
    if any(isinstance(v, FlaskForm) and v.errors for v in context.get_all().values()):
        return True
    if not has_request_context():
        return False
    flashed = get_flashed_messages(with_categories=True)  # read once a request, kept for the body
    return any(category.endswith("error") for category, _message in flashed)


def cite_name(value) -> str:
    """A Cité key (or an object with ``cite``) as its name in the directory."""
    if value is None or isinstance(value, str):
        return cites.label(cites.by_key(db.session), value)
    return cites.name_of(value)


def localized(obj, field: str) -> str:
    """Plain text, for attributes, ``<title>`` and messages."""
    return obj.text(field, i18n.language()) if obj is not None else ""


def localized_inline(obj, field: str) -> Markup:
    """The text, marked with its language where it is not the page's (a fallback), so that
    screen readers pronounce it in the right language."""
    if obj is None:
        return Markup("")
    text, lang = obj.text_and_language(field, i18n.language())
    if lang == i18n.language():
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(lang, text)


def localized_paragraphs(obj, field: str) -> Markup:
    """A longer text as paragraphs, in a block marked with its language if it is a fallback."""
    if obj is None:
        return Markup("")
    text, lang = obj.text_and_language(field, i18n.language())
    body = paragraphs(text)
    if not body or lang == i18n.language():
        return body
    return Markup('<div lang="{}">{}</div>').format(lang, body)


def lang_url(lang: str) -> str:
    """The current page in another language."""
    if request.endpoint is None:
        return f"?lang={lang}"
    args = dict(request.view_args or {})
    args.update({k: v for k, v in request.args.items() if k != "lang"})
    args["lang"] = lang
    return url_for(request.endpoint, **args)


_BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(text: str | None) -> Markup:
    """Plain text with blank lines between paragraphs, as escaped HTML paragraphs."""
    if not text:
        return Markup("")
    parts = [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.split("\n")))
        for p in parts
    )
