"""The registration form: fields, CSRF and what was typed. The rules are the service's;
this form only turns the request into ``RegistrationData`` and shows the errors."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from school.database import as_id
from school.extensions import db
from school.forms import place_errors
from school.labels import CATEGORY_LABELS, LANGUAGE_NAMES
from school.models import Edition
from school.services.email_addresses import EMAIL_MAX
from school.services.network import cites
from school.services.network.countries import sorted_countries
from school.services.registration.access import MEMBER_CODE_MAX, PUBLIC_CATEGORIES
from school.services.registration.data import NAME_MAX, NOTE_MAX, TEXT_MAX, RegistrationData


def _date_or_none(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):  # the service decides what is acceptable
        pass


class RegistrationForm(FlaskForm):
    first_name = StringField(
        _l("First name"), render_kw={"autocomplete": "given-name", "maxlength": NAME_MAX}
    )
    last_name = StringField(
        _l("Last name"), render_kw={"autocomplete": "family-name", "maxlength": NAME_MAX}
    )
    email = EmailField(_l("E-mail"), render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX})
    organisation = StringField(
        _l("Organisation"), render_kw={"autocomplete": "organization", "maxlength": TEXT_MAX}
    )
    cite = SelectField(_l("Your Cité des métiers"), validate_choice=False)
    country = SelectField(_l("Country"), validate_choice=False)
    category = RadioField(_l("You come as"), validate_choice=False)
    member_code = StringField(
        _l("Member code"),
        render_kw={"maxlength": MEMBER_CODE_MAX, "autocomplete": "off", "spellcheck": "false",
                   "autocapitalize": "characters"},
    )  # fmt: skip
    speaker = HiddenField()  # a speaker's link token, from the speakers' corner
    language = RadioField(
        _l("Language for our e-mails"),
        choices=list(LANGUAGE_NAMES.items()),
        default="fr",
        validate_choice=False,
    )
    days = MultiCheckboxField(_l("Days you attend"), coerce=_date_or_none)
    meals = MultiCheckboxField(_l("Meals"), coerce=as_id)
    sessions = MultiCheckboxField(_l("Sessions"), coerce=as_id)
    dietary = TextAreaField(
        _l("Dietary needs (vegetarian, allergies…)"), render_kw={"maxlength": NOTE_MAX, "rows": 2}
    )
    accessibility = TextAreaField(
        _l("Accessibility needs"), render_kw={"maxlength": NOTE_MAX, "rows": 2}
    )
    privacy_consent = BooleanField(
        _l("I agree that the organisers keep these details to run the School.")
    )
    photo_consent = BooleanField(_l("I agree to appear in photos of the School."))

    def prepare(
        self, edition: Edition, language: str, meals, sessions, *, every_category: bool = False
    ) -> RegistrationForm:
        """``every_category``: the organisers' form; the public chooses member, partner or
        guest, and keeps a category given to them (``speaker``, ``staff``, ``press``)."""
        self.country.choices = [("", _l("Choose…")), *sorted_countries(language)]
        self.cite.choices = [
            ("", _l("None: another organisation (name it above)")),
            *((c.key, c.name) for c in cites.directory(db.session, active_only=True)),
        ]
        self._keep_held_cite()
        if every_category:
            # An organiser fills it in for someone else: the labels speak of that person.
            self.cite.label.text = _l("Cité des métiers")
            self.category.label.text = _l("Category")
            self.days.label.text = _l("Days attended")
            self.privacy_consent.label.text = _l(
                "The person agrees that the organisers keep these details to run the School."
            )
            self.photo_consent.label.text = _l(
                "The person agrees to appear in photos of the School."
            )
        shown = set(CATEGORY_LABELS) if every_category else set(PUBLIC_CATEGORIES)
        if self.category.data in CATEGORY_LABELS:
            shown.add(self.category.data)
        self.category.choices = [(c, label) for c, label in CATEGORY_LABELS.items() if c in shown]
        self.days.choices = [(day, day.isoformat()) for day in edition.dates]
        self.meals.choices = [(s.id, str(s.id)) for s in meals]
        self.sessions.choices = [(s.id, str(s.id)) for s in sessions]
        if not self.is_submitted() and not self.days.data:
            self.days.data = list(edition.dates)
            self.language.data = language
        return self

    rankings: dict[int, list[int | None]] | None = None

    def read_rankings(self, group_ids: list[int]) -> dict[int, list[int | None]]:
        """The ranking selects (``rank-<group>-<n>``): session ids, or "any"; blanks skipped."""
        rankings = {}
        for group_id in group_ids:
            ranking: list[int | None] = []
            for n in range(1, 6):
                value = request.form.get(f"rank-{group_id}-{n}", "")
                if value == "any":
                    ranking.append(None)
                elif value:
                    ranking.append(as_id(value) or -1)
            rankings[group_id] = ranking
        return rankings

    def to_data(self) -> RegistrationData:
        return RegistrationData(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            email=self.email.data or "",
            organisation=self.organisation.data,
            cite=self.cite.data,
            country=self.country.data or "",
            category=self.category.data or "",
            language=self.language.data or "",
            days=[d for d in (self.days.data or []) if d is not None],
            meals=[m for m in (self.meals.data or []) if m is not None],
            sessions=[s for s in (self.sessions.data or []) if s is not None],
            rankings=self.rankings or {},
            dietary=self.dietary.data,
            accessibility=self.accessibility.data,
            privacy_consent=bool(self.privacy_consent.data),
            photo_consent=bool(self.photo_consent.data),
            member_code=self.member_code.data or None,
            speaker_token=self.speaker.data or None,
        )

    def fill(self, data: RegistrationData) -> None:
        for name in (
            "first_name", "last_name", "email", "organisation", "cite", "country",
            "category", "language", "days", "meals", "sessions", "dietary",
            "accessibility", "privacy_consent", "photo_consent",
        ):  # fmt: skip
            getattr(self, name).data = getattr(data, name)
        self.rankings = data.rankings
        self._keep_held_cite()

    def _keep_held_cite(self) -> None:
        """A former member, no longer offered, stays selectable for who already named it."""
        held = self.cite.data
        if held and self.cite.choices and held not in {key for key, _ in self.cite.choices}:
            self.cite.choices.append((held, cites.label(cites.by_key(db.session), held)))

    ranking_errors: dict[int, list[str]] | None = None
    # Why a session chosen cannot be had as things stand (``InvalidRegistration.by_session``).
    session_errors: dict[int, list[str]] | None = None

    def error_fields(self) -> list[tuple[str, str]]:
        """The fields in trouble, in the page's order: (element id, label), for the summary
        at the top of the form that links to each of them."""
        found = []
        for name, field in self._fields.items():
            if field.errors and name not in ("csrf_token", "speaker"):
                found.append((_anchor(name, field), str(field.label.text)))
        found.extend(
            (f"ranking-{group_id}", str(_l("Your preferences")))
            for group_id, messages in (self.ranking_errors or {}).items()
            if messages
        )
        order = [*self._fields]
        return sorted(found, key=lambda item: _position(item[0], order))

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Put messages beside their fields (a group's ranking: ``ranking_<group id>``);
        return those that belong to no field."""
        self.ranking_errors = {
            int(name.removeprefix("ranking_")): messages
            for name, messages in errors.items()
            if name.startswith("ranking_")
        }
        others = {n: m for n, m in errors.items() if not n.startswith("ranking_")}
        return place_errors(self, others)


def _anchor(name: str, field) -> str:
    """Where the summary's link leads: the first box of a group of choices, else the field."""
    if name in ("category", "language"):
        return f"{field.id}-0"
    if name == "days":
        return "days-0"
    if name in ("meals", "sessions"):
        return f"{name}-group"
    return field.id


def _position(anchor: str, order: list[str]) -> int:
    if anchor.startswith("ranking-"):  # the preferences follow the sessions on the page
        anchor = "sessions"
    for index, name in enumerate(order):
        if anchor == name or anchor.startswith(f"{name}-"):
            return index
    return len(order)


class LostLinkForm(FlaskForm):
    email = EmailField(_l("E-mail"), render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX})

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        self.email.errors = list(self.email.errors or []) + errors.get("email", [])
        return [m for name, messages in errors.items() if name != "email" for m in messages]


class CancelForm(FlaskForm):
    pass


class ChoiceActionForm(FlaskForm):
    """One tap on the participant's page: leave, join or swap one session."""

    session_id = HiddenField()
    to_session = HiddenField()
    give_up_seat = BooleanField()
    member_code = StringField(
        _l("Member code"), render_kw={"maxlength": MEMBER_CODE_MAX, "autocomplete": "off"}
    )
