"""How a form's action ends, the same way on every page.

The route calls the service inside ``form_action``. If a rule refuses (a
``DomainError``), nothing the call wrote is kept: the transaction rolls back and the
reason is shown, beside the form's fields when it names them. Otherwise the
transaction commits, once.

E-mail follows the commit, not the route: ``queue_mail`` notes on the database session
that its transaction queued a message, and a hook (installed by ``register_mail_wake``)
wakes the outbox's sender after a request commits such a transaction (it writes what
was queued unwritten, ``writing.queue_to_write``, then sends). No page can
forget it, whichever way it commits. Commands are not requests: each sends what it
queued itself or leaves it to ``flask mail send`` and the worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from flask import current_app, flash, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import SessionTransaction

from school.extensions import db
from school.services.errors import DomainError
from school.services.mail import outbox, writing


class ShowsErrors(Protocol):
    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Put messages beside their fields; return those that belong to no field."""
        ...


@dataclass
class Action:
    """What became of a form action: ``done`` once committed; else ``refusal`` says why."""

    done: bool = False
    refusal: DomainError | None = None


@contextmanager
def form_action(form: ShowsErrors | None = None) -> Iterator[Action]:
    """Run the service call of a form's action in the request's transaction::

        with form_action(form) as action:
            outcome = registrations.register(db.session, edition, data, now=now)
        if action.done:
            return redirect(...)
        # else the page is shown again: the refusal is flashed, the form keeps its answers

    Other exceptions propagate: the request fails and its transaction is not committed.
    """
    action = Action()
    try:
        yield action
    except DomainError as refusal:
        db.session.rollback()
        action.refusal = refusal
        show_refusal(refusal, form)
    else:
        db.session.commit()
        action.done = True


def show_refusal(refusal: DomainError, form: ShowsErrors | None = None) -> None:
    """Flash why a rule refused. Invalid input (``errors``: field -> messages) goes beside
    the form's fields, and what has no field there is flashed; without a form, each
    message is flashed (no "correct the highlighted fields": nothing is highlighted)."""
    errors: dict[str, list[str]] | None = getattr(refusal, "errors", None)
    if errors is None:
        flash(refusal.message, "error")
        if form is not None and refusal.field:
            form.show_errors({refusal.field: [refusal.message]})
        return
    if form is None:
        for messages in errors.values():
            for message in messages:
                flash(message, "error")
        return
    flash(refusal.message, "error")
    for message in form.show_errors(errors):
        flash(message, "error")


# -- after a commit: the outbox's sender


def register_mail_wake() -> None:
    """Listen on every database session of the process (once): those of requests, of
    commands and of tests alike note whether they committed mail."""
    if not event.contains(DbSession, "after_commit", _after_commit):
        event.listen(DbSession, "after_commit", _after_commit)
        event.listen(DbSession, "after_transaction_end", _transaction_ended)


def _after_commit(session: DbSession) -> None:
    if not session.in_nested_transaction():  # a savepoint released: the transaction goes on
        writing.committed(session)


def _transaction_ended(session: DbSession, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Committed or rolled back: the mail it committed is written, then sent.
    if writing.ended(session) and has_request_context():
        outbox.wake(current_app._get_current_object())
