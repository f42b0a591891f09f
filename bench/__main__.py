"""The whole benchmark in one run, into bench/results/latest.md and its plots:

- under gunicorn on PostgreSQL, each beside its ceiling (a bare Flask route answering a
  response of the same size): the programme page and JSON, the registration API, the
  check-in API, a personal ``.ics`` built and revalidated (``If-None-Match``);
- 1,000 badges to one PDF (the ``flask badges print`` command);
- the scale curves of the programme page, the roster and the organisers' pages over
  100 / 1,000 / 10,000 participants and 50 / 500 sessions.

python -m bench [--duration 10 --concurrency 1,8,32 --skip-badges --skip-scale …]
"""

from __future__ import annotations

from bench import agenda, badges, checkin, plots, programme, registration, scale
from bench.harness import RESULTS_DIR, environment, parser, run_suite, settings_from
from bench.report import document, summary, write

SUITES = [programme.SUITE, registration.SUITE, checkin.SUITE, agenda.SUITE]


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--skip-badges", action="store_true")
    options.add_argument("--skip-scale", action="store_true")
    args = options.parse_args()
    settings = settings_from(args)
    env = environment(args, settings)
    output = args.output or RESULTS_DIR / "latest.md"
    folder = output.parent
    folder.mkdir(parents=True, exist_ok=True)

    results = [run_suite(suite, settings) for suite in SUITES]
    levels = tuple(c for c in (8, 32) if c in settings.concurrency) or tuple(settings.concurrency)
    extra = ["", "## Summary", "", summary(results, levels)]
    extra += [
        "",
        f"![Latency against concurrency]({plots.latency(results, folder / 'latency.png').name})",
    ]
    if not args.skip_badges:
        print("[badges] 1,000 badges to PDF")
        run = badges.run(1000)
        extra += ["", "## Badges: 1,000 to one PDF (SQLite)", "", *badges.table(run)]
    if not args.skip_scale:
        points = scale.run(settings.database_url)
        extra += [
            "",
            "## Scale: the programme page, the roster and the organisers' pages (PostgreSQL)",
            "",
            "Flask's test client in one process, the whole request, median of"
            f" {scale.RUNS} runs, with the number of queries. *Built*: what the process"
            " keeps forgotten before each request (the first visitor after a change);"
            " *served*: from what it keeps (everyone else until the next change)."
            " Targets (issue 23), at 500 sessions and 10,000 participants: programme page"
            " p50 under 20 ms, roster under 300 ms, the organisers' pages in a number of"
            " queries that does not grow with the edition.",
            "",
            scale.table(points),
            "",
            f"![Time against size]({plots.scale(points, folder / 'scale.png').name})",
        ]
    env.finish()
    path = write(output, document("Benchmarks", env, results, extra))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
