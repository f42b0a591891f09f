"""Scale curves: the programme page, the scanners' roster and the organisers' pages as an
edition grows, over 50 and 500 sessions × 100, 1,000 and 10,000 participants, on PostgreSQL.

Flask's test client in one process (no network): each figure is the whole request's
work, median of several runs, with the number of SQL statements it ran. The programme
page and the roster are measured *built* (what the process keeps forgotten before each
request: what the first visitor after a change pays) and *served* (what everyone else
pays until the next change); the roster also asked ``since`` the one a scanner holds,
with nothing changed and with one participant changed before each request, and built
for eight scanners asking at once after a change (the time until the last is answered,
the statements of all eight).

    python -m bench.scale [--database-url URL] [--output bench/results/scale.md]
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import event

from bench import people, server, synthetic
from bench.registrations_table import PASSWORD, login
from bench.report import RESULTS_DIR
from school import create_app, data_versions, watched_tables
from school.database import utcnow
from school.extensions import db
from school.models import Edition, Registration
from school.services.backoffice import organisers
from school.services.programme import importer
from school.worker import post_worker_init

SESSIONS = (50, 500)
PARTICIPANTS = (100, 1_000, 10_000)
RUNS = 7


@dataclass
class ScalePoint:
    sessions: int
    participants: int
    view: str
    median_ms: float
    queries: int


def _timed(client, engine, url: str, before=None) -> tuple[float, int]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    client.get(url)  # templates compiled, statements prepared
    times = []
    for _ in range(RUNS):
        if before:
            before()
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", record)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(times), len(statements)


SCANNERS = 8


def _timed_together(clients, engine, url: str, before) -> tuple[float, int]:
    """The time until every scanner of ``clients`` asking ``url`` at once, just after a
    change (``before``), has its answer (what the slowest of them waits), and the
    statements they ran between them."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    clients[0].get(url)
    times = []
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        for _ in range(RUNS):
            before()
            statements.clear()
            event.listen(engine, "before_cursor_execute", record)
            started = time.perf_counter()
            answers = list(pool.map(lambda client: client.get(url).status_code, clients))
            times.append((time.perf_counter() - started) * 1000)
            event.remove(engine, "before_cursor_execute", record)
            if answers != [200] * len(clients):
                raise RuntimeError(f"{url} answered {answers}")
    return statistics.median(times), len(statements)


def _edition_of(sessions: int, database_url: str, log) -> list[ScalePoint]:
    slug = f"synthetic-{sessions}"
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}
    )
    # As a web worker does once its app is built (gunicorn's post_worker_init): the app's
    # own objects out of the garbage collector's sight, which otherwise walks them all
    # while a 10,000-people roster is built.
    post_worker_init()
    points: list[ScalePoint] = []
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        text = synthetic.programme_text(sessions, max(10, sessions * 3 // 5), slug=slug)
        edition = importer.import_text(db.session, text, f"{slug}.yaml")
        organisers.create_organiser(db.session, "bench@example.org", "admin", PASSWORD)
        db.session.commit()
        edition_id = edition.id
        engine = db.engine
        client = app.test_client()
        login(client)
        scanners = [app.test_client() for _ in range(SCANNERS)]
        signed_in = client.get_cookie("session")  # one sign-in: more are refused as an attack
        for scanner in scanners:
            scanner.set_cookie("session", signed_in.value, domain=signed_in.domain)

        def forget_pages() -> None:
            app.extensions.pop("school.render_cache", None)

        def forget_kept() -> None:
            data_versions.of_engine(engine).raise_versions([watched_tables.EVERYTHING])

        def one_changed() -> None:
            # A participant changed at the door (what the next scanner's `since` carries).
            someone = sa.select(Registration.id).where(Registration.edition_id == edition_id)
            db.session.execute(
                sa.update(Registration)
                .where(
                    Registration.id == someone.order_by(Registration.id).limit(1).scalar_subquery()
                )
                .values(updated_at=utcnow())
            )
            db.session.commit()

        added = 0
        for participants in PARTICIPANTS:
            # Each request ends the app's session: the edition is read again.
            edition = db.session.get(Edition, edition_id)
            people.add(db.session, edition, participants - added, first=added)
            added = participants
            people.analyze(engine)
            roster = f"/api/v1/editions/{slug}/roster"
            since = quote(client.get(roster).get_json()["generated_at"])
            views = [
                ("programme page, built", f"/{slug}/programme?lang=en", forget_pages),
                ("programme page, served", f"/{slug}/programme?lang=en", None),
                ("roster, built", roster, forget_kept),
                ("roster, served", roster, None),
                (
                    f"roster, built, {SCANNERS} scanners at once (the last one's wait)",
                    roster,
                    forget_kept,
                ),
                ("roster since the one held", f"{roster}?since={since}", None),
                ("roster since, one person changed", f"{roster}?since={since}", one_changed),
                ("dashboard", f"/organiser/{slug}/", None),
                ("registrations table, first page", f"/organiser/{slug}/registrations", None),
                (
                    "registrations table, search",
                    f"/organiser/{slug}/registrations?q=p{participants // 2}%40",
                    None,
                ),
                ("attendance", f"/organiser/{slug}/attendance", None),
                ("lists", f"/organiser/{slug}/lists", None),
            ]
            for view, url, before in views:
                if view.startswith("roster, built, "):
                    median, queries = _timed_together(scanners, engine, url, before)
                else:
                    median, queries = _timed(client, engine, url, before)
                points.append(ScalePoint(sessions, participants, view, median, queries))
                log(
                    f"[scale] {sessions} sessions, {participants} participants, {view}:"
                    f" {median:.1f} ms, {queries} queries"
                )
        db.session.remove()
        engine.dispose()
    return points


def run(database_url: str, log=print) -> list[ScalePoint]:
    points: list[ScalePoint] = []
    for sessions in SESSIONS:
        with server.fresh_database(database_url, f"scale{sessions}") as url:
            points += _edition_of(sessions, url, log)
    return points


def table(points: list[ScalePoint]) -> str:
    """One row per view, one column per size of edition."""
    sizes = list(dict.fromkeys((p.sessions, p.participants) for p in points))
    rows = [
        "| view | " + " | ".join(f"{s} sessions, {n:,} people" for s, n in sizes) + " |",
        "|---|" + "--:|" * len(sizes),
    ]
    found = {(p.view, p.sessions, p.participants): p for p in points}
    for view in dict.fromkeys(p.view for p in points):
        cells = [found[(view, s, n)] for s, n in sizes]
        rows.append(
            f"| {view} | "
            + " | ".join(f"{p.median_ms:.1f} ms ({p.queries} q.)" for p in cells)
            + " |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=server.DEFAULT_DATABASE_URL)
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "scale.md")
    args = parser.parse_args()
    text = "# Scale curves\n\n" + table(run(args.database_url)) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
