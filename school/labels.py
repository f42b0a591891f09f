"""Names of the vocabulary shown to people, in their language (keyed by the members of
``models.vocabulary``: a value renamed there cannot be left behind here)."""

from flask_babel import gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l

from school.models.vocabulary import (
    Admission,
    Audience,
    Category,
    ChoiceStatus,
    MailFailure,
    MailingAudience,
    OrganiserRole,
    Role,
    SessionKind,
    SessionStatus,
    Verdict,
)

KIND_LABELS = {
    SessionKind.PLENARY: _l("Plenary"),
    SessionKind.CONFERENCE: _l("Conference"),
    SessionKind.ROUND_TABLE: _l("Round table"),
    SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.VISIT: _l("Visit"),
    SessionKind.MEETING: _l("Meeting"),
    SessionKind.SOCIAL: _l("Social event"),
    SessionKind.BREAK: _l("Break"),
}
ROLE_LABELS = {
    Role.SPEAKER: _l("Speaker"),
    Role.MODERATOR: _l("Moderator"),
    Role.WITNESS: _l("Key witness"),
    Role.WELCOME: _l("Welcome address"),
}
# A staff account's role, beside its address on every back-office page and in the list
# of accounts.
ORGANISER_ROLE_LABELS = {
    OrganiserRole.ADMIN: _l("admin"),
    OrganiserRole.CHECKIN: _l("check-in"),
}
AUDIENCE_LABELS = {
    Audience.EVERYONE: _l("Open to all participants"),
    Audience.MEMBERS: _l("Network members only"),
    Audience.INVITED: _l("By invitation (people concerned)"),
}
CATEGORY_LABELS = {
    Category.MEMBER: _l("Network member"),
    Category.PARTNER: _l("Partner"),
    Category.GUEST: _l("Guest"),
    Category.SPEAKER: _l("Speaker"),
    Category.STAFF: _l("Staff"),
    Category.PRESS: _l("Press"),
}
SESSION_STATUS_LABELS = {
    SessionStatus.SCHEDULED: _l("Scheduled"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}
# "Confirmed" qualifies a seat here and a registration in the back office: a seat is
# masculine in Italian and Portuguese (posto, lugar), a registration feminine, so the
# message context says which one it is.
CHOICE_STATUS_LABELS = {
    ChoiceStatus.CONFIRMED: lazy_pgettext("seat", "Confirmed"),
    ChoiceStatus.WAITLISTED: _l("Waiting list"),
}
# Who a session's scanner lets in, as the attendance page says it.
ADMISSION_LABELS = {
    Admission.SEAT: _l("Seat holders"),
    Admission.MEAL: _l("Those taking the meal"),
    Admission.MEMBERS: _l("Members attending that day"),
    Admission.EVERYONE: _l("Everyone attending that day"),
    Admission.CLOSED: _l("Cancelled"),
}
# Who an e-mail from the organisers goes to.
MAILING_AUDIENCE_LABELS = {
    MailingAudience.ALL: _l("Every confirmed participant"),
    MailingAudience.CATEGORY: _l("The participants of one category"),
    MailingAudience.SESSION: _l("Those holding a seat in one session"),
    MailingAudience.WAITLIST: _l("The waiting line of one session"),
    MailingAudience.SPEAKERS: _l("The speakers (everyone with a part in the programme)"),
}
# Why a message was given up, as the organisers read it beside the server's answer.
MAIL_FAILURE_LABELS = {
    MailFailure.INVALID_ADDRESS: _l("The address is not a valid e-mail address."),
    MailFailure.UNBUILDABLE: _l("The message could not be written out."),
    MailFailure.SMTPUTF8: _l(
        "The address has accented or non-Latin characters before the @, and the mail"
        " server does not accept such addresses (SMTPUTF8)."
    ),
    MailFailure.REFUSED: _l("The mail server refused it for good."),
    MailFailure.GAVE_UP: _l("The mail server refused it at every attempt."),
}
# Each language named in itself, as a reader looks for their own.
LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "it": "Italiano",
    "es": "Español",
    "pt": "Português",
}

# What a scan's verdict says: on the scanner, and on a registration's page.
VERDICT_LABELS = {
    Verdict.OK: _l("Welcome!"),
    Verdict.ALREADY: _l("Already checked in"),
    Verdict.NOT_REGISTERED_FOR_SESSION: _l("Not registered for this session"),
    Verdict.CANCELLED: _l("Registration cancelled"),
    Verdict.WRONG_EDITION: _l("Badge of another edition"),
    Verdict.INVALID: _l("Unknown or damaged badge"),
}


def session_title(session, language: str) -> str:
    """A session as the back office lists it (tables, filters, charts, exports): a
    cancelled one keeps its place and its figures, and says so after its title, in the same
    words wherever it is listed."""
    title = session.text("title", language)
    if session.is_cancelled:
        return gettext("%(title)s — cancelled", title=title)
    return title
