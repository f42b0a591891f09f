from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import EqualTo, NumberRange, Optional

from school.database import MAX_ID
from school.forms.organiser_programme import ProblemsForm


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"})


class PasswordForm(ProblemsForm):
    """An organiser's new password; the rule it must meet is the service's."""

    current = PasswordField(_l("Current password"), render_kw={"autocomplete": "current-password"})
    password = PasswordField(
        _l("New password"), render_kw={"autocomplete": "new-password", "minlength": 12}
    )
    confirm = PasswordField(
        _l("New password, again"),
        validators=[EqualTo("password", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class GroupForm(FlaskForm):
    key = StringField(_l("Short name (for files and links)"), render_kw={"maxlength": 80})
    title_fr = StringField(_l("Title in French"), render_kw={"maxlength": 300})
    title_en = StringField(_l("Title in English"), render_kw={"maxlength": 300})
    mode = SelectField(
        _l("How seats are given"),
        choices=[
            ("first_come", _l("First come, first served (with waiting lines)")),
            ("preference", _l("By preference: participants rank, then an allocation")),
        ],
    )
    preferences_close_at = DateTimeLocalField(
        _l("Preferences close at (local time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    sessions = SelectMultipleField(_l("Sessions"), coerce=int, validate_choice=False)


class RunForm(FlaskForm):
    seed = IntegerField(_l("Seed (leave empty for a new random order)"), validators=[Optional()])
    mix = SelectField(
        _l("Spread inside each session"),
        choices=[("", _l("No preference")), ("cite", _l("Cités")), ("country", _l("Countries"))],
    )


class AdjustForm(FlaskForm):
    registration_id = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])
    session_id = StringField()


class ConfirmForm(FlaskForm):
    pass


class MemberCodeForm(FlaskForm):
    """A new member code: drawn at random (empty), or chosen by the organisers."""

    code = StringField(
        _l("Choose the code yourself (optional)"),
        render_kw={"maxlength": 32, "autocomplete": "off", "spellcheck": "false"},
    )


class PrivacyNoticeForm(FlaskForm):
    notice_fr = TextAreaField(_l("Privacy notice in French (Markdown)"), render_kw={"rows": 14})
    notice_en = TextAreaField(_l("Privacy notice in English (Markdown)"), render_kw={"rows": 14})
