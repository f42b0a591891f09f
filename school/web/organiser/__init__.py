"""The back office under ``/organiser/``: one module per area (editions, programme, people,
registrations, allocation, mailing, exports, dashboard, attendance, the scanner, staff
accounts, the network's Cités and initiatives, after the School), all on the blueprint
``bp`` behind its login gate."""

from school.web.organiser import (  # noqa: F401 - they add routes
    access,
    account,
    aftercare,
    allocation,
    attendance,
    checkin,
    dashboard,
    editions,
    exports,
    mailing,
    network,
    people,
    programme,
    programme_import,
    registrations,
    staff,
    timetable,
)
from school.web.organiser.blueprint import bp

__all__ = ["bp"]
