"""Scans sent together: a scanner's queue after the network came back, or an online
scanner's scans sent as they pile up at a busy door. Each is decided as
``scanning.scan`` decides one, in the order sent, in one transaction. The badges are
locked first, all at once and in the order of their ids (``scanning.lock_badges``), so
two batches, or a batch and a single scan, never wait on each other in a circle.

A scan refused on its own (its ``client_id`` used for another scan) is answered with
its reason, and the others are recorded all the same: the batch is decided again
without it (rare, and a batch is short).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session as DbSession

from school.database import begin_write
from school.models import Edition, Organiser
from school.services.badges import tokens
from school.services.checkin import scanning
from school.services.checkin.scanning import ClientIdReused, ScanResult
from school.services.errors import DomainError


@dataclass
class Scanned:
    """What became of one scan of a batch: its result, or why it was refused."""

    client_id: str
    result: ScanResult | None = None
    refusal: DomainError | None = None


class _Refused(Exception):
    def __init__(self, index: int, refusal: DomainError):
        super().__init__(str(refusal))
        self.index, self.refusal = index, refusal


def scan_many(
    db: DbSession,
    edition: Edition,
    scans: list[dict[str, Any]],
    *,
    now: datetime,
    organiser: Organiser | None = None,
) -> list[Scanned]:
    """Decide and record ``scans`` (each the keyword arguments of ``scanning.scan``
    but ``now`` and ``organiser``), in their order. Flushes; the caller commits. Call it
    in a transaction of its own: a refused scan rolls back what was decided before it."""
    if not 1 <= len(scans) <= scanning.BATCH_MAX:
        raise ValueError(f"a batch holds 1 to {scanning.BATCH_MAX} scans")
    refused: dict[int, DomainError] = {}
    while True:
        try:
            return _decided(db, edition, scans, refused, now=now, organiser=organiser)
        except _Refused as exc:
            db.rollback()  # what the others recorded is decided again, without it
            refused[exc.index] = exc.refusal


def _decided(
    db: DbSession,
    edition: Edition,
    scans: list[dict[str, Any]],
    refused: dict[int, DomainError],
    *,
    now: datetime,
    organiser: Organiser | None,
) -> list[Scanned]:
    begin_write(db)
    claims = [tokens.read_token(scan["token"]) for scan in scans]
    held = scanning.lock_badges(
        db, [c.registration_id for c in claims if c is not None and c.edition_id == edition.id]
    )
    done: list[Scanned] = []
    for index, scan in enumerate(scans):
        if index in refused:
            done.append(Scanned(scan["client_id"], refusal=refused[index]))
            continue
        try:
            result = scanning.scan(db, edition, now=now, organiser=organiser, held=held, **scan)
        except ClientIdReused as exc:
            raise _Refused(index, exc) from exc
        done.append(Scanned(scan["client_id"], result=result))
    return done
