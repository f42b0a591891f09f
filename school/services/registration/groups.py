"""Groups of parallel sessions allocated by preference: collecting rankings, running the
allocation (``allocation.allocate``), reviewing and adjusting the draft, publishing it.

Publishing turns the draft into seats (choices): everyone is told their result by
e-mail, their calendar feed follows (choices changed), and the group then works first
come, first served with waiting lines; those who got nothing wait in line for their
first choice, in the recorded random order.

When: a draft may be computed at any time, even while participants still rank — a
preview of how oversubscribed the sessions are is useful to organisers (add seats, open
another session) and gives nobody anything. Publishing waits for the cut-off
(``preferences_close_at``), and only publishes a draft computed on what the database
holds now: the draft records its basis (who ranked, how, what each could be given, the
free seats) and if any of it changed since — a late ranking, a day no longer attended, a
cancelled session or registration, a seat taken elsewhere, a seat freed — the organiser
is asked to run the allocation again. So nobody is seated where they can no longer go,
and nobody who ranked after the draft waits in line while seats are free.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school.database import begin_write
from school.models import Choice, Ranking, Registration, Session, SessionGroup
from school.models.vocabulary import Admission, Audience, ChoiceStatus, RegistrationStatus
from school.services.checkin import checkpoints
from school.services.errors import DomainError, NotFound
from school.services.mail import writing
from school.services.registration import allocation, seats
from school.services.registration.allocation import Allocation, Applicant

MAX_RANKS = 3


def get_group(db: DbSession, edition_id: int, group_id: int) -> SessionGroup:
    group = db.scalar(
        sa.select(SessionGroup)
        .where(SessionGroup.id == group_id, SessionGroup.edition_id == edition_id)
        .options(selectinload(SessionGroup.sessions))
    )
    if group is None:
        raise NotFound(f"no group {group_id}")
    return group


def groups_of(db: DbSession, edition_id: int) -> list[SessionGroup]:
    return list(
        db.scalars(
            sa.select(SessionGroup)
            .where(SessionGroup.edition_id == edition_id)
            .options(selectinload(SessionGroup.sessions))
            .order_by(SessionGroup.id)
        )
    )


def create_group(
    db: DbSession, edition_id: int, key: str, title_fr: str, session_ids: list[int],
    *, title_en: str | None = None, mode: str = "first_come",
    preferences_close_at: datetime | None = None,
) -> SessionGroup:  # fmt: skip
    sessions = db.scalars(
        sa.select(Session).where(Session.id.in_(session_ids), Session.edition_id == edition_id)
    ).all()
    if len(sessions) != len(set(session_ids)) or len(sessions) < 2:
        raise DomainError(_("A group needs at least two sessions of this School."), code="group")
    if mode not in ("first_come", "preference"):
        raise DomainError(f"unknown mode {mode!r}", code="mode")
    if any(session.group_id is not None for session in sessions):
        # Never taken silently from another group (``group_editing`` says which).
        raise DomainError(_("A session already belongs to another group."), code="grouped")
    group = SessionGroup(
        edition_id=edition_id,
        key=key,
        title_fr=title_fr,
        title_en=title_en,
        mode=mode,
        preferences_close_at=preferences_close_at,
    )
    db.add(group)
    db.flush()
    for session in sessions:
        session.group_id = group.id
    db.flush()
    return group


def pending_rankings(registration: Registration) -> list[tuple[SessionGroup, list]]:
    """The participant's rankings of groups not yet allocated: each group with the
    sessions in their order (None: "any other")."""
    found: dict[int, tuple[SessionGroup, list]] = {}
    for place in sorted(registration.rankings, key=lambda r: (r.group_id, r.rank)):
        if place.group.published_at is None:
            found.setdefault(place.group_id, (place.group, []))[1].append(place.session)
    return list(found.values())


def takes_rankings(group: SessionGroup | None, now: datetime) -> bool:
    """Whether participants rank this group's sessions right now (instead of picking)."""
    if group is None or not group.takes_rankings:
        return False
    return group.preferences_close_at is None or now < group.preferences_close_at


def check_ranking(
    group: SessionGroup, ranking: list[int | None], eligible: set[int], lang: str
) -> list[str]:
    """What is wrong with a participant's ranking of a group, in their language."""
    errors = []
    ids = {s.id for s in group.sessions}
    chosen = [s for s in ranking if s is not None]
    if len(ranking) > MAX_RANKS + 1:
        errors.append(_("Please rank at most %(num)d sessions.", num=MAX_RANKS))
    if len(set(chosen)) != len(chosen) or ranking.count(None) > 1:
        errors.append(_("Each session may be ranked only once."))
    for session in group.sessions:
        if session.id in chosen and session.id not in eligible:
            errors.append(
                _("“%(title)s” cannot be given to you.", title=session.text("title", lang))
            )
    if any(s not in ids for s in chosen):
        errors.append(_("Please rank sessions of this group only."))
    return errors


