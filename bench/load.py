"""Load generators: ``wrk`` when it is installed, a small Python client otherwise.

wrk (C, epoll) drives dozens of connections from one thread for a few per cent of
one core, so on a 2-core machine it leaves the server almost all the CPU. The
Python fallback costs far more CPU per request and so lowers what the server
gets: its figures are marked as such in the results.

Both run a closed loop: each of the ``concurrency`` connections sends its next
request as soon as the previous answer has arrived, for a fixed duration.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Request:
    """What one endpoint sends. ``lua`` may define wrk's ``request()`` for bodies
    that must change on every request (e.g. a new e-mail address per registration);
    it sees ``bench_run`` (unique per run) and ``bench_thread`` (the wrk thread)."""

    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    lua: str | None = None
    python_body: object = None  # fallback: callable(run_id, n) -> str, like ``lua``


@dataclass
class Measure:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def lua_string(value: str) -> str:
    """A Lua string literal: printable ASCII as is, any other byte as ``\\ddd``."""
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        out.append(char if 32 <= byte < 127 and char not in '"\\' else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def wrk_script(request: Request, run_id: str) -> str:
    lines = [
        f"bench_run = {lua_string(run_id)}",
        "bench_thread = 0",
        "local threads = 0",
        "setup = function(thread) threads = threads + 1; thread:set('bench_thread', threads) end",
        f"wrk.method = {lua_string(request.method)}",
    ]
    for name, value in request.headers.items():
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    if request.body is not None:
        lines.append(f"wrk.body = {lua_string(request.body)}")
    if request.lua:
        lines.append(request.lua)
    lines.append(REPORT_LUA)
    return "\n".join(lines)


def have_wrk() -> bool:
    """wrk is used when installed, unless ``BENCH_CLIENT=python`` asks for the fallback."""
    return os.environ.get("BENCH_CLIENT", "wrk") != "python" and shutil.which("wrk") is not None


def run_wrk(
    url: str, request: Request, *, concurrency: int, seconds: float, run_id: str
) -> Measure:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(request, run_id))
    try:
        out = subprocess.run(
            [
                "wrk",
                "--threads",
                "1",
                "--connections",
                str(concurrency),
                "--duration",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "--script",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink()
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    data = json.loads(line[len("BENCH ") :])
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Measure(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        tool="wrk",
    )


def run_python(
    url: str, request: Request, *, concurrency: int, seconds: float, run_id: str
) -> Measure:
    """Fallback: one thread per connection, keep-alive when the server allows it."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = 0
    failures: list[BaseException] = []
    lock = threading.Lock()

    def body_for(n: int) -> bytes | None:
        body = request.python_body(run_id, n) if callable(request.python_body) else request.body
        return body.encode("utf-8") if isinstance(body, str) else body

    def worker(index: int) -> None:
        try:
            connection(index)
        except BaseException as exc:  # a bug of the benchmark: report it, don't hide it
            with lock:
                failures.append(exc)

    def connection(index: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        bad = 0
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            body = body_for(index * 1_000_000 + n)
            started = time.perf_counter()
            try:
                conn.request(request.method, path, body=body, headers=request.headers)
                response = conn.getresponse()
                response.read()
                if response.status > 399:
                    bad += 1
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000

    return Measure(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile(50),
        p99_ms=percentile(99),
        errors=errors,
        tool="python",
    )


def run(url: str, request: Request, *, concurrency: int, seconds: float, run_id: str) -> Measure:
    runner = run_wrk if have_wrk() else run_python
    return runner(url, request, concurrency=concurrency, seconds=seconds, run_id=run_id)


def wrk_version() -> str | None:
    if not have_wrk():
        return None
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return out.split(" Copyright")[0].strip() or "wrk"
