"""What a batch of scans reads at once, under its badges' locks (``checkin.batches``), so
that ``scanning.scan`` asks no query per scan for it: the badges with their seats and
days, the checkpoints scanned at, who stands checked in there and how many have arrived.
The batch's own scans update it as they are recorded, so its second scan of a badge is
``already``, as it would be sent alone.

Who stands is ``CheckIn.is_standing``, the rule every query asks; the badges' locks keep
other batches from checking these people in meanwhile. A scan sent alone takes no lock:
if it checks one of them in first, the unique index of standing check-ins refuses the
batch's insert, and the batch is decided again one scan at a time (``checkin.batches``).
The arrivals of others scanned by another door at the same moment are counted as a scan
sent alone counts them: as they were when read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session as DbSession

from school.models import CheckIn, Edition, Organiser
from school.models.vocabulary import Verdict
from school.services.checkin import standing as standings
from school.services.checkin.checkpoints import Checkpoint, checkpoint_for
from school.services.checkin.people import Person
from school.services.checkin.standing import Recorded, Standing


@dataclass
class Held:
    badges: dict[int, Person]  # by registration id, read under their locks
    arrivals: dict[str, int]  # checkpoint key -> standing check-ins there
    standing: dict[tuple[int, str], Standing] = field(default_factory=dict)
    points: dict[tuple, Checkpoint] = field(default_factory=dict)
    # The batch's own check-ins not written yet (``batches`` inserts them at the end).
    unwritten: dict[tuple[int, str], CheckIn] = field(default_factory=dict)

    def checkpoint(
        self, db: DbSession, edition: Edition, session_id: int | None, day: date | None, at
    ) -> Checkpoint:
        """``checkpoint_for``, asked once per place in the batch."""
        # The entrance on no given day is the one of the scan's date.
        on = edition.local(at).date() if session_id is None and day is None else None
        key = (session_id, day, on)
        if key not in self.points:
            self.points[key] = checkpoint_for(db, edition, session_id, day, at)
        return self.points[key]

    def knows(self, registration_id: int, checkpoint: str) -> bool:
        return registration_id in self.badges and checkpoint in self.arrivals

    def standing_at(self, registration_id: int, checkpoint: str) -> tuple[Standing | None, int]:
        """The person's standing check-in at the checkpoint, if any, and the arrivals."""
        return self.standing.get((registration_id, checkpoint)), self.arrivals[checkpoint]

    def recorded(self, record: CheckIn | Recorded, organiser: Organiser | None) -> None:
        """A scan of the batch was recorded: who stands, and the count, as they are now
        (a late scan that takes another's place adds nobody)."""
        pair = (record.registration_id, record.checkpoint)
        if not record.is_standing or not self.knows(*pair):
            return
        if pair not in self.standing:
            self.arrivals[record.checkpoint] += 1
        self.standing[pair] = Standing.of(record, organiser)
        if record.id is None:
            self.unwritten[pair] = record

    def demote(self, db: DbSession, superseded: Standing) -> None:
        """``standing.demote``, or the batch's own check-in made ``already`` before it is
        written. No other batch can have changed it (the badge's lock); a scan sent alone
        that took its place meanwhile makes the index refuse the batch's insert, and the
        batch is decided again one scan at a time."""
        pair = (superseded.registration_id, superseded.checkpoint)
        if superseded.id is None:
            self.unwritten.pop(pair).verdict = Verdict.ALREADY
        else:
            standings.demote(db, superseded)


def hold(
    db: DbSession,
    edition: Edition,
    badges: dict[int, Person],
    points: dict[tuple, Checkpoint],
) -> Held:
    """Read who stands checked in at ``points`` among ``badges``, and the arrivals there:
    two queries for the whole batch."""
    keys = sorted({point.key for point in points.values()})
    held = Held(badges, dict.fromkeys(keys, 0), points=dict(points))
    if keys:
        held.arrivals, held.standing = standings.at_points(db, edition, keys, list(badges))
    return held
