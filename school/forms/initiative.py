"""The initiative form (submitters and organisers): fields, CSRF, what was typed. The rules
are the service's; this form turns the request into ``InitiativeData`` and shows errors."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from school.extensions import db
from school.forms import place_errors
from school.services.email_addresses import EMAIL_MAX
from school.services.network import cites
from school.services.network.countries import sorted_countries
from school.services.network.initiatives import (
    KIND_LABELS,
    NAME_MAX,
    SUMMARY_MAX,
    THEME_LABELS,
    TITLE_MAX,
    InitiativeData,
)
from school.services.network.pictures import MAX_BYTES


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):  # the service decides what is acceptable
        pass


class InitiativeForm(FlaskForm):
    title_fr = StringField(_l("Title in French"), render_kw={"maxlength": TITLE_MAX})
    title_en = StringField(_l("Title in English"), render_kw={"maxlength": TITLE_MAX})
    summary_fr = TextAreaField(
        _l("Summary in French"), render_kw={"maxlength": SUMMARY_MAX, "rows": 6}
    )
    summary_en = TextAreaField(
        _l("Summary in English"), render_kw={"maxlength": SUMMARY_MAX, "rows": 6}
    )
    cite = SelectField(_l("Cité des métiers"), validate_choice=False)
    organisation = StringField(
        _l("Other organisation"), render_kw={"maxlength": NAME_MAX, "autocomplete": "organization"}
    )
    country = SelectField(_l("Country"), validate_choice=False)
    kind = RadioField(_l("Kind"), validate_choice=False)
    themes = _Checkboxes(_l("Themes"))
    contact_name = StringField(
        _l("Contact person"), render_kw={"maxlength": NAME_MAX, "autocomplete": "name"}
    )
    contact_email = EmailField(
        _l("Contact e-mail"), render_kw={"maxlength": EMAIL_MAX, "autocomplete": "email"}
    )
    language = RadioField(
        _l("Language for our e-mails"),
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
        validate_choice=False,
    )
    picture = FileField(
        _l("A picture (optional: JPEG, PNG or WebP, 8 MB at most)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    remove_picture = BooleanField(_l("Remove the picture"))
    consent_publish = BooleanField(
        _l("I agree that this initiative is published on the wall of initiatives (with the"
           " contact person's name) and in the guide of good practices (with their name and"
           " e-mail address).")
    )  # fmt: skip

    def prepare(self, language: str) -> InitiativeForm:
        self.cite.choices = [
            ("", _l("None: another organisation (name it below)")),
            *((c.key, c.name) for c in cites.directory(db.session, active_only=True)),
        ]
        self.country.choices = [("", _l("Choose…")), *sorted_countries(language)]
        self.kind.choices = list(KIND_LABELS.items())
        self.themes.choices = list(THEME_LABELS.items())
        return self

    def to_data(self) -> InitiativeData:
        upload = self.picture.data
        picture = None
        if upload is not None and getattr(upload, "filename", ""):
            picture = upload.read(MAX_BYTES + 1)  # one byte more tells it is too large
        return InitiativeData(
            title_fr=self.title_fr.data,
            title_en=self.title_en.data,
            summary_fr=self.summary_fr.data,
            summary_en=self.summary_en.data,
            cite=self.cite.data,
            organisation=self.organisation.data,
            country=self.country.data or "",
            kind=self.kind.data or "",
            themes=list(self.themes.data or []),
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            language=self.language.data or "fr",
            consent_publish=bool(self.consent_publish.data),
            picture=picture or None,
            remove_picture=bool(self.remove_picture.data),
        )

    def fill(self, data: InitiativeData) -> None:
        for name in (
            "title_fr", "title_en", "summary_fr", "summary_en", "cite", "organisation",
            "country", "kind", "themes", "contact_name", "contact_email", "language",
            "consent_publish",
        ):  # fmt: skip
            getattr(self, name).data = getattr(data, name)
        held = self.cite.data
        if held and held not in {key for key, _ in self.cite.choices}:
            self.cite.choices.append((held, cites.label(cites.by_key(db.session), held)))

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        french = {"title": "title_fr", "summary": "summary_fr"}
        return place_errors(self, errors, lambda name: french.get(name, name))


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), validate_choice=False)
    message = TextAreaField(
        _l("Message to the submitter (sent with the decision)"),
        render_kw={"maxlength": SUMMARY_MAX, "rows": 4},
    )

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        return place_errors(self, errors)


class CallForm(FlaskForm):
    opens_at = StringField(_l("The call opens (local time)"), render_kw={"type": "datetime-local"})
    closes_at = StringField(
        _l("The call closes (local time; empty: when the edition ends)"),
        render_kw={"type": "datetime-local"},
    )

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        self.closes_at.errors = list(errors.get("closes_at", []))
        self.opens_at.errors = list(errors.get("opens_at", []))
        return [m for k, v in errors.items() if k not in ("opens_at", "closes_at") for m in v]


class CiteForm(FlaskForm):
    key = StringField(_l("Key (never changes)"), render_kw={"maxlength": 60})
    name = StringField(_l("Name, in the Cité's own language"), render_kw={"maxlength": 200})
    city = StringField(_l("City"), render_kw={"maxlength": 120})
    country = SelectField(_l("Country"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    website = StringField(_l("Website"), render_kw={"maxlength": 300, "type": "url"})

    def prepare(self, language: str) -> CiteForm:
        self.country.choices = [("", _l("Choose…")), *sorted_countries(language)]
        self.status.choices = [(k.value, v) for k, v in cites.STATUS_LABELS.items()]
        return self

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        return place_errors(self, errors)
