"""Issue 5: the check-in API as scanners use it at the door: bearer token, a badge of one
of 200 participants each time (first scans, then "already"), a new client id per scan.

python -m bench.checkin [--duration 10 --concurrency 8,32 …]  → bench/results/checkin.md
"""

from __future__ import annotations

import json
import urllib.parse

import sqlalchemy as sa

from bench.harness import RESULTS_DIR, Context, Endpoint, Request, Suite, main
from bench.load import lua_string

DEMO = "spring-school-2019"
PARTICIPANTS = 200
BATCH = 20
LUA = """
tokens = TOKENS
n = 0
request = function()
  n = n + 1
  local token = tokens[(n % #tokens) + 1]
  local body = string.format(
    '{"token": "%s", "client_id": "bench-%s-%s-%d", "day": "2019-06-19", "device": "wrk"}',
    token, bench_run, bench_thread, n)
  return wrk.format(nil, nil, nil, body)
end
"""
# A busy door's scanner sending its scans together: BATCH scans per request.
BATCH_LUA = """
tokens = TOKENS
n = 0
request = function()
  local scans = {}
  for i = 1, BATCH do
    n = n + 1
    local token = tokens[(n % #tokens) + 1]
    scans[i] = string.format(
      '{"token": "%s", "client_id": "bench-%s-%s-%d", "day": "2019-06-19", "device": "wrk"}',
      token, bench_run, bench_thread, n)
  end
  return wrk.format(nil, nil, nil, '{"scans": [' .. table.concat(scans, ", ") .. ']}')
end
"""


def _batch_body(tokens: list[str], run: str, n: int) -> str:
    scans = [
        {
            "token": tokens[(n * BATCH + i) % len(tokens)],
            "client_id": f"bench-{run}-{n}-{i}",
            "day": "2019-06-19",
        }
        for i in range(BATCH)
    ]
    return json.dumps({"scans": scans})


def _registered_an_hour_ago(ctx: Context) -> None:
    """As if the participants had registered before the day: a roster asked ``since``
    now then lists only what changes from now on (the door's scans)."""
    engine = sa.create_engine(
        ctx.env["SCHOOL_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    )
    hour = "interval '1 hour'"
    earlier = f"created_at = created_at - {hour}, updated_at = updated_at - {hour}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE registrations SET {earlier}"))  # noqa: S608 - our text
        conn.execute(sa.text(f"UPDATE choices SET {earlier}"))  # noqa: S608 - our text
    engine.dispose()
    ctx.flask("cache", "reset")  # written outside the app: the servers are told


def prepare(ctx: Context) -> list[Endpoint]:
    ctx.flask("demo", "load")
    ctx.flask("organiser", "create", "door@example.org", "--role", "checkin")
    token = ctx.flask("token", "create", "door@example.org").strip().splitlines()[-1]
    for n in range(PARTICIPANTS):
        ctx.register(
            DEMO,
            {
                "first_name": "Majda",
                "last_name": f"Jelenčić {n}",
                "email": f"p{n}@example.org",
                "country": "HR",
                "category": "member",
                "days": ["2019-06-19", "2019-06-20"],
                "consent": True,
            },
        )
    _registered_an_hour_ago(ctx)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    roster = json.loads(ctx.fetch(f"/api/v1/editions/{DEMO}/roster", Request("GET", auth)).body)
    since = urllib.parse.quote(roster["generated_at"])
    tokens = [p["token"] for p in roster["participants"]]
    lua_tokens = "{" + ", ".join(lua_string(t) for t in tokens) + "}"
    first = json.dumps({"token": tokens[0], "client_id": "bench-first", "day": "2019-06-19"})
    batch = _batch_body(tokens, "first", 0)
    # The scans the check-in endpoints' answers are recorded with (for the ceiling), made
    # now: the roster asked since sends these 20 people again for their check-ins (those
    # of the last minutes, roster.SINCE_MARGIN), in the answer recorded for its ceiling
    # as in the measure.
    ctx.fetch(f"/api/v1/editions/{DEMO}/checkins", Request("POST", auth, body=first))
    ctx.fetch(f"/api/v1/editions/{DEMO}/checkins/batch", Request("POST", auth, body=batch))
    return [
        # First, before the door's scans: a scanner holding the roster asks what changed
        # since (nobody's badge or seats; 20 people scanned by others at the door).
        Endpoint(
            "roster since the one held (200 participants, 20 scanned since)",
            f"/api/v1/editions/{DEMO}/roster?since={since}",
            Request("GET", auth),
        ),
        Endpoint(
            "check-in API (entrance, 200 badges)",
            f"/api/v1/editions/{DEMO}/checkins",
            Request(
                "POST",
                auth,
                body=first,
                lua=LUA.replace("TOKENS", lua_tokens),
                python_body=lambda run, n: json.dumps(
                    {
                        "token": tokens[n % len(tokens)],
                        "client_id": f"bench-{run}-{n}",
                        "day": "2019-06-19",
                    }
                ),
            ),
        ),
        Endpoint(
            f"check-in API, batches of {BATCH} (entrance, 200 badges)",
            f"/api/v1/editions/{DEMO}/checkins/batch",
            Request(
                "POST",
                auth,
                body=batch,
                lua=BATCH_LUA.replace("TOKENS", lua_tokens).replace("BATCH", str(BATCH)),
                python_body=lambda run, n: _batch_body(tokens, run, n),
            ),
            per_request=BATCH,
        ),
        Endpoint(
            "floor: token check and edition, no scan",
            f"/bench/floor/{DEMO}",
            Request("POST", auth, body=first),
        ),
        Endpoint(
            "roster (200 participants)", f"/api/v1/editions/{DEMO}/roster", Request("GET", auth)
        ),
    ]


SUITE = Suite(
    "checkin",
    "Check-in API",
    prepare,
    notes=[
        "Targets: p99 under 50 ms at concurrency 32 (issue 5); check-in at 0.25 of the"
        " ceiling, the roster at 0.1 (issue 23).",
        "*roster since*: the roster asked with `?since=` the time of the one held, after"
        " 20 people were scanned (nobody's badge or seats changed): what a scanner that"
        " holds it downloads; those scanned in the last two minutes come with their"
        " check-ins.",
        f"*batches of {BATCH}*: a scanner sending its scans together (`…/checkins/batch`);"
        f" its ratio is scans a second ({BATCH} × req/s) ÷ the ceiling's req/s.",
        "*floor*: school's request path, the bearer token checked and the edition read, "
        "then a fixed answer (bench/floor.py): what a check-in costs before the scan.",
    ],
    app="bench.floor:create_app()",
)


if __name__ == "__main__":
    main(
        [SUITE], title="Benchmark: check-in", output=RESULTS_DIR / "checkin.md", description=__doc__
    )
