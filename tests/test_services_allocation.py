"""Allocation by preference: capacities and overlaps hold, optimum on known cases,
reproducible with a seed; then the whole cycle in the database."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import Choice, Edition, OutboxMessage, Ranking, Registration, Session
from school.services.errors import DomainError
from school.services.registration import groups, registrations
from school.services.registration.allocation import ANY, Applicant, allocate
from school.services.registration.data import RegistrationData, data_of
from school.services.registration.rules import InvalidRegistration


def _random_case(rng: random.Random, people: int, sessions: list[int]):
    applicants = []
    for n in range(people):
        eligible = frozenset(s for s in sessions if rng.random() > 0.15)
        ranking = tuple(rng.sample(sessions, rng.randint(1, 3)))
        if rng.random() < 0.3:
            ranking = (*ranking, ANY)
        applicants.append(Applicant(n, ranking, eligible, cite=f"c{n % 7}"))
    seats = {s: rng.randint(0, 12) for s in sessions}
    return applicants, seats


@pytest.mark.parametrize("trial", range(25))
def test_capacities_and_eligibility_are_never_broken(trial):
    rng = random.Random(trial)
    sessions = [10, 11, 12, 13]
    applicants, seats = _random_case(rng, rng.randint(1, 60), sessions)
    result = allocate(applicants, seats, seed=trial, mix="cite" if trial % 2 else None)
    for session_id, free in seats.items():
        assert sum(1 for s in result.assigned.values() if s == session_id) <= free
    for applicant in applicants:
        given = result.assigned[applicant.id]
        if given is not None:
            assert given in applicant.eligible
            assert given in applicant.ranking or ANY in applicant.ranking


def test_with_enough_room_everyone_gets_their_first_choice():
    rng = random.Random(7)
    applicants = [
        Applicant(n, tuple(rng.sample([1, 2, 3], 3)), frozenset({1, 2, 3})) for n in range(40)
    ]
    result = allocate(applicants, {1: 40, 2: 40, 3: 40}, seed=1)
    assert set(result.rank.values()) == {1}


def test_a_known_small_case_gives_the_optimum():
    """Greedy first-choices-first would give A to Ana and leave Bo, who only wants A, with
    nothing. The optimum seats both: Bo gets A, Ana her second choice B."""
    ana = Applicant(1, (10, 11), frozenset({10, 11}))
    bo = Applicant(2, (10,), frozenset({10, 11}))
    result = allocate([ana, bo], {10: 1, 11: 1}, seed=3)
    assert result.assigned == {1: 11, 2: 10}
    # Three people, two seats of A, one of B; everyone prefers A, Cy accepts anything:
    # the best profile is two first choices and one second (Cy, the only one who takes B).
    people = [
        Applicant(1, (10,), frozenset({10, 11})),
        Applicant(2, (10,), frozenset({10, 11})),
        Applicant(3, (10, ANY), frozenset({10, 11})),
    ]
    result = allocate(people, {10: 2, 11: 1}, seed=5)
    assert result.assigned == {1: 10, 2: 10, 3: 11}
    assert result.figures["by_rank"] == {"1": 2, "2": 1}


def test_the_same_seed_gives_the_same_result_and_ties_follow_the_random_order():
    applicants = [Applicant(n, (1,), frozenset({1})) for n in range(10)]
    first = allocate(applicants, {1: 3}, seed=42)
    again = allocate(applicants, {1: 3}, seed=42)
    assert first.assigned == again.assigned and first.order == again.order
    winners = {a for a, s in first.assigned.items() if s == 1}
    assert winners == set(first.order[:3])  # equals: the earliest in the recorded order
    other = allocate(applicants, {1: 3}, seed=43)
    assert other.order != first.order


def test_the_mix_spreads_cites_across_sessions():
    def people(cites):
        return [Applicant(n, (1, 2), frozenset({1, 2}), cite=cites.get(n)) for n in range(8)]

    # Four first choices to give among eight equals: the first four of the random order get
    # them. Make those four the Porto people, so that without the mix they cluster.
    order = allocate(people({}), {1: 4, 2: 4}, seed=1).order
    cites = {n: "Porto" if order.index(n) < 4 else "Genève" for n in range(8)}
    plain = allocate(people(cites), {1: 4, 2: 4}, seed=1)
    assert plain.figures["cites"]["1"] == {"Porto": 4}
    mixed = allocate(people(cites), {1: 4, 2: 4}, seed=1, mix="cite")
    assert mixed.figures["cites"]["1"] == {"Porto": 2, "Genève": 2}
    assert mixed.figures["by_rank"] == plain.figures["by_rank"]  # mixing never costs a rank


# -- in the database ---------------------------------------------------------------------

D1 = date(2019, 6, 19)


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


@pytest.fixture
def visits(ctx, demo, db):
    """Day 1's two visits as a group allocated by preference, closing in the future."""
    tour = db.scalar(sa.select(Session).where(Session.key == "d1-visit-spaces"))
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    tour.capacity, explora.capacity = 2, 1
    group = groups.create_group(
        db, demo.id, "d1-visits", "Visites", [tour.id, explora.id], title_en="Visits",
        mode="preference", preferences_close_at=utcnow() + timedelta(days=1),
    )  # fmt: skip
    db.commit()
    return group, tour, explora


