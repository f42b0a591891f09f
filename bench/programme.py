"""Issue 2: the programme page and the programme JSON, for the demo edition (2019)
and for a synthetic edition of 500 sessions and 300 speakers.

python -m bench.programme [--duration 10 --concurrency 1,8,32 …]  → bench/results/programme.md
"""

from __future__ import annotations

from bench import synthetic
from bench.harness import RESULTS_DIR, Context, Endpoint, Suite, main

DEMO = "spring-school-2019"
SYNTHETIC = "synthetic-500"


def load_synthetic(ctx: Context, *, sessions: int, speakers: int, slug: str) -> None:
    """Write a synthetic programme file and import it, as an organiser would."""
    path = ctx.workdir / f"{slug}.yaml"
    path.write_text(synthetic.programme_text(sessions, speakers, slug=slug), encoding="utf-8")
    ctx.flask("programme", "import", str(path))


def prepare(ctx: Context) -> list[Endpoint]:
    ctx.flask("demo", "load")
    load_synthetic(ctx, sessions=500, speakers=300, slug=SYNTHETIC)
    return [
        Endpoint("programme page, demo 2019", f"/{DEMO}/programme"),
        Endpoint("programme page, 500 sessions", f"/{SYNTHETIC}/programme"),
        Endpoint("programme JSON, demo 2019", f"/api/v1/editions/{DEMO}/programme"),
        Endpoint("programme JSON, 500 sessions", f"/api/v1/editions/{SYNTHETIC}/programme"),
    ]


SUITE = Suite(
    "programme",
    "Programme: page and JSON",
    prepare,
    notes=[
        "Targets: p50 under 20 ms for the 500-session page (issue 2); page and JSON at"
        " 0.5 of the ceiling or more (issue 23). Each process keeps the page whole, keyed by"
        " the edition's and the seat tables' versions (school/data_versions.py): no query."
    ],
)


if __name__ == "__main__":
    main(
        [SUITE],
        title="Benchmark: programme",
        output=RESULTS_DIR / "programme.md",
        description=__doc__,
    )
