"""The back office under ``/organiser/``: one module per area (editions, programme, people,
registrations, allocation, mailing, exports, dashboard, attendance, the scanner, staff
accounts), all on the blueprint ``bp`` behind its login gate."""

from school.web.organiser import (  # noqa: F401 - they add routes
    account,
    allocation,
    attendance,
    checkin,
    dashboard,
    editions,
    exports,
    mailing,
    people,
    programme,
    programme_import,
    registrations,
    staff,
    timetable,
)
from school.web.organiser.blueprint import bp

__all__ = ["bp"]
