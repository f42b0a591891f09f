"""The benchmark harness: a suite names its endpoints; the harness does the rest.

For each suite: a fresh PostgreSQL database (migrated with ``flask db upgrade``),
school under gunicorn on a free port, the suite's ``prepare`` (loads its data and
returns its endpoints), one recorded answer per endpoint for the ceiling app, then
for every endpoint and concurrency: warm-up, measure school, warm-up, measure the
ceiling. Servers are stopped and the database dropped whatever happens.

A new benchmark is a module with a ``SUITE`` and a ``main()`` calling
:func:`main` (see bench/programme.py), listed in ``bench.__main__.SUITES``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shlex
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench import ceiling, load, server
from bench.load import Request
from bench.report import RESULTS_DIR, Environment, Point, SuiteResult, document, write

PRELIMINARY = "Preliminary (machine shared): other jobs ran on this 2-core machine during the run."


@dataclass
class Endpoint:
    name: str
    path: str
    request: Request = field(default_factory=Request)
    expect: int = 200
    # What one request carries (a batch of scans): its ratio counts those, per second.
    per_request: int = 1


@dataclass
class Context:
    """What a suite's ``prepare`` may use: the app's environment and URL."""

    env: dict[str, str]
    base_url: str
    workdir: Path

    def flask(self, *args: str) -> str:
        return server.flask(self.env, *args)

    def fetch(self, path: str, request: Request | None = None) -> Answer:
        return fetch(self.base_url + path, request or Request())

    def register(self, slug: str, fields: dict) -> dict:
        """A participant registered through the JSON API, as a client would: its answer."""
        answer = self.fetch(
            f"/api/v1/editions/{slug}/registrations",
            Request("POST", {"Content-Type": "application/json"}, body=json.dumps(fields)),
        )
        if answer.status != 201:
            raise RuntimeError(f"registration: {answer.status} {answer.body[:300]!r}")
        return json.loads(answer.body)


@dataclass
class Suite:
    name: str  # results/<name>.md
    title: str
    prepare: Callable[[Context], list[Endpoint]]
    notes: list[str] = field(default_factory=list)  # printed under the table (targets…)
    # Run after the measures, before the database is dropped: checks of what the load
    # left behind (no seat over capacity…), as lines for the notes.
    verify: Callable[[Context], list[str]] | None = None
    app: str = "school:create_app()"  # what gunicorn serves (bench.floor adds a route)


@dataclass
class Answer:
    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes


def fetch(url: str, request: Request) -> Answer:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request.body.encode("utf-8") if request.body is not None else None
        conn.request(request.method, path, body=body, headers=request.headers)
        response = conn.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, headers.get("content-type", ""), headers, body)
    finally:
        conn.close()


@dataclass
class Settings:
    concurrency: list[int]
    duration: float
    warmup: float
    gunicorn: server.GunicornConfig
    database_url: str
    ceiling: bool = True
    only: str | None = None


def run_suite(suite: Suite, settings: Settings, log: Callable[[str], None] = print) -> SuiteResult:
    result = SuiteResult(suite.name, suite.title, notes=list(suite.notes))
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-{suite.name}-") as tmp,
        server.fresh_database(settings.database_url, suite.name) as database_url,
    ):
        workdir = Path(tmp)
        env = server.app_environment(database_url)
        log(f"[{suite.name}] migrating a fresh database")
        server.flask(env, "db", "upgrade")
        with server.gunicorn(suite.app, env, settings.gunicorn) as served:
            base = served.url
            log(f"[{suite.name}] school at {base}; preparing data")
            endpoints = suite.prepare(Context(env, base, workdir))
            if settings.only:
                endpoints = [e for e in endpoints if settings.only.lower() in e.name.lower()]
            recorded = workdir / "ceiling"
            recorded.mkdir()
            answers = [_record(base, endpoint, recorded, n) for n, endpoint in enumerate(endpoints)]
            ceiling_env = dict(os.environ, BENCH_CEILING_DIR=str(recorded))
            with server.gunicorn(
                "bench.ceiling:create_app()", ceiling_env, settings.gunicorn
            ) as ceiling_server:
                top = ceiling_server.url
                for endpoint, (size, ceiling_path) in zip(endpoints, answers, strict=True):
                    for concurrency in settings.concurrency:
                        point = Point(
                            endpoint.name,
                            size,
                            concurrency,
                            _measure(base, endpoint.path, endpoint.request, concurrency, settings),
                            per_request=endpoint.per_request,
                        )
                        if settings.ceiling:
                            point.ceiling = _measure(
                                top, ceiling_path, endpoint.request, concurrency, settings
                            )
                        log(_progress(suite.name, point))
                        result.points.append(point)
            if suite.verify is not None:
                checks = suite.verify(Context(env, base, workdir))
                for line in checks:
                    log(f"[{suite.name}] {line}")
                result.notes.extend(checks)
    return result


def _record(base: str, endpoint: Endpoint, folder: Path, n: int) -> tuple[int, str]:
    """Check the endpoint answers as expected and record its answer for the ceiling:
    the size of its body, and the ceiling's path that replays it."""
    answer = fetch(base + endpoint.path, endpoint.request)
    if answer.status != endpoint.expect:
        raise RuntimeError(
            f"{endpoint.name}: {endpoint.path} answered {answer.status}, "
            f"not {endpoint.expect}:\n{answer.body[:2000]!r}"
        )
    path = ceiling.record(
        folder, n, status=answer.status, content_type=answer.content_type, body=answer.body
    )
    return len(answer.body), path


