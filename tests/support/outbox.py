"""The outbox as its sender leaves it, for tests that read messages without sending them."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session as DbSession

from school.services.mail import writing


def written(app: Flask, db: DbSession) -> int:
    """What the sender does first: write the messages queued unwritten (a registration's
    confirmation). Returns how many it wrote."""
    with app.app_context():
        return writing.write_waiting(db)
