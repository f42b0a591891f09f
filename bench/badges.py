"""Printing badges: 1,000 confirmed participants to one PDF of A4 sheets, through the real
command (``flask --app school badges print``) in a process of its own, timed from start
to exit, with the peak resident memory of that process. Also: the render alone, in this
process, and one participant's badge (the ``/my/<token>/badge.pdf`` request's work).

Targets (issue 4): under 15 s and under 300 MB for 1,000 badges on the 2-core machine.

    python -m bench.badges [--count 1000] [--output bench/results/badges.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import fpdf

from bench.synthetic import FIRST, LAST
from school import create_app
from school.database import utcnow
from school.extensions import db
from school.models import Registration, RegistrationDay
from school.paths import DEMO_FILE
from school.services.badges import printing
from school.services.programme import catalogue, importer

SLUG = "spring-school-2019"
TARGET_SECONDS = 15.0
TARGET_MB = 300.0
ORGANISATIONS = [
    "Cité des métiers de Genève",
    "Cité des métiers du Valais",
    "Carrefour Emploi Formation Orientation — Maison de l'emploi du Grand Genève",
    "Universcience",
    "Cidade das Profissões, Porto",
    "Città dei mestieri di Milano e della Lombardia",
    "Actiris",
]
COUNTRIES = ["FR", "BE", "CH", "IT", "ES", "PT", "HR", "PL", "MA", "CI"]
CATEGORIES = ["member"] * 6 + ["partner", "guest", "speaker", "staff", "press"]
# One participant in ten each with a Chinese, an Arabic and a Cyrillic name: the Noto
# fallback fonts and the text shaping they need are part of the measure (issue 18).
OTHER_SCRIPTS = {
    3: (["芳", "伟", "秀英"], ["王", "李", "张"], "上海职业城"),
    6: (["محمد", "فاطمة", "يوسف"], ["العلي", "بنعلي", "الإدريسي"], "مدينة المهن الرباط"),
    9: (["Иван", "Ольга"], ["Петров", "Смирнова"], "Город профессий"),
}


def _fill(app, count: int, seed: int = 4) -> None:
    rng = random.Random(seed)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        edition = importer.import_file(db.session, DEMO_FILE)
        for n in range(count):
            last = f"{rng.choice(LAST)} {n}"
            if n % 20 == 0:  # some very long names, which must shrink to fit
                last = f"{rng.choice(LAST)}-{rng.choice(LAST)} de {rng.choice(LAST)} {n}"
            first, organisation = rng.choice(FIRST), rng.choice(ORGANISATIONS)
            if n % 10 in OTHER_SCRIPTS:
                firsts, lasts, organisation = OTHER_SCRIPTS[n % 10]
                first, last = rng.choice(firsts), rng.choice(lasts)
            registration = Registration(
                edition_id=edition.id,
                first_name=first,
                last_name=last,
                email=f"p{n}@example.org",
                email_key=f"p{n}@example.org",
                organisation=organisation,
                country=rng.choice(COUNTRIES),
                category=rng.choice(CATEGORIES),
                language=rng.choice(["fr", "en"]),
                privacy_consent_at=utcnow(),
            )
            registration.days = [RegistrationDay(date=day) for day in edition.dates]
            db.session.add(registration)
        db.session.commit()


def _run_command(env: dict, output: Path) -> tuple[float, float]:
    """Seconds from start to exit, and peak resident memory (MB) of the command."""
    command = [sys.executable, "-m", "flask", "--app", "school", "badges", "print", SLUG]
    started = time.perf_counter()
    subprocess.run([*command, "-o", str(output)], env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    # ru_maxrss of the children: the largest of them, which here is the command (kB on Linux).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    line = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def _in_process(app, single_runs: int = 20) -> tuple[float, float, float]:
    """Query + sort, render of the whole batch, and the median single badge (seconds)."""
    with app.app_context():
        edition = catalogue.get_edition(db.session, SLUG)
        started = time.perf_counter()
        chosen = printing.registrations_to_print(db.session, edition)
        query = time.perf_counter() - started
        started = time.perf_counter()
        printing.pdf_for(chosen, sheet=True)
        render = time.perf_counter() - started
        singles = []
        for registration in chosen[:single_runs]:
            started = time.perf_counter()
            printing.pdf_for([registration])
            singles.append(time.perf_counter() - started)
    return query, render, statistics.median(singles)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{memory_kb / 1024 / 1024:.0f} GB RAM"
    except OSError:
        memory = "unknown RAM"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, fpdf2 {fpdf.__version__}"
    )


@dataclass
class BadgeRun:
    count: int
    seconds: float  # the command, start to exit
    peak_mb: float
    pages: int
    size_mb: float
    query: float
    render: float
    single: float

    @property
    def within_targets(self) -> bool:
        return self.seconds < TARGET_SECONDS and self.peak_mb < TARGET_MB


def run(count: int = 1000) -> BadgeRun:
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/bench.db"
        env = {
            **os.environ,
            "SCHOOL_DATABASE_URL": database,
            "SCHOOL_SECRET_KEY": "bench-secret",
        }
        app = create_app({"DATABASE_URL": database, "SECRET_KEY": "bench-secret"})
        _fill(app, count)
        pdf = Path(folder) / "badges.pdf"
        seconds, peak_mb = _run_command(env, pdf)
        pages, size_mb = _pages(pdf), pdf.stat().st_size / 1024 / 1024
        query, render, single = _in_process(app)
    return BadgeRun(count, seconds, peak_mb, pages, size_mb, query, render, single)


def table(result: BadgeRun) -> list[str]:
    return [
        "| measure | value | target |",
        "|---|---|---|",
        f"| `flask badges print {SLUG}` for {result.count} participants, start to exit"
        f" | {result.seconds:.1f} s | < {TARGET_SECONDS:.0f} s |",
        f"| peak resident memory of that command | {result.peak_mb:.0f} MB"
        f" | < {TARGET_MB:.0f} MB |",
        f"| output | {result.pages} A4 pages, {result.size_mb:.1f} MB | |",
        f"| in process: query and sort by last name | {result.query * 1000:.0f} ms | |",
        f"| in process: render the {result.count} badges (fpdf2) | {result.render:.1f} s | |",
        f"| one badge (the `/my/<token>/badge.pdf` request's work), median of 20"
        f" | {result.single * 1000:.0f} ms | |",
        "",
        f"Verdict: {'within' if result.within_targets else 'OUTSIDE'} the targets.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=Path("bench/results/badges.md"))
    args = parser.parse_args()
    result = run(args.count)
    lines = [
        "# Badges: printing 1,000 to one PDF",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python -m bench.badges"
        f" --count {args.count}`.",
        f"Machine: {_machine()}. SQLite database.",
        "",
        *table(result),
        "",
        "The command's time includes starting Python and the app (about a second). Each badge"
        " draws its QR code as vector rectangles (one per run of dark modules) and fits its"
        " texts by arithmetic on widths measured once per piece of text, so the cost grows"
        " linearly with the number of badges; the fonts are parsed once per PDF. One"
        " participant in ten each has a Chinese, an Arabic and a Cyrillic name (Noto"
        " fallback fonts, HarfBuzz shaping); fonts are embedded as subsets.",
        "",
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    if not result.within_targets:
        sys.exit(1)


if __name__ == "__main__":
    main()
