"""The closed lists of the domain, as string enums stored by value."""

from enum import StrEnum

# The languages of the interface, e-mails and documents, in the order the switch shows them.
# The network's Cités read French, English, Italian, Spanish and Portuguese.
LANGUAGES = ("fr", "en", "it", "es", "pt")
# The back office is written for the coordination team, who work in French and English.
BACKOFFICE_LANGUAGES = ("fr", "en")
# Programme content is authored in French (always) and English; the others are optional.
CONTENT_LANGUAGES = LANGUAGES


class SessionKind(StrEnum):
    PLENARY = "plenary"
    CONFERENCE = "conference"
    ROUND_TABLE = "round_table"
    WORKSHOP = "workshop"
    VISIT = "visit"
    MEETING = "meeting"
    SOCIAL = "social"
    BREAK = "break"


class Audience(StrEnum):
    EVERYONE = "everyone"
    MEMBERS = "members"
    INVITED = "invited"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Role(StrEnum):
    SPEAKER = "speaker"
    MODERATOR = "moderator"
    WITNESS = "witness"
    WELCOME = "welcome"


class Category(StrEnum):
    MEMBER = "member"
    PARTNER = "partner"
    GUEST = "guest"
    SPEAKER = "speaker"
    STAFF = "staff"
    PRESS = "press"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class ChoiceStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


class Verdict(StrEnum):
    OK = "ok"
    ALREADY = "already"
    NOT_REGISTERED_FOR_SESSION = "not_registered_for_session"
    CANCELLED = "cancelled"
    WRONG_EDITION = "wrong_edition"
    INVALID = "invalid"


class Admission(StrEnum):
    """Who a session lets in, as its scanner decides (``checkin.checkpoints.admission``)."""

    EVERYONE = "everyone"  # anyone attending that day
    MEMBERS = "members"  # network members attending that day
    SEAT = "seat"  # a confirmed seat only
    MEAL = "meal"  # those taking the meal only
    CLOSED = "closed"  # cancelled: nobody


class MailingAudience(StrEnum):
    ALL = "all"  # every confirmed participant
    CATEGORY = "category"  # the confirmed participants of one category
    SESSION = "session"  # those holding a seat in one session
    WAITLIST = "waitlist"  # the waiting line of one session
    SPEAKERS = "speakers"  # the people who take part in the programme (with an address)


class MailFailure(StrEnum):
    """Why a message was given up: it is never tried again (an organiser may resend it)."""

    INVALID_ADDRESS = "invalid_address"  # not an address any message can be sent to
    UNBUILDABLE = "unbuildable"  # the message itself could not be written out
    SMTPUTF8 = "smtputf8"  # a non-ASCII local part, and the server does not offer SMTPUTF8
    REFUSED = "refused"  # the mail server refused it for good (5xx)
    GAVE_UP = "gave_up"  # refused for now (4xx, server down) at every attempt


class OrganiserRole(StrEnum):
    ADMIN = "admin"
    CHECKIN = "checkin"


def check_in(column: str, enum: type[StrEnum]) -> str:
    """SQL for a CHECK constraint that keeps a column inside an enum."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


class CiteStatus(StrEnum):
    MEMBER = "member"
    IN_PREPARATION = "in_preparation"
    ASSOCIATED = "associated"
    FORMER = "former"


class InitiativeKind(StrEnum):
    PRACTICE = "practice"
    TOOL = "tool"
    INNOVATION = "innovation"
    PARTNERSHIP = "partnership"


class Decision(StrEnum):
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
