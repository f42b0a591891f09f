"""The JSON API under ``/api/v1``: the programme, registrations, check-ins and the roster,
the edition's figures (report), described by ``/api/v1/openapi.json``. ``bp`` carries
every route of the modules below."""

from school.web.api import checkin, programme, registrations, report  # noqa: F401 - they add routes
from school.web.api.blueprint import bp

__all__ = ["bp"]
