"""What a benchmark runs against: a fresh PostgreSQL database and gunicorn servers.

Both are context managers that always clean up: the database is dropped and the
server's whole process group stopped, whatever happened in between.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from school.config import database_uri

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def fresh_database(base_url: str, name_hint: str) -> Iterator[str]:
    """Create an empty database on the server of ``base_url``; drop it afterwards."""
    url = sa.engine.make_url(database_uri(base_url, Path()))
    name = f"bench_{name_hint}_{secrets.token_hex(4)}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def postgres_version(database_url: str) -> str:
    engine = sa.create_engine(database_uri(database_url, Path()))
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar()).split(" ")[0]
    finally:
        engine.dispose()


def app_environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SCHOOL_DATABASE_URL=database_url,
        SCHOOL_RATELIMIT_ENABLED="false",
        # Mail stays queued in the run's database (dropped after): a benchmark writes to
        # nobody, and nothing lands in the repository's instance/outbox.
        SCHOOL_MAIL_SEND_AFTER_REQUEST="false",
        SCHOOL_SECRET_KEY="bench-secret-key",
    )
    return env


def flask(env: dict[str, str], *args: str) -> str:
    """Run ``flask --app school ARGS`` against the run's database; its stdout."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "school", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class GunicornConfig:
    workers: int = 2
    worker_class: str = "gthread"
    threads: int = 4
    # Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new
    # connections over them. On one shared socket, the connections a load generator opens
    # at once can all land in one gthread worker and stay there (kept alive): the other
    # worker idles, and a measure gives half the throughput, at random.
    reuse_port: bool = True

    def args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        if self.reuse_port:
            args.append("--reuse-port")
        # The production configuration's hook (school/deploy/gunicorn.conf.py), for the
        # ceiling too: its process then has the same garbage collection.
        args += ["--config", "python:school.worker"]
        return args

    def describe(self) -> str:
        threads = f", {self.threads} threads each" if self.worker_class == "gthread" else ""
        spread = ", connections spread over the workers (SO_REUSEPORT)" if self.reuse_port else ""
        return f"{self.workers} workers, {self.worker_class}{threads}{spread}"


@dataclass(frozen=True)
class Served:
    url: str  # http://127.0.0.1:<port>
    pid: int  # gunicorn's master process


@contextmanager
def gunicorn(
    app: str,
    env: dict[str, str],
    config: GunicornConfig,
    *,
    ready_path: str = "/",
    timeout: float = 60,
) -> Iterator[Served]:
    """Serve ``app`` (``module:callable()``) on a free port until the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *config.args(),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                app,
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_ready(process, base + ready_path, timeout, log)
            yield Served(base, process.pid)
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen, url: str, timeout: float, log) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    log.seek(0)
    raise RuntimeError(f"gunicorn not ready at {url} after {timeout} s:\n{log.read()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass
