"""Forms of the speakers' corner."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp


class ConfirmForm(FlaskForm):
    """ "I confirm I will speak", for one session (or all when no session is given)."""

    session_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


class DetailsForm(FlaskForm):
    """What a speaker may correct about themselves; the rest is the organisers'."""

    function_fr = StringField(_l("Function (in French)"), [Optional(), Length(max=300)])
    function_en = StringField(_l("Function (in English)"), [Optional(), Length(max=300)])
    organisation = StringField(_l("Organisation"), [Optional(), Length(max=200)])
    bio_fr = TextAreaField(_l("Short bio (in French)"), [Optional(), Length(max=2000)])
    bio_en = TextAreaField(_l("Short bio (in English)"), [Optional(), Length(max=2000)])
