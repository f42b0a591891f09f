"""The organisers' e-mail to participants or speakers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField

from school.database import as_id
from school.labels import CATEGORY_LABELS, MAILING_AUDIENCE_LABELS
from school.services.mail.mailing import SUBJECT_MAX, Draft

AUDIENCE_CHOICES = list(MAILING_AUDIENCE_LABELS.items())


class MailingForm(FlaskForm):
    audience = RadioField(
        _l("Send to"), choices=AUDIENCE_CHOICES, default="all", validate_choice=False
    )
    category = SelectField(_l("Category"), validate_choice=False)
    session_id = SelectField(_l("Session"), coerce=as_id, validate_choice=False)
    is_essential = BooleanField(
        _l("Practical information about taking part (to everyone, without an unsubscribe link)")
    )
    subject_fr = StringField(_l("Subject (in French)"), render_kw={"maxlength": SUBJECT_MAX})
    body_fr = TextAreaField(_l("Message (in French)"), render_kw={"rows": 10})
    subject_en = StringField(_l("Subject (in English)"), render_kw={"maxlength": SUBJECT_MAX})
    body_en = TextAreaField(_l("Message (in English)"), render_kw={"rows": 10})

    def prepare(self, sessions, lang: str) -> MailingForm:
        self.category.choices = [("", "—"), *CATEGORY_LABELS.items()]
        self.session_id.choices = [("", "—")] + [(s.id, s.text("title", lang)) for s in sessions]
        return self

    def draft(self) -> Draft:
        return Draft(
            audience=self.audience.data or "",
            category=self.category.data or None,
            session_id=self.session_id.data,
            subject={"fr": self.subject_fr.data or "", "en": self.subject_en.data or ""},
            body={"fr": self.body_fr.data or "", "en": self.body_en.data or ""},
            is_essential=bool(self.is_essential.data),
        )

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Put messages beside their fields; return those that belong to no field."""
        unplaced = []
        for name, messages in errors.items():
            field = self._fields.get(name)
            if field is None:
                unplaced.extend(messages)
            else:
                field.errors = list(field.errors or []) + messages
        return unplaced