def set_ranking(
    db: DbSession, registration: Registration, group: SessionGroup, ranking: list[int | None]
) -> None:
    """Replace the registration's ranking of ``group`` (checked by ``check_ranking``)."""
    for place in [r for r in registration.rankings if r.group_id == group.id]:
        registration.rankings.remove(place)
    db.flush()
    for rank, session_id in enumerate(ranking, start=1):
        registration.rankings.append(Ranking(group_id=group.id, session_id=session_id, rank=rank))


def eligible_sessions(registration: Registration, group: SessionGroup) -> set[int]:
    """The group's sessions this person could be given: the day attended, the audience,
    and no overlap with a seat they hold outside the group."""
    held = [
        c.session for c in registration.choices if c.is_confirmed and c.session.group_id != group.id
    ]
    eligible = set()
    for session in group.sessions:
        day = registration.edition.local(session.starts_at).date()
        if session.is_cancelled or day not in registration.attended_dates:
            continue
        if checkpoints.admission(session) == Admission.CLOSED:
            continue
        if session.audience == Audience.MEMBERS and not registration.is_proved_member:
            continue
        if any(session.overlaps(other) for other in held):
            continue
        eligible.add(session.id)
    return eligible


def _applicants(db: DbSession, group: SessionGroup) -> tuple[list[Applicant], dict[int, int]]:
    registrations = db.scalars(
        sa.select(Registration)
        .join(Ranking, Ranking.registration_id == Registration.id)
        .where(Ranking.group_id == group.id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(
            selectinload(Registration.rankings),
            selectinload(Registration.days),
            selectinload(Registration.choices).selectinload(Choice.session),
        )
        .distinct()
        .execution_options(populate_existing=True)  # decide on what the database holds now
    ).all()
    applicants = [
        Applicant(
            id=r.id,
            ranking=tuple(p.session_id for p in r.rankings if p.group_id == group.id),
            eligible=frozenset(eligible_sessions(r, group)),
            cite=r.cite,
            country=r.country,
        )
        for r in registrations
    ]
    taken = seats.seats_taken(db, [s.id for s in group.sessions])
    free = {
        s.id: (s.capacity - taken.get(s.id, 0)) if s.capacity is not None else len(applicants)
        for s in group.sessions
        if not s.is_cancelled
    }
    return applicants, free


def _basis(applicants: list[Applicant], free: dict[int, int]) -> dict:
    """What a draft was computed on, as stored (JSON) with it, to compare at publishing."""
    people = sorted(applicants, key=lambda a: a.id)
    return {
        "applicants": [[a.id, list(a.ranking), sorted(a.eligible)] for a in people],
        "free": {str(s): n for s, n in sorted(free.items())},
    }


def applicants_view(db: DbSession, group: SessionGroup) -> dict:
    """Who ranked the group, and how, for the organisers' review."""
    registrations = db.scalars(
        sa.select(Registration)
        .join(Ranking, Ranking.registration_id == Registration.id)
        .where(Ranking.group_id == group.id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(selectinload(Registration.rankings))
        .order_by(Registration.last_name, Registration.first_name)
        .distinct()
    ).all()
    rankings = {
        r.id: [p.session_id for p in r.rankings if p.group_id == group.id] for r in registrations
    }
    return {"registrations": registrations, "rankings": rankings}


def run(
    db: DbSession, group: SessionGroup, *, now: datetime, seed: int | None = None,
    mix: str | None = None,
) -> Allocation:  # fmt: skip
    """Compute a draft (nothing is given yet): reproducible from its recorded seed.

    Allowed before the cut-off, as a preview: only ``publish`` waits for it."""
    if group.published_at is not None:
        raise DomainError(_("This allocation is already published."), code="published")
    begin_write(db)  # it writes the draft after reading: on SQLite, a writer from the start
    seed = secrets.randbelow(2**31) if seed is None else seed
    applicants, free = _applicants(db, group)
    result = allocation.allocate(applicants, free, seed=seed, mix=mix)
    group.draft = {
        "seed": seed,
        "mix": mix,
        "computed_at": now.isoformat(),
        "order": result.order,
        "assigned": {str(k): v for k, v in result.assigned.items()},
        "figures": result.figures,
        "basis": _basis(applicants, free),
    }
    db.flush()
    return result


def adjust(
    db: DbSession, group: SessionGroup, registration_id: int, session_id: int | None
) -> None:
    """Move one person by hand in the draft, within the rules: eligible, and a seat left."""
    if group.draft is None or group.published_at is not None:
        raise DomainError(_("Run the allocation first."), code="no_draft")
    begin_write(db)
    applicants, free = _applicants(db, group)
    by_id = {a.id: a for a in applicants}
    applicant = by_id.get(registration_id)
    if applicant is None:
        raise NotFound(f"registration {registration_id} has no ranking in this group")
    assigned = {int(k): v for k, v in group.draft["assigned"].items()}
    if session_id is not None:
        if session_id not in applicant.eligible:
            raise DomainError(_("This session cannot be given to this person."), code="ineligible")
        taken = sum(1 for a, s in assigned.items() if s == session_id and a != registration_id)
        if taken >= free.get(session_id, 0):
            raise DomainError(_("This session has no seat left."), code="full")
    assigned[registration_id] = session_id
    ranks = {
        a.id: allocation.rank_of(a, assigned[a.id]) if assigned.get(a.id) else None
        for a in applicants
    }
    figures = allocation.figures_of(applicants, assigned, ranks, free)
    group.draft = group.draft | {
        "assigned": {str(k): v for k, v in assigned.items()},
        "figures": figures,
        "adjusted": True,
    }
    db.flush()


def publish(db: DbSession, group: SessionGroup, *, now: datetime) -> list[Choice]:
    """Give the seats of the draft, tell everyone, and open the group first come.

    Refused before the cut-off (participants may still change their rankings), and when
    the draft's basis changed since it was computed: the organiser runs it again."""
    seats.lock_edition(db, group.edition_id)  # then the group as it is now: not published twice
    _check_publishable(group, now)
    applicants, free = _applicants(db, group)
    _check_basis(group, applicants, free)
    registrations = {
        r.id: r
        for r in db.scalars(
            sa.select(Registration).where(Registration.id.in_([a.id for a in applicants]))
        )
    }
    created = _give_results(db, group, applicants, registrations, now)
    group.published_at = now
    group.mode = "first_come"
    db.flush()
    for applicant in applicants:
        mine = next((c for c in created if c.registration_id == applicant.id), None)
        _tell(db, registrations[applicant.id], group, mine, now)
    return created


def _check_publishable(group: SessionGroup, now: datetime) -> None:
    if group.draft is None or group.published_at is not None:
        raise DomainError(_("Run the allocation first."), code="no_draft")
    if group.preferences_close_at is not None and now < group.preferences_close_at:
        raise DomainError(
            _("Participants may rank until the cut-off: publish the allocation after it."),
            code="too_early",
        )


def _check_basis(group: SessionGroup, applicants: list[Applicant], free: dict[int, int]) -> None:
    """The draft was computed on what the database holds now, or it is stale."""
    basis = _basis(applicants, free)
    recorded = group.draft.get("basis") or {}
    if recorded.get("applicants") != basis["applicants"]:
        raise DomainError(
            _("Rankings or registrations changed since the draft: run the allocation again."),
            code="stale",
        )
    if recorded.get("free") != basis["free"]:
        raise DomainError(
            _("Seats changed since the draft: run the allocation again."), code="stale"
        )


def _give_results(
    db: DbSession, group: SessionGroup, applicants: list[Applicant],
    registrations: dict[int, Registration], now: datetime,
) -> list[Choice]:  # fmt: skip
    """Replace what each applicant held in the group by their result: the seat the draft
    assigned, else a place in line for their first choice they could be given."""
    by_id = {a.id: a for a in applicants}
    assigned = {int(k): v for k, v in group.draft["assigned"].items() if int(k) in by_id}
    order = {reg_id: i for i, reg_id in enumerate(group.draft["order"])}
    created: list[Choice] = []
    # Inserted in the recorded random order: with one queued_at, the line follows the ids.
    for registration_id in sorted(by_id, key=lambda r: order.get(r, len(order))):
        registration = registrations[registration_id]
        for choice in [c for c in registration.choices if c.session.group_id == group.id]:
            registration.choices.remove(choice)
        choice = _result(by_id[registration_id], assigned.get(registration_id), now)
        if choice is not None:
            registration.choices.append(choice)
            db.flush()
            created.append(choice)
        registration.updated_at = now
    return created


def _result(applicant: Applicant, session_id: int | None, now: datetime) -> Choice | None:
    """The seat assigned, else the waiting line of the first eligible session ranked."""
    if session_id is not None:
        status, target = ChoiceStatus.CONFIRMED, session_id
    else:
        wanted = [s for s in applicant.ranking if s is not None and s in applicant.eligible]
        status, target = ChoiceStatus.WAITLISTED, (wanted[0] if wanted else None)
    if target is None:
        return None
    return Choice(session_id=target, status=status, queued_at=now, created_at=now, updated_at=now)


def _tell(db, registration, group, choice, now) -> None:
    from school.urls import absolute_url

    writing.queue_mail(
        db,
        to=registration.email,
        template="allocation_result",
        language=registration.language,
        purpose="allocation",
        now=now,
        registration=registration,
        edition=registration.edition,
        group=group,
        choice=choice,
        manage_url=absolute_url("participant.manage", token=registration.manage_token),
    )
