"""A participant's private space under ``/my/<manage-token>``: their registration, agenda,
badge and certificate, on the blueprint ``bp``."""

from school.web.participant import (  # noqa: F401 - routes
    agenda,
    badge,
    certificate,
    choices,
    pages,
)
from school.web.participant.blueprint import bp

__all__ = ["bp"]
