"""What a batch of scans reads at once, under its badges' locks (``checkin.batches``), so
that ``scanning.scan`` asks no query per scan for it: the badges with their seats and
days, the checkpoints scanned at, who stands checked in there and how many have arrived.
The batch's own scans update it as they are recorded, so its second scan of a badge is
``already``, as it would be sent alone.

Who stands is ``CheckIn.is_standing``, the rule every query asks; the badges' locks keep
anyone else from checking these people in meanwhile. The arrivals of others scanned by
another door at the same moment are counted as a scan sent alone counts them: as they
were when read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.models import CheckIn, Edition, Registration
from school.services.checkin.checkpoints import Checkpoint, checkpoint_for


@dataclass
class Held:
    badges: dict[int, Registration]  # by registration id, read under their locks
    arrivals: dict[str, int]  # checkpoint key -> standing check-ins there
    standing: dict[tuple[int, str], CheckIn] = field(default_factory=dict)
    points: dict[tuple, Checkpoint] = field(default_factory=dict)

    def checkpoint(
        self, db: DbSession, edition: Edition, session_id: int | None, day: date | None, at
    ) -> Checkpoint:
        """``checkpoint_for``, asked once per place in the batch (a session's is a query)."""
        # The entrance on no given day is the one of the scan's date.
        on = edition.local(at).date() if session_id is None and day is None else None
        key = (session_id, day, on)
        if key not in self.points:
            self.points[key] = checkpoint_for(db, edition, session_id, day, at)
        return self.points[key]

    def knows(self, registration_id: int, checkpoint: str) -> bool:
        return registration_id in self.badges and checkpoint in self.arrivals

    def standing_at(self, registration_id: int, checkpoint: str) -> tuple[CheckIn | None, int]:
        """The person's standing check-in at the checkpoint, if any, and the arrivals."""
        return self.standing.get((registration_id, checkpoint)), self.arrivals[checkpoint]

    def recorded(self, record: CheckIn) -> None:
        """A scan of the batch was recorded: who stands, and the count, as they are now
        (a late scan that takes another's place adds nobody)."""
        pair = (record.registration_id, record.checkpoint)
        if not record.is_standing or not self.knows(*pair):
            return
        if pair not in self.standing:
            self.arrivals[record.checkpoint] += 1
        self.standing[pair] = record


def hold(
    db: DbSession,
    edition: Edition,
    badges: dict[int, Registration],
    points: dict[tuple, Checkpoint],
) -> Held:
    """Read who stands checked in at ``points`` among ``badges``, and the arrivals there:
    two queries for the whole batch."""
    keys = sorted({point.key for point in points.values()})
    held = Held(badges, dict.fromkeys(keys, 0), points=dict(points))
    if not keys:
        return held
    at_points = sa.and_(
        CheckIn.edition_id == edition.id, CheckIn.checkpoint.in_(keys), CheckIn.is_standing
    )
    counts = sa.select(CheckIn.checkpoint, sa.func.count()).where(at_points)
    held.arrivals.update(dict(db.execute(counts.group_by(CheckIn.checkpoint)).all()))
    if badges:
        standing = db.scalars(
            sa.select(CheckIn)
            .where(at_points, CheckIn.registration_id.in_(list(badges)))
            .options(joinedload(CheckIn.organiser))
        )
        held.standing = {(c.registration_id, c.checkpoint): c for c in standing}
    return held
