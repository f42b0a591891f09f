"""Where the time of one endpoint goes, under gunicorn, sampled with py-spy.

python -m bench.profile --only "page, 500 sessions" [--suite programme --seconds 10]

Sets up the suite as a benchmark does (fresh database, gunicorn), drives the
endpoint with the load generator and samples the workers with ``py-spy`` (which
needs ptrace: root, or ``kernel.yama.ptrace_scope=0``). Prints the share of
request time per activity and the functions where the samples land; the raw
stacks are kept in bench/results/tmp/ (open them with speedscope or flamegraph).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench import load, server
from bench.harness import PRELIMINARY, Context, Suite
from bench.report import RESULTS_DIR, write

# (what, substring of a frame): a sample counts for the first rule, in this order,
# that matches any frame of its stack (babel's own frames under format_time are time
# formatting; the ORM's under a template are the ORM).
ACTIVITIES = [
    ("time formatting (babel.dates)", "babel/dates.py"),
    ("translations and locale (flask_babel, babel)", "flask_babel/"),
    ("translations and locale (flask_babel, babel)", "babel/"),
    ("translations and locale (flask_babel, babel)", "jinja2/ext.py"),
    ("url_for (werkzeug routing)", "werkzeug/routing/"),
    ("url_for (werkzeug routing)", "url_for ("),
    ("HTML escaping (markupsafe)", "markupsafe/"),
    ("database driver, waiting for PostgreSQL (psycopg)", "psycopg/"),
    ("ORM and SQL building (sqlalchemy)", "sqlalchemy/"),
    ("JSON encoding", "json/"),
    ("templates (jinja2, our .html)", ".html:"),
    ("templates (jinja2, our .html)", "jinja2/"),
    ("our code (school/)", "school/"),
]
OTHER = "server and framework (gunicorn, flask, werkzeug)"
IN_REQUEST = "Flask.__call__"  # the WSGI entry: what is answered in front of Flask too


def activities(stacks: Counter[str]) -> tuple[Counter[str], Counter[str], int]:
    """Request samples per activity, per innermost function, and the idle samples."""
    per_activity: Counter[str] = Counter()
    per_function: Counter[str] = Counter()
    idle = 0
    for stack, count in stacks.items():
        frames = stack.split(";")
        if not any(IN_REQUEST in frame for frame in frames):
            idle += count
            continue
        per_function[frames[-1]] += count
        per_activity[_activity(frames)] += count
    return per_activity, per_function, idle


def _activity(frames: list[str]) -> str:
    for name, marker in ACTIVITIES:
        if any(marker in frame for frame in frames):
            return name
    return OTHER


def read_raw(path: Path) -> Counter[str]:
    stacks: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[stack] += int(count)
    return stacks


def summary(stacks: Counter[str], top: int = 15) -> str:
    per_activity, per_function, idle = activities(stacks)
    total = sum(per_activity.values())
    if not total:
        return "no sample inside a request"
    lines = ["| activity | share of request time |", "|---|--:|"]
    lines += [f"| {name} | {n / total:.0%} |" for name, n in per_activity.most_common()]
    lines += ["", "| innermost function | share |", "|---|--:|"]
    lines += [f"| `{name}` | {n / total:.1%} |" for name, n in per_function.most_common(top)]
    lines += ["", f"{total} samples in requests, {idle} outside (idle, accepting)."]
    return "\n".join(lines)


def profile(
    url: str,
    request: load.Request,
    master_pid: int,
    *,
    seconds: float,
    concurrency: int,
    out: Path,
) -> str:
    """Drive ``url`` for ``seconds`` while py-spy samples every worker."""
    driver = threading.Thread(
        target=load.run,
        args=(url, request),
        kwargs={"concurrency": concurrency, "seconds": seconds + 2, "run_id": "profile"},
    )
    driver.start()
    try:
        subprocess.run(
            [
                "py-spy",
                "record",
                "--pid",
                str(master_pid),
                "--subprocesses",
                "--idle",
                "--rate",
                "250",
                "--duration",
                str(max(1, round(seconds))),
                "--format",
                "raw",
                "--output",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
    finally:
        driver.join()
    return summary(read_raw(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", default="programme", help="module bench.<suite>")
    parser.add_argument("--only", required=True, help="endpoints whose name contains this text")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--database-url", default=server.DEFAULT_DATABASE_URL)
    parser.add_argument("--output", type=Path, help="also write the summary to this markdown file")
    parser.add_argument("--preliminary", action="store_true", help="label: machine shared")
    args = parser.parse_args()
    if shutil.which("py-spy") is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    suite: Suite = importlib.import_module(f"bench.{args.suite}").SUITE
    config = server.GunicornConfig(worker_class=args.worker_class)
    tmp_dir = RESULTS_DIR / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    load_average = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    parts = [f"# Profile: {suite.title}", ""]
    if args.preliminary:
        parts += [f"> **{PRELIMINARY}**", ""]
    parts += [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average at start: {load_average}",
        f"- gunicorn {config.describe()}; {args.concurrency} connection(s), "
        f"py-spy at 250 Hz for {args.seconds:g} s",
        f"- Command: `python -m bench.profile {shlex.join(sys.argv[1:])}`",
    ]
    with (
        tempfile.TemporaryDirectory() as tmp,
        server.fresh_database(args.database_url, suite.name) as database_url,
    ):
        env = server.app_environment(database_url)
        server.flask(env, "db", "upgrade")
        with server.gunicorn(suite.app, env, config) as served:
            base = served.url
            endpoints = suite.prepare(Context(env, base, Path(tmp)))
            for endpoint in endpoints:
                if args.only.lower() not in endpoint.name.lower():
                    continue
                out = tmp_dir / f"{suite.name}-{endpoint.name.replace(' ', '_')}.txt"
                text = profile(
                    base + endpoint.path,
                    endpoint.request,
                    served.pid,
                    seconds=args.seconds,
                    concurrency=args.concurrency,
                    out=out,
                )
                part = f"## {endpoint.name} (`{endpoint.path}`)\n\n{text}"
                print(part, f"\nraw stacks: {out}\n", sep="\n")
                parts += ["", part]
    if args.output:
        print(f"wrote {write(args.output, chr(10).join(parts) + chr(10))}")


if __name__ == "__main__":
    main()
