"""The JSON API under ``/api/v1``: the programme, registrations, check-ins and the roster, the
Cités and the initiatives, the edition's figures (report), described by
``/api/v1/openapi.json``. ``bp`` carries every route of the modules below."""

from school.web.api import (  # noqa: F401 - they add routes
    checkin,
    network,
    programme,
    registrations,
    report,
)
from school.web.api.blueprint import bp

__all__ = ["bp"]
