"""Scans sent together: a scanner's queue after the network came back, or an online
scanner's scans sent as they pile up at a busy door. Each is decided as
``scanning.scan`` decides one, in the order sent, in one transaction. The badges are
locked first, all at once and in the order of their ids (``badge_rows.lock_badges``), so
two batches never wait on each other in a circle; a scan sent alone takes no lock.

What the batch needs is read at once (``checkin.held``): the badges, the places scanned
at, who stands checked in there; the scans are then decided in turn and recorded by one
insert. A batch that insert cannot record (one of its scans recorded before, sent again
after a lost answer; or one of its people checked in meanwhile by a scan sent alone) is
decided again one scan at a time, each replaying what was recorded or deciding on what
stands now.

A scan refused on its own (its ``client_id`` used for another scan, a place the edition
does not have) is answered with its reason, and the others are recorded all the same: a
refusal comes before the scan writes anything.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from school.database import begin_write
from school.models import CheckIn, Edition, Organiser
from school.services.badges import tokens
from school.services.checkin import badge_rows, held, scanning
from school.services.checkin.checkpoints import InvalidScan
from school.services.checkin.scanning import ClientIdReused, ScanResult
from school.services.errors import DomainError


@dataclass
class Scanned:
    """What became of one scan of a batch: its result, or why it was refused."""

    client_id: str
    result: ScanResult | None = None
    refusal: DomainError | None = None


def scan_many(
    db: DbSession,
    edition: Edition,
    scans: list[dict[str, Any]],
    *,
    now: datetime,
    organiser: Organiser | None = None,
) -> list[Scanned]:
    """Decide and record ``scans`` (each the keyword arguments of ``scanning.scan``
    but ``now`` and ``organiser``), in their order. Flushes; the caller commits."""
    if not 1 <= len(scans) <= scanning.BATCH_MAX:
        raise ValueError(f"a batch holds 1 to {scanning.BATCH_MAX} scans")
    begin_write(db)
    claims = [tokens.read_token(scan["token"]) for scan in scans]
    badges = badge_rows.lock_badges(
        db, [c.registration_id for c in claims if c is not None and c.edition_id == edition.id]
    )
    # The places scanned at, each once (one the edition does not have is refused below,
    # for the scans made there only), then who stands checked in there.
    places = held.Held(badges, {})
    for scan in scans:
        at = scanning.when(scan["scanned_at"], now)
        with contextlib.suppress(InvalidScan):
            places.checkpoint(db, edition, scan.get("session_id"), scan.get("day"), at)
    together = _recorded_together(
        db, edition, scans, held.hold(db, edition, badges, places.points), now, organiser
    )
    if together is not None:
        return together
    # One of them was recorded already (a scanner sending its queue again, or two sends
    # at once): each is sent alone, which replays what was recorded.
    known = held.hold(db, edition, badges, places.points)
    done: list[Scanned] = []
    for scan in scans:
        try:
            result = scanning.scan(db, edition, now=now, organiser=organiser, held=known, **scan)
        except (ClientIdReused, InvalidScan) as refusal:  # refused before writing anything
            done.append(Scanned(scan["client_id"], refusal=refusal))
            continue
        done.append(Scanned(scan["client_id"], result=result))
    return done


def _recorded_together(
    db: DbSession,
    edition: Edition,
    scans: list[dict[str, Any]],
    known: held.Held,
    now: datetime,
    organiser: Organiser | None,
) -> list[Scanned] | None:
    """Each scan decided in turn as ``scanning.scan`` decides it, then all of them
    recorded by one insert rather than one each (what kept a busy door waiting).

    None, with nothing written, if the insert was refused: a scan recorded before (its
    ``client_id`` taken: what it replays is for the scans sent one by one), or one of
    these people checked in at the same place by a scan sent alone meanwhile."""
    savepoint = db.begin_nested()
    try:
        # The rows wait for the one flush at the end: a query a scan asks on the way
        # (a session's checkpoint, a line's places) must not write them before.
        with db.no_autoflush:
            done = [_decided(db, edition, scan, known, now, organiser) for scan in scans]
        db.flush()
    except IntegrityError:
        savepoint.rollback()
        return None
    savepoint.commit()
    return done


def _decided(
    db: DbSession,
    edition: Edition,
    scan: dict[str, Any],
    known: held.Held,
    now: datetime,
    organiser: Organiser | None,
) -> Scanned:
    """One scan of the batch decided, its row added to the session (not flushed)."""
    try:
        decided = scanning.decide(
            db,
            edition,
            now=now,
            organiser=organiser,
            held=known,
            rows=badge_rows.in_session(db),  # for a badge the batch does not hold
            **scan,
        )
    except InvalidScan as refusal:
        return Scanned(scan["client_id"], refusal=refusal)
    result = decided.result
    if decided.superseded is not None:
        # Before the new row the flush inserts: one standing check-in at a time.
        known.demote(db, decided.superseded)
        result.first = None
    result.record = CheckIn(**decided.values)
    db.add(result.record)
    known.recorded(result.record, organiser)
    if result.arrivals is None:  # not decided on the person's standing
        result.arrivals = known.arrivals[result.checkpoint.key]
    return Scanned(scan["client_id"], result=result)
