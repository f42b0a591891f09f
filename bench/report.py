"""Results as markdown: where and how they were measured, then one table per suite."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.load import Measure

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Point:
    """One endpoint at one concurrency, with its ceiling measured just after it."""

    endpoint: str
    size: int  # bytes of the response body
    concurrency: int
    app: Measure
    ceiling: Measure | None = None
    per_request: int = 1  # items one request carries (scans of a batch)

    @property
    def ratio(self) -> float | None:
        """req/s ÷ the ceiling's req/s; for a batch, items/s ÷ the ceiling's req/s."""
        if self.ceiling is None or not self.ceiling.rps:
            return None
        return self.app.rps * self.per_request / self.ceiling.rps


@dataclass
class SuiteResult:
    name: str
    title: str
    points: list[Point] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Environment:
    """The machine and the run's settings, printed above the tables."""

    date: datetime
    cpu: str
    cores: int
    ram_gib: float
    load_average: tuple[float, float, float]
    python: str
    postgres: str
    gunicorn: str
    load_tool: str
    warmup: float
    duration: float
    command: str
    label: str | None = None
    load_average_end: tuple[float, float, float] | None = None
    # (stolen, all) CPU ticks of the machine at the start and at the end of the run: on a
    # virtual machine, time the hypervisor gave to others makes every measure slower.
    cpu_ticks: tuple[int, int] | None = None
    cpu_ticks_end: tuple[int, int] | None = None

    @classmethod
    def detect(cls, **kwargs) -> Environment:
        return cls(
            date=datetime.now(UTC),
            cpu=_cpu_model(),
            cores=os.cpu_count() or 0,
            ram_gib=_ram_gib(),
            load_average=os.getloadavg(),
            python=platform.python_version(),
            cpu_ticks=_cpu_ticks(),
            **kwargs,
        )

    def finish(self) -> None:
        """Note how the machine was at the end of the run."""
        self.load_average_end = os.getloadavg()
        self.cpu_ticks_end = _cpu_ticks()

    @property
    def stolen(self) -> float | None:
        """Share of the machine's CPU time taken by the hypervisor during the run."""
        if not self.cpu_ticks or not self.cpu_ticks_end:
            return None
        total = self.cpu_ticks_end[1] - self.cpu_ticks[1]
        return (self.cpu_ticks_end[0] - self.cpu_ticks[0]) / total if total > 0 else None


def _cpu_ticks() -> tuple[int, int] | None:
    """(steal, all) ticks since boot, from the first line of /proc/stat (Linux)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or platform.machine()
    model = next((x.split(":", 1)[1].strip() for x in lines if x.startswith("model name")), "")
    virtual = any(x.startswith("flags") and " hypervisor" in x for x in lines)
    return (model or platform.machine()) + (" (virtual machine)" if virtual else "")


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def software_versions() -> str:
    return ", ".join(f"{name} {version(name)}" for name in ("flask", "sqlalchemy", "jinja2"))


def _size(n: int) -> str:
    return f"{n} B" if n < 1000 else f"{n / 1000:.1f} kB"


def _ratio(value: float) -> str:
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def table(points: list[Point]) -> str:
    rows = [
        "| endpoint | body | conc. | req/s | p50 ms | p99 ms | errors "
        "| ceiling req/s | ceiling p50 ms | ceiling p99 ms | ratio to ceiling |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for p in points:
        ceiling = p.ceiling
        rows.append(
            "| "
            + " | ".join(
                [
                    p.endpoint,
                    _size(p.size),
                    str(p.concurrency),
                    f"{p.app.rps:.0f}",
                    _ms(p.app.p50_ms),
                    _ms(p.app.p99_ms),
                    str(p.app.errors),
                    f"{ceiling.rps:.0f}" if ceiling else "–",
                    _ms(ceiling.p50_ms) if ceiling else "–",
                    _ms(ceiling.p99_ms) if ceiling else "–",
                    _ratio(p.ratio) if p.ratio is not None else "–",
                ]
            )
            + " |"
        )
    return "\n".join(rows)


def summary(suites: list[SuiteResult], levels: tuple[int, ...] = (8, 32)) -> str:
    """One line per endpoint: req/s, p99 and ratio to the ceiling at each level."""
    head = "| endpoint | " + " | ".join(
        f"req/s at {c} | p99 ms at {c} | ratio at {c}" for c in levels
    )
    rows = [head + " |", "|---|" + "--:|--:|--:|" * len(levels)]
    for suite in suites:
        found = {(p.endpoint, p.concurrency): p for p in suite.points}
        for name in dict.fromkeys(p.endpoint for p in suite.points):
            cells = []
            for c in levels:
                p = found.get((name, c))
                if p is None:
                    cells += ["–", "–", "–"]
                    continue
                ratio = _ratio(p.ratio) if p.ratio is not None else "–"
                cells += [f"{p.app.rps:.0f}", _ms(p.app.p99_ms), ratio]
            rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def document(
    title: str, env: Environment, suites: list[SuiteResult], extra: list[str] | None = None
) -> str:
    load = "load average at start: " + ", ".join(f"{x:.2f}" for x in env.load_average)
    if env.load_average_end:
        load += "; at the end: " + ", ".join(f"{x:.2f}" for x in env.load_average_end)
    if env.stolen is not None:
        load += f"; CPU time taken by the hypervisor during the run (steal): {env.stolen:.1%}"
    parts = [f"# {title}", ""]
    if env.label:
        parts += [f"> **{env.label}**", ""]
    parts += [
        f"- Date: {env.date:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {env.cpu}, {env.cores} cores, {env.ram_gib:.1f} GiB RAM; {load}",
        f"- Software: Python {env.python}, PostgreSQL {env.postgres} (same machine), "
        f"{software_versions()}",
        f"- Server: gunicorn {version('gunicorn')}, {env.gunicorn}; "
        "ceiling on the same configuration",
        f"- Load: {env.load_tool}, closed loop, {env.warmup:g} s warm-up then "
        f"{env.duration:g} s per measure",
        f"- Command: `{env.command}`",
        "",
        "req/s, p50 and p99 come from the load generator; *ceiling*: a bare Flask route "
        "answering the same recorded response (status, type, body) on the same gunicorn "
        "configuration; *ratio to ceiling* = req/s ÷ ceiling req/s. See bench/README.md.",
    ]
    for suite in suites:
        parts += ["", f"## {suite.title}", "", table(suite.points)]
        if suite.notes:
            parts += ["", *[f"- {note}" for note in suite.notes]]
    parts += extra or []
    return "\n".join(parts) + "\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
