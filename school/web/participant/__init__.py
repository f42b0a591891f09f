"""A participant's private space under ``/my/<manage-token>``: their registration, agenda,
badge and certificate, on the blueprint ``bp``."""

from school.web.participant import agenda, badge, certificate, pages  # noqa: F401 - routes
from school.web.participant.blueprint import bp

__all__ = ["bp"]