def _measure(
    base: str, path: str, request: Request, concurrency: int, settings: Settings
) -> load.Measure:
    url = base + path

    def run(seconds: float) -> load.Measure:
        run_id = secrets.token_hex(6)  # POST bodies stay unique across runs
        measure = load.run(url, request, concurrency=concurrency, seconds=seconds, run_id=run_id)
        _wait_idle(base)
        return measure

    if settings.warmup > 0:
        run(settings.warmup)
    return run(settings.duration)


def _wait_idle(base: str) -> None:
    """Let the server finish what the load generator left in flight when it stopped:
    requests still queued in the listen backlog would otherwise be served during the
    next measure (sync workers serve them even though nobody reads the answers).
    A cheap request per worker, one after the other, comes out behind them."""
    for _ in range(2):
        fetch(base + "/", Request())


def _progress(suite: str, p: Point) -> str:
    line = (
        f"[{suite}] {p.endpoint} c={p.concurrency}: {p.app.rps:.0f} req/s, "
        f"p50 {p.app.p50_ms:.1f} ms, p99 {p.app.p99_ms:.1f} ms, errors {p.app.errors}"
    )
    if p.ceiling is not None:
        line += f"; ceiling {p.ceiling.rps:.0f} req/s ({p.ratio:.0%})"
    return line


def parser(description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--concurrency",
        default="1,8,32",
        help="comma-separated numbers of open connections (default: %(default)s)",
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds per measure")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per measure")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument(
        "--shared-socket",
        action="store_true",
        help="all workers accept on one socket (gunicorn's default), not one each",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", server.DEFAULT_DATABASE_URL),
        help="a PostgreSQL server where a database is created for the run and dropped after",
    )
    parser.add_argument("--no-ceiling", action="store_true", help="skip the ceiling measures")
    parser.add_argument("--only", help="only endpoints whose name contains this text")
    parser.add_argument(
        "--preliminary",
        action="store_true",
        help="label the results as measured on a shared (noisy) machine",
    )
    parser.add_argument("--output", type=Path, help="markdown file to write")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        concurrency=[int(c) for c in args.concurrency.split(",") if c.strip()],
        duration=args.duration,
        warmup=args.warmup,
        gunicorn=server.GunicornConfig(
            args.workers, args.worker_class, args.threads, reuse_port=not args.shared_socket
        ),
        database_url=args.database_url,
        ceiling=not args.no_ceiling,
        only=args.only,
    )


def environment(args: argparse.Namespace, settings: Settings) -> Environment:
    wrk = load.wrk_version()
    return Environment.detect(
        postgres=server.postgres_version(settings.database_url),
        gunicorn=settings.gunicorn.describe(),
        load_tool=f"{wrk}, 1 thread" if wrk else "Python fallback client (less precise: no wrk)",
        warmup=settings.warmup,
        duration=settings.duration,
        command=shlex.join(["python", "-m", _module_name(), *sys.argv[1:]]),
        label=PRELIMINARY if args.preliminary else None,
    )


def main(suites: list[Suite], *, title: str, output: Path, description: str | None = None) -> None:
    args = parser(description).parse_args()
    settings = settings_from(args)
    env = environment(args, settings)
    results = [run_suite(suite, settings) for suite in suites]
    env.finish()
    path = write(args.output or output, document(title, env, results))
    print(f"wrote {path}")


def _module_name() -> str:
    main_module = sys.modules["__main__"]
    spec = getattr(main_module, "__spec__", None)
    name = spec.name if spec else "bench"
    return name.removesuffix(".__main__")


__all__ = ["RESULTS_DIR", "Context", "Endpoint", "Request", "Suite", "main", "run_suite"]
