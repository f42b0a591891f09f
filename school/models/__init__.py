"""The data model, one module per aggregate (vocabulary: ../shared/design.md)."""

from school.database import Base
from school.models.allocation import Ranking, SessionGroup
from school.models.audit import AuditEntry
from school.models.change import ChangeNotice
from school.models.checkin import CheckIn
from school.models.edition import Edition, EditionDay, Room
from school.models.mail import Mailing, MailingOptOut, OutboxMessage
from school.models.network import Cite, Initiative
from school.models.organiser import ApiToken, LoginSession, Organiser
from school.models.people import Person, SessionPerson
from school.models.programme import Session
from school.models.registration import (
    Choice,
    Registration,
    RegistrationDay,
    RegistrationMeal,
    WaitingLine,
)
from school.models.survey import Survey, SurveyInvitation, SurveyResponse

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "ChangeNotice",
    "CheckIn",
    "Choice",
    "Cite",
    "Edition",
    "EditionDay",
    "Initiative",
    "LoginSession",
    "Mailing",
    "MailingOptOut",
    "Organiser",
    "OutboxMessage",
    "Person",
    "Ranking",
    "Registration",
    "RegistrationDay",
    "RegistrationMeal",
    "Room",
    "Session",
    "SessionGroup",
    "SessionPerson",
    "Survey",
    "SurveyInvitation",
    "SurveyResponse",
    "WaitingLine",
]
