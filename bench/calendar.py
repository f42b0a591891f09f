"""Calendar feeds: how long the full-programme feed takes to build, and how many
personal-feed requests per second one process serves, with and without ETag.

python -m bench.calendar                      # SQLite in a temporary folder
SCHOOL_DATABASE_URL=postgresql://…/empty_db python -m bench.calendar
python -m bench.calendar --output bench/results/calendar.md

Everything runs in one process through Flask's test client (no network, one
thread), so the figures are the application's own cost: queries, iCalendar
building, serialisation.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.synthetic import programme_text
from school import create_app
from school.extensions import db
from school.models import Choice, Registration, RegistrationDay, Session
from school.paths import DEMO_FILE
from school.services.programme import importer

SYNTHETIC = dict(sessions=500, speakers=300)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def rate(fn, seconds: float, limit: int = 100_000) -> float:
    """Requests per second over about ``seconds`` (bounded in count and time)."""
    fn()  # warm up
    done, started = 0, time.perf_counter()
    while done < limit and time.perf_counter() - started < seconds:
        fn()
        done += 1
    return done / (time.perf_counter() - started)


def _participant(session, edition, choices: int) -> str:
    """A participant of every day, with ``choices`` capped sessions (every third waitlisted)."""
    now = datetime.now(UTC)
    email = f"bench@{edition.slug}.example.org"
    registration = Registration(
        edition_id=edition.id,
        first_name="Bench",
        last_name="Participant",
        email=email,
        email_key=email,
        country="PT",
        category="member",
        language="en",
        privacy_consent_at=now,
    )
    registration.days = [RegistrationDay(date=day) for day in edition.dates]
    session.add(registration)
    session.flush()
    capped = session.scalars(
        sa.select(Session)
        .where(Session.edition_id == edition.id, Session.capacity.is_not(None))
        .order_by(Session.id)
        .limit(choices)
    ).all()
    for n, target in enumerate(capped):
        status = "waitlisted" if n % 3 == 2 else "confirmed"
        queued = now - timedelta(minutes=n)
        session.add(
            Choice(
                registration_id=registration.id,
                session_id=target.id,
                status=status,
                queued_at=queued,
            )
        )
    return f"/my/{registration.manage_token}/agenda.ics"


def setup(app) -> dict[str, str]:
    """The demo and the synthetic edition, each with one participant."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        session = db.session
        demo = importer.import_file(session, DEMO_FILE)
        synthetic = importer.import_text(
            session, programme_text(**SYNTHETIC, slug="synthetic"), "synthetic.yaml"
        )
        agendas = {
            "demo": _participant(session, demo, choices=2),
            "synthetic": _participant(session, synthetic, choices=6),
        }
        session.commit()
        return agendas


EDITIONS = (
    ("spring-school-2019", "demo", "demo (Spring School 2019)"),
    ("synthetic", "synthetic", f"synthetic ({SYNTHETIC['sessions']} sessions)"),
)


def run(args) -> str:
    tmp = tempfile.TemporaryDirectory()
    database = os.environ.get("SCHOOL_DATABASE_URL") or f"sqlite:///{tmp.name}/bench.db"
    app = create_app(
        {
            "DATABASE_URL": database,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "school.example",
        }
    )
    app.logger.disabled = True
    agendas = setup(app)
    client = app.test_client()

    def cache(enabled: bool) -> None:
        app.config["FEED_CACHE_BYTES"] = 16 * 1024 * 1024 if enabled else 0
        app.extensions.pop("school.feed_cache", None)

    builds, rates = [], []
    for slug, name, label in EDITIONS:
        cache(False)
        url = f"/{slug}/programme.ics?lang=en"
        response = client.get(url)
        assert response.status_code == 200
        times = timed(lambda url=url: client.get(url), args.runs)
        builds.append(
            f"| {label} | {response.data.count(b'BEGIN:VEVENT')}"
            f" | {len(response.data) / 1024:.0f} KiB"
            f" | {statistics.median(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms |"
        )

        agenda = agendas[name]
        first = client.get(agenda)
        assert first.status_code == 200
        etag = first.headers["ETag"]
        again = {"If-None-Match": etag}
        assert client.get(agenda, headers=again).status_code == 304
        built = rate(lambda agenda=agenda: client.get(agenda), args.seconds)
        not_modified = rate(
            lambda agenda=agenda, again=again: client.get(agenda, headers=again), args.seconds
        )
        cache(True)
        cached = rate(lambda agenda=agenda: client.get(agenda), args.seconds)
        rates.append(
            f"| {label} | {first.data.count(b'BEGIN:VEVENT')} | {built:.0f} | {cached:.0f}"
            f" | {not_modified:.0f} |"
        )
    backend = "PostgreSQL" if database.startswith("postgres") else "SQLite (file, WAL)"
    tmp.cleanup()
    return "\n".join(
        [
            "# Calendar feeds",
            "",
            f"- date: {datetime.now(UTC):%Y-%m-%d}",
            f"- machine: {machine()}",
            f"- database: {backend}",
            "- how: `python -m bench.calendar` — one process, Flask's test client, no network;"
            f" median of {args.runs} builds per feed; each rate measured over"
            f" {args.seconds:.0f} s. The machine is shared: repeated runs differ by up to a third.",
            "",
            "## Building the full-programme feed",
            "",
            "`/<slug>/programme.ics`, no `If-None-Match`, feed cache off: the whole request,"
            " queries and iCalendar writing included.",
            "",
            "| edition | events | size | median | slowest |",
            "|---|---:|---:|---:|---:|",
            *builds,
            "",
            "## A participant's personal feed",
            "",
            "`/my/<token>/agenda.ics` for a participant of all three days with a few choices"
            " (every third on a waiting list); in the synthetic edition most sessions are open"
            " to everyone, hence a feed far larger than a real one. Requests per second:",
            "",
            "| edition | events | no `If-None-Match`, built each time (cache off)"
            " | no `If-None-Match`, from the feed cache | `If-None-Match` → 304 |",
            "|---|---:|---:|---:|---:|",
            *rates,
            "",
            "A 304 costs one query whatever the size of the feed. The feed cache keeps bodies"
            " by ETag in each process (`FEED_CACHE_BYTES`, 16 MiB by default): a change to the"
            " programme, the registration or its choices gives a new ETag, so a client never"
            " gets a stale body, and clients that never send `If-None-Match` cost one build"
            " per change rather than one per poll.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    report = run(args)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