def person(n, **fields):
    values = dict(
        first_name="Raquel", last_name=f"Castello-Branco {n}", email=f"p{n}@example.org",
        country="PT", category="member", language="en", days=[D1], privacy_consent=True,
        cite=("porto", "cascais")[n % 2],
    )  # fmt: skip
    values.update(fields)
    return RegistrationData(**values)


def test_participants_rank_instead_of_picking(visits, demo, db):
    group, tour, explora = visits
    edition = db.get(Edition, demo.id)
    outcome = registrations.register(
        db, edition, person(0, rankings={group.id: [explora.id, tour.id]}), now=utcnow()
    )
    db.commit()
    ranks = db.scalars(sa.select(Ranking).order_by(Ranking.rank)).all()
    assert [(p.session_id, p.rank) for p in ranks] == [(explora.id, 1), (tour.id, 2)]
    assert outcome.registration.choices == []  # nothing given before the allocation
    with pytest.raises(InvalidRegistration) as caught:
        registrations.register(db, edition, person(1, sessions=[explora.id]), now=utcnow())
    db.rollback()
    assert "allocated by preference" in caught.value.errors["sessions"][0]
    with pytest.raises(InvalidRegistration) as caught:
        registrations.register(
            db, edition, person(2, rankings={group.id: [explora.id, explora.id]}), now=utcnow()
        )
    db.rollback()
    assert "only once" in caught.value.errors[f"ranking_{group.id}"][0]


def test_run_review_adjust_and_publish(visits, demo, db):
    group, tour, explora = visits
    edition = db.get(Edition, demo.id)
    for n in range(4):
        registrations.register(
            db, edition, person(n, rankings={group.id: [explora.id, tour.id]}), now=utcnow()
        )
    db.commit()
    result = groups.run(db, group, now=utcnow(), seed=11)
    db.commit()
    assert result.figures["by_rank"] == {"1": 1, "2": 2}
    assert len(result.figures["unassigned"]) == 1
    again = groups.run(db, group, now=utcnow(), seed=11)
    assert again.assigned == result.assigned  # reproducible
    db.commit()
    # Move the person without a seat… there is none left anywhere: refused.
    nobody = result.figures["unassigned"][0]
    with pytest.raises(DomainError):
        groups.adjust(db, group, nobody, tour.id)
    db.rollback()
    group = db.get(type(group), group.id)
    with pytest.raises(DomainError, match="until the cut-off"):
        groups.publish(db, group, now=utcnow())  # people may still change their rankings
    db.rollback()
    group.preferences_close_at = utcnow() - timedelta(minutes=1)
    db.commit()
    created = groups.publish(db, group, now=utcnow())
    db.commit()
    statuses = sorted(c.status for c in created)
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert (
        db.scalar(
            sa.select(sa.func.count()).select_from(Choice).where(Choice.status == "confirmed")
        )
        == 3
    )
    mails = db.scalars(sa.select(OutboxMessage).where(OutboxMessage.purpose == "allocation")).all()
    assert len(mails) == 4
    assert group.mode == "first_come" and group.published_at is not None
    # From now on the group works first come, first served.
    late = registrations.register(db, edition, person(9, sessions=[tour.id]), now=utcnow())
    db.commit()
    assert [c.status for c in late.registration.choices] == ["waitlisted"]


