"""Allocation of oversubscribed parallel sessions by preference.

Participants rank the sessions of a group (1st, 2nd, 3rd choice, or "any"). At the
cut-off an organiser runs ``run``: it solves a **minimum-cost flow** (networkx's network
simplex, exact integer arithmetic) from participants to sessions whose capacities are the
free seats. Costs are lexicographic, each level outweighing everything below it:

1. as many people as possible get a seat;
2. then as many as possible get their 1st choice, then their 2nd, and so on
   (a *rank-maximal* assignment — the classic reading of "most people get their first
   choice, then the second…");
3. optionally, a spread of Cités (or countries) inside each session: beyond an even share,
   each more person from the same Cité in one session costs a little more (convex costs,
   so the flow spreads them);
4. then fairness between equals: a seeded random order of the participants, recorded with
   the draft, breaks the remaining ties (the earlier in the order, the better the rank),
   so a run can be reproduced and explained.

Why not a greedy loop: a greedy "first choices first" pass can block someone's only
possible seat and leave people with nothing who could all have been seated; the flow
finds the optimum of the whole, and a known small case shows it (see the tests). Random
serial dictatorship is fair but not rank-maximal.

Eligibility comes from the same rules as registration: a session on a day the person
does not attend, members-only for a non-member, or overlapping a seat they already hold
elsewhere is not offered to them.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx

ANY = None  # a ranking entry meaning "any other session of the group"


@dataclass(frozen=True)
class Applicant:
    id: int  # registration id
    ranking: tuple[int | None, ...]  # session ids in order of preference; None = any
    eligible: frozenset[int]  # sessions this person may be given
    cite: str | None = None
    country: str | None = None


@dataclass
class Allocation:
    seed: int
    order: list[int]  # applicant ids in the random order (ties favour the earlier)
    assigned: dict[int, int | None]  # applicant id -> session id, or None
    rank: dict[int, int | None]  # applicant id -> rank obtained (1 = first choice)
    figures: dict = field(default_factory=dict)


def rank_of(applicant: Applicant, session_id: int) -> int | None:
    """The rank a session has in an applicant's ranking (``any`` covers the rest)."""
    for position, wanted in enumerate(applicant.ranking, start=1):
        if wanted == session_id:
            return position
    if ANY in applicant.ranking:
        return applicant.ranking.index(ANY) + 1
    return None


def allocate(
    applicants: list[Applicant],
    seats: dict[int, int],
    *,
    seed: int,
    mix: str | None = None,
) -> Allocation:
    """Assign at most one session per applicant. ``seats``: free seats per session id.
    ``mix``: ``"cite"`` or ``"country"`` to spread them inside sessions."""
    order = [a.id for a in applicants]
    random.Random(seed).shuffle(order)
    position = {applicant_id: i for i, applicant_id in enumerate(order)}
    n = len(applicants)
    if n == 0:
        return Allocation(seed, order, {}, {}, figures_of([], {}, {}, seats))
    depth = max(len(a.ranking) for a in applicants) + 1  # ranks 1..depth-1, worse = depth
    base = n + 1
    tie_level = 1
    mix_level = n * n * (depth + 1) + 1  # beyond every tie-break together
    rank_level = mix_level * (n * n + 1)  # beyond every mix penalty together

    graph = nx.MultiDiGraph()
    graph.add_node("source", demand=-n)
    graph.add_node("sink", demand=n)
    graph.add_edge("none", "sink", capacity=n, weight=0)
    groups: dict[int, Counter] = defaultdict(Counter)
    for applicant in applicants:
        node = ("applicant", applicant.id)
        graph.add_edge("source", node, capacity=1, weight=0)
        graph.add_edge(node, "none", capacity=1, weight=0)
        key = _mix_key(applicant, mix)
        for session_id in applicant.eligible:
            rank = rank_of(applicant, session_id)
            if rank is None or seats.get(session_id, 0) <= 0:
                continue
            satisfaction = base**depth + base ** (depth - rank)
            # Earlier in the random order: a bigger bonus for a better rank, so ties go their way.
            fairness = (n - position[applicant.id]) * (depth + 1 - rank)
            weight = -rank_level * satisfaction - tie_level * fairness
            target = ("session", session_id) if key is None else ("mix", session_id, key)
            graph.add_edge(node, target, capacity=1, weight=weight)
            if key is not None:
                groups[session_id][key] += 1
    for session_id, free in seats.items():
        if free > 0:
            graph.add_edge(("session", session_id), "sink", capacity=free, weight=0)
    for session_id, keys in groups.items():
        share = max(1, -(-seats[session_id] // max(len(keys), 1)))  # an even share, rounded up
        for key, count in keys.items():
            for k in range(count):
                penalty = max(0, k + 1 - share)  # the 1st extra costs 1, the next 2, …
                graph.add_edge(
                    ("mix", session_id, key),
                    ("session", session_id),
                    capacity=1,
                    weight=mix_level * penalty,
                )
    flow = nx.min_cost_flow(graph)
    assigned: dict[int, int | None] = {}
    for applicant in applicants:
        outgoing = flow[("applicant", applicant.id)]
        chosen = None
        for target, edges in outgoing.items():
            if target != "none" and any(edges.values()):
                chosen = target[1]
        assigned[applicant.id] = chosen
    ranks = {
        a.id: rank_of(a, assigned[a.id]) if assigned[a.id] is not None else None for a in applicants
    }
    return Allocation(seed, order, assigned, ranks, figures_of(applicants, assigned, ranks, seats))


def _mix_key(applicant: Applicant, mix: str | None) -> str | None:
    if mix == "cite":
        return applicant.cite or f"—{applicant.id}"  # no Cité: nobody to be spread from
    if mix == "country":
        return applicant.country or f"—{applicant.id}"
    return None


def figures_of(applicants, assigned, ranks, seats) -> dict:
    by_rank = Counter(r for r in ranks.values() if r is not None)
    fill = Counter(s for s in assigned.values() if s is not None)
    return {
        "applicants": len(applicants),
        "by_rank": {str(rank): by_rank[rank] for rank in sorted(by_rank)},
        "unassigned": sorted(a for a, s in assigned.items() if s is None),
        "fill": {str(s): {"taken": fill[s], "seats": seats[s]} for s in seats},
        "cites": _mix(applicants, assigned, "cite"),
        "countries": _mix(applicants, assigned, "country"),
    }


def _mix(applicants, assigned, attribute) -> dict:
    mix: dict[str, Counter] = defaultdict(Counter)
    for applicant in applicants:
        session_id = assigned.get(applicant.id)
        if session_id is not None:
            mix[str(session_id)][getattr(applicant, attribute) or "—"] += 1
    return {session: dict(counts) for session, counts in mix.items()}
