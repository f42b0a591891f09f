"""The organisers' table of registrations with 10,000 registrations: time and number of
queries of a page, for the common views (first page, last page, a sort, a search,
filters), and the time of the full exports. Flask's test client, one process, no
network; each view is the whole request (login session, queries, template).

    python -m bench.registrations_table [--count 10000] [--postgres URL]
        [--output bench/results/registrations_table.md]

Without ``--postgres`` the database is a fresh SQLite file; with it, a fresh PostgreSQL
database is created next to the given URL's and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from bench import people
from school import create_app
from school.config import database_uri
from school.extensions import db
from school.models import Choice
from school.paths import DEMO_FILE
from school.services.backoffice import organisers
from school.services.programme import importer

SLUG = "spring-school-2019"
PASSWORD = "bench password 1"
RUNS = 9


def fill(count: int, seed: int = 7) -> None:
    """The demo edition, an organiser, and ``count`` registrations in bulk."""
    edition = importer.import_file(db.session, DEMO_FILE)
    organisers.create_organiser(db.session, "bench@example.org", "admin", PASSWORD)
    db.session.commit()
    people.add(db.session, edition, count, seed=seed)
    people.analyze(db.engine)


@contextmanager
def counting(engine):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def login(client) -> None:
    page = client.get("/organiser/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/organiser/login",
        data={"csrf_token": token, "email": "bench@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302, "login failed"


def measure(client, engine, url: str, runs: int = RUNS) -> tuple[float, float, int, int]:
    """Median and slowest time (ms), queries, rows shown."""
    client.get(url)  # warm caches (templates, statements)
    times, queries = [], []
    html = ""
    for _ in range(runs):
        with counting(engine) as statements:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        html = response.get_data(as_text=True)
        queries.append(len(statements))
    rows = len(re.findall(r"/registrations/\d+\">", html))
    assert len(set(queries)) == 1, f"queries vary between runs: {queries}"
    return statistics.median(times), max(times), queries[0], rows


def once(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, url
    return seconds, len(response.data)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


@contextmanager
def database(postgres: str | None):
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db", "SQLite (file, WAL)"
        return
    url = sa.engine.make_url(database_uri(postgres, Path()))
    name = f"school_bench_table_{os.getpid()}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False), "PostgreSQL"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


VIEWS = [
    ("first page, 50 by name", ""),
    ("the last page, 100 a page", "?per_page=100&page=9999"),
    ("sorted by organisation, descending", "?sort=organisation&desc=1"),
    ("search “núñez 12”", "?q=n%C3%BA%C3%B1ez+12"),
    ("Belgian members checked in", "?country=BE&category=member&checked_in=yes"),
    ("waiting list of one session", "?session={session}&choice=waitlisted"),
    ("all statuses, by registration date", "?status=&sort=registered&desc=1"),
]


def run(count: int, postgres: str | None) -> list[str]:
    with database(postgres) as (url, label):
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            started = time.perf_counter()
            fill(count)
            filled = time.perf_counter() - started
            session = db.session.scalar(
                sa.select(Choice.session_id).where(Choice.status == "waitlisted").limit(1)
            )
            engine = db.engine
        client = app.test_client()
        login(client)
        base = f"/organiser/{SLUG}/registrations"
        lines = [
            f"## {label}",
            "",
            f"{count} registrations (every 25th cancelled), two choices each, meals, 40 %"
            f" checked in; generated in {filled:.1f} s.",
            "",
            "| view | rows | queries | median | slowest |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, query in VIEWS:
            median, slowest, queries, rows = measure(
                client, engine, base + query.format(session=session)
            )
            lines.append(f"| {name} | {rows} | {queries} | {median:.0f} ms | {slowest:.0f} ms |")
        lines += ["", "| export of every confirmed registration | time | size |", "|---|---:|---:|"]
        for fmt in ("csv", "xlsx"):
            seconds, size = once(client, f"/organiser/{SLUG}/exports/registrations.{fmt}")
            lines.append(f"| {fmt.upper()} | {seconds:.1f} s | {size / 1024:.0f} KiB |")
        seconds, _ = once(client, f"/organiser/{SLUG}/")
        lines += ["", f"Dashboard of the same edition: {seconds * 1000:.0f} ms.", ""]
        with app.app_context():
            db.engine.dispose()
        return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL to run against as well")
    parser.add_argument("--output", type=Path, default=Path("bench/results/registrations_table.md"))
    args = parser.parse_args()
    lines = [
        "# The registrations table with 10,000 registrations",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()} (shared with other jobs: repeated runs differ by up to a third)",
        f"- how: `python -m bench.registrations_table --count {args.count}"
        f"{' --postgres …' if args.postgres else ''}`; Flask's test client in one process;"
        f" each view warmed once, then timed {RUNS} times (the whole request).",
        "",
        "A page costs the same number of queries whatever the number of registrations and"
        " the filters: the organiser, the edition and its days, a count, the page's rows"
        " (with a checked-in flag computed by the database), their days and their choices,"
        " and the filters' options (countries, Cités, sessions). Tests check the count stays"
        " the same from 5 to 135 registrations (`tests/test_web_organiser_registrations.py`).",
        "",
        "After the bulk load the benchmark runs `ANALYZE`, as autovacuum would shortly after;"
        " without planner statistics PostgreSQL chose nested loops over the fresh tables and"
        " two filtered views and the dashboard took several seconds.",
        "",
    ]
    lines += run(args.count, None)
    if args.postgres:
        lines += run(args.count, args.postgres)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
