"""Forms of the speakers' corner."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from school.forms import place_errors
from school.labels import LANGUAGE_NAMES
from school.services.email_addresses import EMAIL_MAX


class ConfirmForm(FlaskForm):
    """ "I confirm I will speak", for one session (or all when no session is given)."""

    session_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


class DetailsForm(FlaskForm):
    """What a speaker may correct about themselves; the rest is the organisers'. The
    address and the language are checked by the service (``speakers.update_details``)."""

    function_fr = StringField(_l("Function (in French)"), [Optional(), Length(max=300)])
    function_en = StringField(_l("Function (in English)"), [Optional(), Length(max=300)])
    organisation = StringField(_l("Organisation"), [Optional(), Length(max=200)])
    bio_fr = TextAreaField(_l("Short bio (in French)"), [Optional(), Length(max=2000)])
    bio_en = TextAreaField(_l("Short bio (in English)"), [Optional(), Length(max=2000)])
    email = EmailField(
        _l("E-mail"),
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX, "spellcheck": "false"},
    )
    language = SelectField(
        _l("Language for our e-mails"),
        # Each named in itself, and said so to screen readers.
        choices=[(code, name, {"lang": code}) for code, name in LANGUAGE_NAMES.items()],
        validate_choice=False,
    )

    def error_fields(self) -> list[tuple[str, str]]:
        """The fields in trouble, in the page's order: (element id, label), for the summary
        above the form that links to each of them."""
        return [(f.id, str(f.label.text)) for f in self if f.errors and f.name != "csrf_token"]

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        return place_errors(self, errors)
