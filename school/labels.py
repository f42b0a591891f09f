"""Names of the vocabulary shown to people, in their language."""

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "plenary": _l("Plenary"),
    "conference": _l("Conference"),
    "round_table": _l("Round table"),
    "workshop": _l("Workshop"),
    "visit": _l("Visit"),
    "meeting": _l("Meeting"),
    "social": _l("Social event"),
    "break": _l("Break"),
}
ROLE_LABELS = {
    "speaker": _l("Speaker"),
    "moderator": _l("Moderator"),
    "witness": _l("Key witness"),
    "welcome": _l("Welcome address"),
}
AUDIENCE_LABELS = {
    "everyone": _l("Open to all participants"),
    "members": _l("Network members only"),
    "invited": _l("By invitation (people concerned)"),
}
CATEGORY_LABELS = {
    "member": _l("Network member"),
    "partner": _l("Partner"),
    "guest": _l("Guest"),
    "speaker": _l("Speaker"),
    "staff": _l("Staff"),
    "press": _l("Press"),
}
CHOICE_STATUS_LABELS = {
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("Waiting list"),
}
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
