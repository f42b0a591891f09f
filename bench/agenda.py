"""Issue 6: a participant's personal calendar feed as calendar clients poll it, built
(no ``If-None-Match``) and revalidated (``If-None-Match`` → ``304 Not Modified``).

python -m bench.agenda [--duration 10 --concurrency 8,32 …]  → bench/results/agenda.md
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from bench.harness import RESULTS_DIR, Context, Endpoint, Request, Suite, main

DEMO = "spring-school-2019"


def _register(ctx: Context) -> str:
    """A participant of the three days with two choices; the path of their feed."""
    programme = json.loads(ctx.fetch(f"/api/v1/editions/{DEMO}/programme").body)
    keys = {"d1-visit-explora", "d3-work-cafe"}
    chosen = [s["id"] for s in programme["sessions"] if s["key"] in keys]
    answer = ctx.register(
        DEMO,
        {
            "first_name": "Majda",
            "last_name": "Jelenčić",
            "email": "majda@example.org",
            "country": "HR",
            "category": "member",
            "language": "fr",
            "days": ["2019-06-19", "2019-06-20", "2019-06-21"],
            "sessions": chosen,
            "consent": True,
        },
    )
    return urlsplit(answer["agenda_url"]).path


def prepare(ctx: Context) -> list[Endpoint]:
    ctx.flask("demo", "load")
    agenda = _register(ctx)
    etag = ctx.fetch(agenda).headers["etag"]
    return [
        Endpoint("personal .ics, built", agenda),
        Endpoint(
            "personal .ics, If-None-Match → 304",
            agenda,
            Request("GET", {"If-None-Match": etag}),
            expect=304,
        ),
    ]


SUITE = Suite(
    "agenda",
    "Personal calendar feed",
    prepare,
    notes=[
        "One participant of the demo edition (three days, two choices); a 304 costs no"
        " query while the process keeps the participant's state.",
        "Target (issue 23): the 304 at 0.8 of the ceiling or more.",
    ],
)


if __name__ == "__main__":
    main([SUITE], title="Benchmark: agenda", output=RESULTS_DIR / "agenda.md", description=__doc__)