def test_publishing_needs_a_draft_of_what_holds_at_the_cut_off(visits, demo, db):
    from tests.support.factories import make_choice

    group, tour, explora = visits
    edition = db.get(Edition, demo.id)
    assembly = db.scalar(sa.select(Session).where(Session.key == "d1-general-assembly"))
    assembly.requires_registration = True
    db.commit()
    for n in range(2):
        registrations.register(
            db, edition, person(n, rankings={group.id: [explora.id, tour.id]}), now=utcnow()
        )
    db.commit()
    groups.run(db, group, now=utcnow(), seed=3)  # a preview, while people still rank
    db.commit()
    # Someone ranks after the preview: publishing it would leave them waiting for the tour
    # while a seat of it is free.
    late = registrations.register(
        db, edition, person(2, rankings={group.id: [tour.id]}), now=utcnow()
    ).registration
    group.preferences_close_at = utcnow() - timedelta(minutes=1)
    db.commit()
    with pytest.raises(DomainError, match="Rankings or registrations changed"):
        groups.publish(db, group, now=utcnow())
    db.rollback()
    draft = groups.run(db, group, now=utcnow(), seed=3)
    db.commit()
    assert draft.assigned[late.id] == tour.id
    tour.capacity = 3  # a seat added after the draft: it could go to someone without one
    db.commit()
    with pytest.raises(DomainError, match="Seats changed"):
        groups.publish(db, group, now=utcnow())
    db.rollback()
    tour.capacity = 2
    db.commit()
    # The one given the Explora visit is then given the General Assembly, which overlaps.
    holder = next(r for r, s in draft.assigned.items() if s == explora.id)
    make_choice(db, db.get(Registration, holder), assembly)
    db.commit()
    with pytest.raises(DomainError, match="Rankings or registrations changed"):
        groups.publish(db, group, now=utcnow())
    db.rollback()
    groups.run(db, group, now=utcnow(), seed=3)
    db.commit()
    groups.publish(db, group, now=utcnow())
    db.commit()
    seats = {
        (c.registration_id, c.session_id, c.status)
        for c in db.scalars(sa.select(Choice).where(Choice.session_id.in_([tour.id, explora.id])))
    }
    other = ({r.id for r in db.scalars(sa.select(Registration))} - {holder, late.id}).pop()
    assert seats == {(late.id, tour.id, "confirmed"), (other, explora.id, "confirmed")}


def test_overlapping_seats_are_never_allocated(visits, demo, db):
    from tests.support.factories import make_choice

    group, tour, explora = visits
    edition = db.get(Edition, demo.id)
    assembly = db.scalar(sa.select(Session).where(Session.key == "d1-general-assembly"))
    assembly.requires_registration = True
    db.commit()
    # Holding the General Assembly (18:00) makes both 17:00 visits impossible to rank…
    member = person(0, sessions=[assembly.id], member_code=edition.member_code)
    holder = registrations.register(db, edition, member, now=utcnow())
    db.commit()
    data = data_of(holder.registration)
    data.rankings = {group.id: [tour.id]}
    with pytest.raises(InvalidRegistration) as caught:
        registrations.update(db, holder.registration, data, now=utcnow())
    db.rollback()
    assert "cannot be given to you" in caught.value.errors[f"ranking_{group.id}"][0]
    # …and a seat given later by an organiser keeps the allocation away from them.
    ranked = registrations.register(
        db, edition, person(1, rankings={group.id: [tour.id, explora.id]}), now=utcnow()
    ).registration
    make_choice(db, ranked, assembly)
    db.commit()
    result = groups.run(db, group, now=utcnow(), seed=1)
    assert result.assigned == {ranked.id: None}


def test_preferences_close_at_the_cut_off(visits, demo, db):
    group, tour, _explora = visits
    group.preferences_close_at = datetime(2019, 1, 1, tzinfo=UTC)
    db.commit()
    edition = db.get(Edition, demo.id)
    with pytest.raises(InvalidRegistration) as caught:
        registrations.register(db, edition, person(0, rankings={group.id: [tour.id]}), now=utcnow())
    db.rollback()
    assert "closed" in caught.value.errors[f"ranking_{group.id}"][0]
