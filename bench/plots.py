"""The run's figures as PNG: latency against concurrency for every endpoint (school beside
its ceiling), and time against size for the scale curves."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server

import matplotlib.pyplot as plt

from bench.report import SuiteResult
from bench.scale import ScalePoint


def latency(results: list[SuiteResult], path: Path) -> Path:
    endpoints = [(suite, name) for suite in results for name in _names(suite)]
    columns = 3
    rows = -(-len(endpoints) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.4 * rows), squeeze=False)
    for ax, (suite, name) in zip(axes.flat, endpoints, strict=False):
        points = [p for p in suite.points if p.endpoint == name]
        levels = [p.concurrency for p in points]
        ax.plot(levels, [p.app.p50_ms for p in points], "o-", label="school p50")
        ax.plot(levels, [p.app.p99_ms for p in points], "s--", label="school p99")
        with_ceiling = [p for p in points if p.ceiling is not None]
        if with_ceiling:
            ax.plot(
                [p.concurrency for p in with_ceiling],
                [p.ceiling.p99_ms for p in with_ceiling],
                "^:",
                color="grey",
                label="ceiling p99",
            )
        ax.set_title(name, fontsize=9)
        ax.set_xscale("log", base=2)
        ax.set_xticks(levels, [str(c) for c in levels])
        ax.set_xlabel("concurrent connections")
        ax.set_ylabel("ms")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(endpoints) :]:
        ax.set_visible(False)
    figure.suptitle("Latency against concurrency (gunicorn, PostgreSQL)")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def scale(points: list[ScalePoint], path: Path) -> Path:
    views = list(dict.fromkeys(p.view for p in points))
    columns = min(5, len(views))
    rows = -(-len(views) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.6 * rows), squeeze=False)
    for ax in axes.flat[len(views) :]:
        ax.set_visible(False)
    for ax, view in zip(axes.flat, views, strict=False):
        for sessions in sorted({p.sessions for p in points}):
            line = [p for p in points if p.view == view and p.sessions == sessions]
            ax.plot(
                [p.participants for p in line],
                [p.median_ms for p in line],
                "o-",
                label=f"{sessions} sessions",
            )
        ax.set_title(view, fontsize=9)
        ax.set_xscale("log")
        ax.set_xlabel("participants")
        ax.set_ylabel("ms (median)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    figure.suptitle("Time of a request against the size of the edition")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def _names(suite: SuiteResult) -> list[str]:
    return list(dict.fromkeys(p.endpoint for p in suite.points))
